import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/train/backend.js';
import { disposeParams, forward, initParams, tanh, toWeights } from '../../src/train/model.js';

const LECTURE = { block_size: 3, embed_dim: 10, hidden: 200 };

test('the same seed gives the same initial weights on every backend, and another seed other weights', async () => {
  const weightsOn = async (backend: 'wasm' | 'cpu', seed: number) => {
    await initBackend(backend);
    const p = initParams(seed, 27, LECTURE);
    const w = toWeights(p);
    disposeParams(p);
    return w;
  };
  const wasm = await weightsOn('wasm', 7);
  const cpu = await weightsOn('cpu', 7);
  assert.deepEqual(wasm, cpu);
  assert.deepEqual(wasm.map((w) => w.name), ['C', 'W1', 'b1', 'W2', 'b2']);
  assert.equal(wasm.reduce((n, w) => n + w.values.length, 0), 11897);
  const other = await weightsOn('cpu', 8);
  assert.notDeepEqual(other[0]!.values, wasm[0]!.values);
});

test('initial weights are plain N(0, 1) draws, as torch.randn (mean ≈ 0, standard deviation ≈ 1)', async () => {
  await initBackend('cpu');
  const p = initParams(1, 27, LECTURE);
  const values = toWeights(p).flatMap((w) => w.values);
  disposeParams(p);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`); // 5 standard errors of 11,897 draws
  assert.ok(Math.abs(sd - 1) < 0.03, `sd ${sd}`);
});

test('tanh on WASM (through sigmoid) matches tf.tanh', async () => {
  await initBackend('wasm');
  const x = tf.linspace(-12, 12, 2001);
  const got = tanh(x).dataSync();
  const want = x.dataSync().map(Math.tanh);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-6, `tanh(${x.dataSync()[i]}) = ${g}, want ${want[i]}`));
  x.dispose();
});

test('the forward pass gives (B, V) logits, the same on WASM and on the CPU backend', async () => {
  const logitsOn = async (backend: 'wasm' | 'cpu') => {
    await initBackend(backend);
    const p = initParams(3, 5, { block_size: 2, embed_dim: 3, hidden: 4 });
    const X = tf.tensor2d([0, 1, 2, 3, 4, 4], [6, 1], 'int32'); // 3 examples × 2 characters
    const out = forward(p, X);
    const result = { shape: out.logits.shape, values: Array.from(out.logits.dataSync()), emb: out.emb.shape, h: out.h.shape };
    tf.dispose([X, out.emb, out.h, out.logits]);
    disposeParams(p);
    return result;
  };
  const wasm = await logitsOn('wasm');
  const cpu = await logitsOn('cpu');
  assert.deepEqual([wasm.shape, wasm.emb, wasm.h], [[3, 5], [3, 6], [3, 4]]);
  wasm.values.forEach((v, i) => assert.ok(Math.abs(v - cpu.values[i]!) < 1e-4, `logit ${i}: wasm ${v}, cpu ${cpu.values[i]}`));
});
