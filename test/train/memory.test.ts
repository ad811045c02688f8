// A trial's peak memory before it runs: a sum of named parts that grows with what it should grow with.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineShape, kernelBytes } from '../../src/train/kernel/layout.js';
import { kernelShapeOf, trialMemory, type DataSizes } from '../../src/train/memory.js';
import type { TrialConfig } from '../../src/types.js';
import { experiment, trialConfig } from '../e2e/helpers.js';

const NAMES: DataSizes = { words: 8403, examples: 60_000, vocab: 27, bytes: 0 };
const small = trialConfig(experiment('memory', { model: { block_size: 3, embed_dim: 10, hidden: 200 } }), 1);
const base: TrialConfig = { ...small, engine: 'tfjs', data: { builtin: 'names', split: small.data.split, shuffle_seed: 42 } }; // every word
const config = (change: (c: TrialConfig) => void): TrialConfig => {
  const c = structuredClone(base);
  change(c);
  return c;
};
const bytes = (c: TrialConfig, data = NAMES) => trialMemory(c, data).bytes;

describe('trialMemory', () => {
  it('is the sum of its named parts: runtime, word list, context windows, tensors, weights', () => {
    const m = trialMemory(base, NAMES);
    assert.deepEqual(m.parts.map((p) => p.name), ['runtime', 'word list', 'context windows', 'tensors', 'weights']);
    assert.equal(m.bytes, m.parts.reduce((s, p) => s + p.bytes, 0));
    assert.equal(m.heap, m.parts.find((p) => p.name === 'tensors')!.bytes);
  });

  it("adds a diagnostics step's reads with diagnostics.every: h (B, H), the parameters and their gradients, float32", () => {
    const full = (every?: number) => trialMemory(config((c) => { c.train.batch_size = 'full'; if (every !== undefined) c.diagnostics = { every }; }), NAMES);
    const part = full(100).parts.find((p) => p.name === 'diagnostics')!;
    assert.equal(part.bytes, 4 * (60_000 * 0.8 * 200 + 2 * 11_897));
    assert.equal(full(100).bytes - full().bytes, part.bytes);
    assert.equal(full().parts.find((p) => p.name === 'diagnostics'), undefined);
  });

  it("adds the kernel engine's WebAssembly memory as a part of a kernel trial, whose training step leaves TF.js's tensors", () => {
    const tfjs = trialMemory(config((c) => (c.train.batch_size = 4096)), NAMES);
    const kernelConfig = config((c) => ((c.engine = 'kernel'), (c.train.batch_size = 4096)));
    const kernel = trialMemory(kernelConfig, NAMES);
    assert.deepEqual(kernel.parts.map((p) => p.name), ['runtime', 'word list', 'context windows', 'tensors', 'weights', 'kernel']);
    assert.equal(kernel.parts.at(-1)!.bytes, kernelBytes(engineShape(kernelShapeOf(kernelConfig, NAMES), 500)));
    assert.ok(kernel.parts.at(-1)!.bytes > 4096 * 200 * 4, 'at least a step of hidden activations');
    assert.ok(kernel.heap < tfjs.heap, `${kernel.heap} < ${tfjs.heap}`);
  });

  it("puts the lecture's net at about 200 MB (a worker measured 206–208 MB)", () => {
    const b = bytes(config((c) => (c.train.batch_size = 32)));
    assert.ok(b > 180e6 && b < 240e6, `${b}`);
  });

  it('grows about linearly with the batch once the batch dominates, and a full batch is the training split', () => {
    const at = (B: number) => bytes(config((c) => (c.train.batch_size = B)));
    const growth = (at(400_000) - at(200_000)) / (at(200_000) - at(100_000));
    assert.ok(Math.abs(growth - 2) < 0.05, `${growth}`);
    const full = bytes(config((c) => (c.train.batch_size = 'full')));
    assert.ok(Math.abs(full - at(60_000 * 0.8)) / full < 0.01, 'full: 80 % of the examples');
  });

  it('counts a word file by its size, and a slice by the words it keeps', () => {
    const file = { ...NAMES, bytes: 100e6 };
    assert.ok(bytes(base, file) - bytes(base, NAMES) >= 500e6);
    const sliced = config((c) => {
      c.train.batch_size = 'full';
      c.data.slice = { first: 84 };
    });
    assert.ok(bytes(sliced) < bytes(config((c) => (c.train.batch_size = 'full'))) / 2);
  });

  it('keeps an evaluation of a wide net within its batches (EVAL_FLOATS), not the whole split', () => {
    const wide = trialMemory(config((c) => (c.model.hidden = 20_000)), NAMES);
    assert.ok(wide.heap < 400e6, `${wide.heap}`);
  });
});
