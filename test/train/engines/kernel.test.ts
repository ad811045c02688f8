// The kernel engine with rng: torch trains from the lecture's own draws: its losses against PyTorch's for the same code
// (the figures of test/e2e/lecture-exact.test.ts, from bench/reference/lecture_torch.py), the engine driven as the
// Trainer will drive it: a chunk of steps at a time, row indices from the trial's generator, evaluation on tfjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedData } from '../../../src/types.js';
import { initBackend } from '../../../src/train/backend.js';
import { buildDataset, loadWords } from '../../../src/train/data.js';
import { trialDraws } from '../../../src/train/draws.js';
import { createEngine } from '../../../src/train/engines/index.js';
import { evaluateSplit } from '../../../src/train/evaluate.js';
import { disposeParams, initParams } from '../../../src/train/model.js';
import { sampleNames } from '../../../src/train/sample.js';

const SEED = 2147483647;

/** Train `steps` steps of the lecture's code (rng: torch) on the kernel engine, a chunk at a time; every step's loss. */
async function lecture(data: ResolvedData, model: { block_size: number; embed_dim: number; hidden: number }, batch: number | 'full', steps: number) {
  await initBackend('wasm');
  const dataset = buildDataset(await loadWords(data), data, model.block_size, 'torch');
  const draws = trialDraws(SEED, 'torch');
  const params = initParams(draws.init, dataset.vocab.length, model);
  const engine = createEngine('kernel', dataset.train, params, { batch, loss: 'fused', chunkSteps: 500 });
  const losses = new Float32Array(steps);
  for (let from = 0; from < steps; from += engine.maxSteps) {
    const k = Math.min(engine.maxSteps, steps - from);
    const rows = batch === 'full' ? 'full' : draws.batch.fillInt(new Int32Array(k * batch), dataset.train.n);
    const chunk = new Float32Array(k);
    assert.equal(engine.trainChunk(rows, new Float64Array(k).fill(0.1), chunk), k);
    losses.set(chunk, from);
  }
  engine.toParams();
  engine.dispose();
  return { dataset, params, losses, draws };
}

test("the lecture's first five words: first loss 17.7697, and after 1,000 full-batch steps 0.2561 and the same samples, as PyTorch's", async () => {
  const data: ResolvedData = { builtin: 'makemore', slice: { first: 5 }, split: { train: 1, dev: 0, test: 0 }, shuffle_seed: 42 };
  const { dataset, params, losses, draws } = await lecture(data, { block_size: 3, embed_dim: 2, hidden: 100 }, 'full', 1000);
  assert.equal(dataset.train.n, 32);
  for (const [step, torch] of [[0, 17.769710540771484], [1, 13.656402587890625], [999, 0.2561383843421936]] as const) {
    assert.ok(Math.abs(losses[step]! - torch) < 1e-4, `step ${step}: ${losses[step]} against PyTorch's ${torch}`);
  }
  assert.equal(losses[0]!.toFixed(4), '17.7697');
  const after = evaluateSplit(params, dataset.train, 'fused');
  assert.ok(Math.abs(after - 0.25614604353904724) < 1e-4, `after 1,000 steps: ${after}`);
  const samples = sampleNames(params, dataset.vocab, 3, 20, draws.sample);
  assert.deepEqual(samples, ['olivia', 'ava', 'isabella', 'sophia', 'ava', 'ava', 'emma', 'emma', 'emma', 'ava', 'emma', 'emma', 'ava', 'ava', 'olivia', 'sophia', 'olivia', 'ava', 'sophia', 'isabella']);
  disposeParams(params);
});

test("the lecture's net on its 32,033 names: the first minibatches' losses as PyTorch's", async () => {
  const data: ResolvedData = { builtin: 'makemore', split: { train: 0.8, dev: 0.1, test: 0.1 }, shuffle_seed: 42 };
  const { params, losses } = await lecture(data, { block_size: 3, embed_dim: 10, hidden: 200 }, 32, 10);
  const torch = [27.881732940673828, 24.003196716308594, 24.807373046875, 24.949356079101562, 23.823511123657227, 19.05977439880371, 18.8573055267334, 23.345319747924805, 20.91378402709961, 22.175369262695312];
  // Other minibatches would give losses apart by 1 or more; rounding alone moves them by under 1e-4 this early.
  torch.forEach((want, step) => assert.ok(Math.abs(losses[step]! - want) < 1e-3, `step ${step}: ${losses[step]} against PyTorch's ${want}`));
  assert.ok(Math.abs(losses[0]! - torch[0]!) < 1e-4);
  disposeParams(params);
});
