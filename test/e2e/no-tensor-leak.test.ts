import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { EngineName, LossMode } from '../../src/config/schema.js';
import { initBackend } from '../../src/train/backend.js';
import { buildDataset, loadWords } from '../../src/train/data.js';
import { trialDraws } from '../../src/train/draws.js';
import { disposeParams, initParams } from '../../src/train/model.js';
import { trainTrial, Trainer } from '../../src/train/trial.js';
import type { TrialConfig } from '../../src/types.js';

function tiny(loss: LossMode, batch: number | 'full', words = 100, engine: EngineName = 'kernel'): TrialConfig {
  return {
    seed: 1,
    rng: 'streams',
    data: { builtin: 'names', slice: { first: words }, split: { train: 0.8, dev: 0.1, test: 0.1 }, shuffle_seed: 42 },
    model: { block_size: 2, embed_dim: 2, hidden: 8 },
    loss,
    engine,
    train: { steps: 2000, batch_size: batch, lr: 0.05 },
    eval: { every: 500, splits: ['train', 'dev', 'test'] },
    sample: 3,
  };
}

// (The step itself, in both loss modes, is checked to leave nothing behind in step.test.ts.)
const cases = [
  { loss: 'fused', batch: 8, words: 100, engine: 'kernel' },
  { loss: 'manual', batch: 'full', words: 20, engine: 'kernel' },
  { loss: 'fused', batch: 8, words: 100, engine: 'tfjs' },
  { loss: 'manual', batch: 'full', words: 20, engine: 'tfjs' },
] as const;

test('the tensor count is the same after step 100 as after step 2,000 (no leak in the loop)', async (t) => {
  await initBackend('wasm');
  for (const { loss, batch, words, engine } of cases) {
    await t.test(`${loss} loss, batch ${batch}, ${engine} engine`, async () => {
      const config = tiny(loss, batch, words, engine);
      const data = buildDataset(await loadWords(config.data), config.data, config.model.block_size);
      const draws = trialDraws(config.seed, config.rng);
      const params = initParams(draws.init, data.vocab.length, config.model);
      const trainer = new Trainer(config, data, params, draws);
      await trainer.runTo(100);
      const at100 = tf.memory().numTensors;
      await trainer.runTo(2000);
      assert.equal(trainer.step, 2000);
      assert.equal(tf.memory().numTensors, at100);
      trainer.finish();
      disposeParams(params);
    });
  }
});

test('a whole trial leaves no tensor behind, on either engine', async () => {
  await initBackend('wasm');
  for (const engine of ['kernel', 'tfjs'] as const) {
    const before = tf.memory().numTensors;
    await trainTrial({ ...tiny('fused', 8, 100, engine), train: { steps: 300, batch_size: 8, lr: 0.05 } }, { id: 'x', backend: 'wasm' });
    assert.equal(tf.memory().numTensors, before, engine);
  }
});
