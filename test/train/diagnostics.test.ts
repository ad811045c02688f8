// diagnose() at step 0 of the lecture's run against PyTorch's own h.std(), (h.abs() > 0.97).mean(), torch.histc,
// p.grad.std() … (init-reference.ts, from bench/reference/init_torch.py). The weights and the minibatch are the same bits (rng: torch); the arithmetic is
// not (tfjs's kernels, run-exp's hand-written backward), so values agree to float32 rounding, not to the bit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/train/backend.js';
import { buildDataset, loadWords } from '../../src/train/data.js';
import { diagnose } from '../../src/train/diagnostics.js';
import { trialDraws } from '../../src/train/draws.js';
import { disposeParams, initParams } from '../../src/train/model.js';
import { PARAM_NAMES } from '../../src/train/shapes.js';
import type { Model } from '../../src/config/schema.js';
import type { ResolvedData } from '../../src/types.js';
import { STEP0 } from './init-reference.js';

describe("diagnose() at step 0 of the lecture's run, against PyTorch", () => {
  const data: ResolvedData = { builtin: 'makemore', split: { train: 0.8, dev: 0.1, test: 0.1 }, shuffle_seed: 42 };
  const inits: Record<keyof typeof STEP0, Model['init']> = { part2: {}, kaiming: { W1: 'kaiming', b1: 0.01, W2: 0.01, b2: 0 } };
  const close = (found: number | null, expected: number | null, rel: number, what: string) => {
    if (expected === null) return assert.equal(found, null, what);
    assert.ok(found !== null && Math.abs(found - expected) <= rel * Math.abs(expected), `${what}: ${found}, PyTorch ${expected}`);
  };

  for (const backend of ['wasm', 'cpu'] as const) {
    for (const label of ['part2', 'kaiming'] as const) {
      it(`matches h.mean/std, saturation, histc, dead units and every parameter's ratios: ${label} init, ${backend}`, async () => {
        await initBackend(backend);
        const model: Model = { block_size: 3, embed_dim: 10, hidden: 200, init: inits[label] };
        const dataset = buildDataset(await loadWords(data), data, 3, 'torch');
        const draws = trialDraws(2147483647, 'torch');
        const params = initParams(draws.init, dataset.vocab.length, model);
        const rows = draws.batch.fillInt(new Int32Array(32), dataset.train.n);
        const ref = STEP0[label];
        assert.deepEqual([...rows], ref.batch); // the same minibatch as the lecture's torch.randint
        const X = new Int32Array(32 * 3);
        rows.forEach((row, b) => X.set(dataset.train.X.subarray(row * 3, row * 3 + 3), b * 3));
        const batch = { X: tf.tensor2d(X, [96, 1], 'int32'), Y: tf.tensor1d(rows.map((row) => dataset.train.Y[row]!), 'int32') };
        const before = tf.memory().numTensors;
        const d = diagnose(params, batch, 0.1, 'fused', 0);
        assert.equal(tf.memory().numTensors, before, 'diagnose leaves no tensor behind');
        tf.dispose([batch.X, batch.Y]);
        disposeParams(params);

        assert.deepEqual([d.step, d.lr], [0, 0.1]);
        close(d.tanh.mean, ref.tanh.mean, 1e-4, 'h.mean');
        close(d.tanh.std, ref.tanh.std, 1e-5, 'h.std');
        assert.ok(Math.abs(d.tanh.saturated - ref.tanh.saturated) <= 2 / 6400, `saturated ${d.tanh.saturated}, PyTorch ${ref.tanh.saturated}`);
        assert.equal(d.tanh.dead, ref.tanh.dead);
        // tanh differs in the last bits (2σ(2x) − 1 on WASM): a value on a bin's edge may fall on its other side.
        const moved = d.tanh.hist.reduce((n, c, i) => n + Math.abs(c - ref.tanh.hist[i]!), 0);
        assert.ok(moved <= 4, `histogram: ${moved} counts moved from PyTorch's ${JSON.stringify(ref.tanh.hist)}: ${JSON.stringify(d.tanh.hist)}`);
        for (const name of PARAM_NAMES) {
          const [found, expected] = [d.params[name], ref.params[name]];
          close(found.grad_std, expected.grad_std, 1e-4, `${name} grad std`);
          close(found.data_std, expected.data_std, 1e-6, `${name} data std`);
          close(found.grad_data, expected.grad_data, 1e-4, `${name} grad:data`);
          close(found.update_data, expected.update_data, 1e-4, `${name} update:data`);
        }
      });
    }
  }
});
