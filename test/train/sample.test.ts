// Names from a model, as the lecture draws them: from block_size dots, each character picked from the softmax of the
// context so far, shifted in, until '.'. Shown on a model whose next character is known (a one-hot chain), in both
// orders of drawing (all names in lockstep, or one after the other as the lecture's loop), and with the trial's own
// generators of each rng mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/train/backend.js';
import { trialDraws, type CharSource } from '../../src/train/draws.js';
import { disposeParams, type Params } from '../../src/train/model.js';
import { sampleNames } from '../../src/train/sample.js';

const VOCAB = '.abc';

/**
 * block_size 2, one-hot embeddings, and a hidden layer that sees only the context's last character (W1: zeros over
 * the identity; tanh(1) = 0.76): the logits are 7.6 at the character that `next` says follows the last one, so a
 * context shifted the wrong way draws other names.
 */
function chain(next: Record<string, string>): Params {
  const V = VOCAB.length;
  const eye = Array.from({ length: V }, (_, i) => Array.from({ length: V }, (_, j) => (i === j ? 1 : 0)));
  const W2 = Array.from({ length: V }, (_, i) => Array.from({ length: V }, (_, j) => (VOCAB[j] === next[VOCAB[i]!] ? 10 : 0)));
  return {
    C: tf.variable(tf.tensor2d(eye)),
    W1: tf.variable(tf.tensor2d([...eye.map((row) => row.map(() => 0)), ...eye])), // (T·E, H) = (2V, V)
    b1: tf.variable(tf.zeros([V])),
    W2: tf.variable(tf.tensor2d(W2)),
    b2: tf.variable(tf.zeros([V])),
  };
}

/** The most likely character every time. */
const greedy = (lockstep: boolean): CharSource => ({ lockstep, pick: (probs) => probs.indexOf(Math.max(...probs)) });

test('each character follows from the one before, until the model says "."; in lockstep as one after the other', async () => {
  await initBackend('cpu');
  const p = chain({ '.': 'a', a: 'b', b: 'c', c: '.' });
  for (const lockstep of [true, false]) assert.deepEqual(sampleNames(p, VOCAB, 2, 3, greedy(lockstep)), ['abc', 'abc', 'abc']);
  disposeParams(p);
});

test('a model that never says "." stops at the longest name; one that says it first gives empty names', async () => {
  await initBackend('cpu');
  const looping = chain({ '.': 'a', a: 'b', b: 'a', c: 'a' });
  for (const lockstep of [true, false]) assert.deepEqual(sampleNames(looping, VOCAB, 2, 2, greedy(lockstep), 7), ['abababa', 'abababa']);
  disposeParams(looping);
  const silent = chain({ '.': '.', a: '.', b: '.', c: '.' });
  assert.deepEqual(sampleNames(silent, VOCAB, 2, 2, greedy(true)), ['', '']);
  disposeParams(silent);
});

test('with a trial\'s generators, the same seed draws the same names and another seed others, from the vocabulary', async () => {
  await initBackend('cpu');
  // Every character equally likely: the names are the generator's draws.
  const V = VOCAB.length;
  const p: Params = { C: tf.variable(tf.zeros([V, 2])), W1: tf.variable(tf.zeros([4, 3])), b1: tf.variable(tf.zeros([3])), W2: tf.variable(tf.zeros([3, V])), b2: tf.variable(tf.zeros([V])) };
  for (const rng of ['streams', 'torch'] as const) {
    const draw = (seed: number) => sampleNames(p, VOCAB, 2, 20, trialDraws(seed, rng).sample);
    const names = draw(1);
    assert.deepEqual(draw(1), names, rng);
    assert.notDeepEqual(draw(2), names, rng);
    assert.ok(names.every((n) => /^[abc]*$/.test(n) && n.length <= 50), `${rng}: ${names.join(' ')}`);
    assert.ok(new Set(names).size > 5, `${rng}: names vary with the draws: ${names.join(' ')}`);
  }
  disposeParams(p);
});
