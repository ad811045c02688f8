import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs'; // the whole bundle: its registered gradients make tf.grad the oracle
import type { LossMode } from '../../src/config/schema.js';
import { initBackend } from '../../src/train/backend.js';
import { meanLoss } from '../../src/train/loss.js';
import { disposeParams, initParams, type Params } from '../../src/train/model.js';
import { PARAM_NAMES } from '../../src/train/shapes.js';
import { sgdStep } from '../../src/train/step.js';

const MODEL = { block_size: 3, embed_dim: 4, hidden: 8 };
const V = 7;
const B = 6;
const LR = 0.05;
// Repeated characters (0 and 3 occur several times) exercise the accumulation of dC.
const X = [0, 0, 3, 0, 3, 5, 3, 5, 6, 1, 2, 3, 0, 0, 0, 4, 4, 4];
const Y = [3, 5, 6, 0, 0, 1];

const snapshot = (p: Params) => Object.fromEntries(PARAM_NAMES.map((n) => [n, Array.from(p[n].dataSync())]));

/** p − lr·∂loss/∂p by tf autodiff of the lecture's forward (C[X] by gather), on the CPU backend. */
function autodiffStep(seed: number, mode: LossMode): Record<string, number[]> {
  const p = initParams(seed, V, MODEL);
  const Xt = tf.tensor2d(X, [B, MODEL.block_size], 'int32');
  const Yt = tf.tensor1d(Y, 'int32');
  const lossOf = (C: tf.Tensor, W1: tf.Tensor, b1: tf.Tensor, W2: tf.Tensor, b2: tf.Tensor) => {
    const emb = tf.reshape(tf.gather(C, Xt), [B, MODEL.block_size * MODEL.embed_dim]);
    const h = tf.tanh(tf.add(tf.matMul(emb, W1), b1));
    return meanLoss(mode, tf.add(tf.matMul(h, W2), b2) as tf.Tensor2D, Yt);
  };
  const grads = tf.grads(lossOf as (...xs: tf.Tensor[]) => tf.Tensor)(PARAM_NAMES.map((n) => p[n]));
  const result = Object.fromEntries(PARAM_NAMES.map((n, i) => [n, Array.from(tf.sub(p[n], tf.mul(grads[i]!, LR)).dataSync())]));
  disposeParams(p);
  tf.dispose([Xt, Yt, ...grads]);
  return result;
}

/** The same step by sgdStep, the engine's hand-written backward. */
function handStep(seed: number, mode: LossMode): { params: Record<string, number[]>; loss: number | null; logits: number[] | null } {
  const p = initParams(seed, V, MODEL);
  const batch = { X: tf.tensor2d(X, [B * MODEL.block_size, 1], 'int32'), Y: tf.tensor1d(Y, 'int32') };
  const out = sgdStep(p, batch, LR, mode);
  const result = {
    params: snapshot(p),
    loss: out.loss ? (out.loss.arraySync() as number) : null,
    logits: out.logits ? Array.from(out.logits.dataSync()) : null,
  };
  tf.dispose([batch.X, batch.Y, out.loss ?? out.logits!]);
  disposeParams(p);
  return result;
}

const cases = [
  { backend: 'cpu', mode: 'fused' },
  { backend: 'cpu', mode: 'manual' },
  { backend: 'wasm', mode: 'fused' },
  { backend: 'wasm', mode: 'manual' },
] as const;

test('one hand-written SGD step moves every parameter exactly as autodiff of the lecture’s forward does', async (t) => {
  for (const { backend, mode } of cases) {
    await t.test(`${mode} loss on ${backend}`, async () => {
      await initBackend('cpu');
      const want = autodiffStep(11, mode);
      await initBackend(backend);
      const got = handStep(11, mode).params;
      for (const name of PARAM_NAMES) {
        got[name]!.forEach((v, i) => assert.ok(Math.abs(v - want[name]![i]!) < 2e-5, `${name}[${i}]: ${v} vs autodiff ${want[name]![i]}`));
      }
    });
  }
});

test('a fused step leaves its logits for the loss, a manual step its loss', async () => {
  await initBackend('wasm');
  const fused = handStep(2, 'fused');
  assert.equal(fused.loss, null);
  assert.equal(fused.logits!.length, B * V);
  const manual = handStep(2, 'manual');
  assert.equal(manual.logits, null);
  assert.ok(Number.isFinite(manual.loss!) && manual.loss! > 0);
});

test('a step leaves no tensor behind but what it returns', async () => {
  await initBackend('wasm');
  const p = initParams(1, V, MODEL);
  const batch = { X: tf.tensor2d(X, [B * MODEL.block_size, 1], 'int32'), Y: tf.tensor1d(Y, 'int32') };
  const before = tf.memory().numTensors;
  for (const mode of ['fused', 'manual'] as const) {
    const out = sgdStep(p, batch, LR, mode);
    assert.equal(tf.memory().numTensors, before + 1);
    (out.loss ?? out.logits)!.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([batch.X, batch.Y]);
  disposeParams(p);
});
