// The mean loss over a whole split: the forward pass over every example in chunks, summed in float64, equal to the
// cross-entropy computed on the host whatever the chunk, for both loss modes; NaN for an empty split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/train/backend.js';
import { buildSplit, stoiOf, vocabularyOf } from '../../src/train/data.js';
import { evaluateSplit } from '../../src/train/evaluate.js';
import { disposeParams, initParams, logitsOf } from '../../src/train/model.js';

const WORDS = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia'];
const MODEL = { block_size: 3, embed_dim: 4, hidden: 20 };

/** −log softmax(logits)[y] averaged over the split, in float64 on the host, from one forward pass of every example. */
function reference(p: ReturnType<typeof initParams>, X: Int32Array, Y: Int32Array): number {
  const logits = tf.tidy(() => logitsOf(p, tf.tensor2d(X, [X.length, 1], 'int32')).arraySync());
  return logits.reduce((total, row, i) => {
    const m = Math.max(...row);
    return total + m + Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0)) - row[Y[i]!]!;
  }, 0) / Y.length;
}

test('evaluateSplit is the mean cross-entropy of the split, in one chunk or many, fused or manual', async () => {
  await initBackend('cpu');
  const vocab = vocabularyOf(WORDS);
  const split = buildSplit(WORDS, stoiOf(vocab), MODEL.block_size);
  const p = initParams(3, vocab.length, MODEL);
  const expected = reference(p, split.X, split.Y);
  assert.equal(split.n, 36); // Σ (word length + 1)
  for (const chunk of [undefined, 36, 5, 1]) {
    for (const mode of ['fused', 'manual'] as const) {
      const loss = evaluateSplit(p, split, mode, chunk);
      assert.ok(Math.abs(loss - expected) < 1e-4 * expected, `${mode}, chunk ${chunk ?? 'default'}: ${loss} against ${expected}`);
    }
  }
  assert.ok(Number.isNaN(evaluateSplit(p, buildSplit([], stoiOf(vocab), MODEL.block_size), 'fused')));
  const before = tf.memory().numTensors;
  evaluateSplit(p, split, 'fused', 5);
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  disposeParams(p);
});
