import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs'; // the whole bundle: its registered gradients make tf.grad the oracle
import { initBackend } from '../../src/train/backend.js';
import { fusedGradTimesB, fusedLossRows, manualLossAndGradTimesB, manualLossRows, meanLoss } from '../../src/train/loss.js';
import { Rng } from '../../src/rng/streams.js';

/** Logits of the given scale, and targets, from a seeded stream. */
function batch(seed: number, B: number, V: number, scale: number) {
  const rng = new Rng(seed);
  const logits = tf.tensor2d(rng.fillNormal(new Float32Array(B * V), scale), [B, V]);
  const Y = tf.tensor1d(rng.fillInt(new Int32Array(B), V), 'int32');
  return { logits, Y };
}

/** −log softmax(z)[y], averaged, in float64 on the host: the reference. */
function reference(logits: tf.Tensor2D, Y: tf.Tensor1D): number {
  const [B, V] = logits.shape;
  const z = logits.dataSync();
  const y = Y.dataSync();
  let total = 0;
  for (let b = 0; b < B; b++) {
    const row = Array.from(z.subarray(b * V, (b + 1) * V));
    const m = Math.max(...row);
    total += m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[y[b]!]!;
  }
  return total / B;
}

const moderate = [
  { seed: 1, B: 32, V: 27, scale: 1 },
  { seed: 2, B: 5, V: 3, scale: 3 },
  { seed: 3, B: 64, V: 27, scale: 5 },
];

for (const backend of ['wasm', 'cpu'] as const) {
  test(`on moderate logits the manual and fused losses agree to 1e-5, and with float64 (${backend})`, async (t) => {
    await initBackend(backend);
    for (const c of moderate) {
      await t.test(`B ${c.B}, V ${c.V}, scale ${c.scale}`, () => {
        const { logits, Y } = batch(c.seed, c.B, c.V, c.scale);
        const fused = meanLoss('fused', logits, Y).arraySync() as number;
        const manual = meanLoss('manual', logits, Y).arraySync() as number;
        assert.ok(Math.abs(fused - manual) < 1e-5, `fused ${fused}, manual ${manual}`);
        assert.ok(Math.abs(fused - reference(logits, Y)) < 1e-5, `fused ${fused}, float64 ${reference(logits, Y)}`);
        tf.dispose([logits, Y]);
      });
    }
  });

  test(`on moderate logits both gradients equal softmax − one_hot, and the manual one equals autodiff of its chain (${backend})`, async () => {
    await initBackend(backend);
    const { logits, Y } = batch(4, 16, 27, 2);
    const fused = fusedGradTimesB(logits, Y).arraySync();
    const { grad } = manualLossAndGradTimesB(logits, Y);
    const manual = grad.arraySync();
    // tf.grad of the chain itself (on the CPU backend, which has every gradient kernel), × B.
    await initBackend('cpu');
    const chain = (z: tf.Tensor2D) => tf.neg(tf.mean(tf.log(tf.sum(tf.mul(tf.div(tf.exp(z), tf.sum(tf.exp(z), 1, true)), tf.oneHot(Y, 27).toFloat()), 1))));
    const auto = tf.mul(tf.grad(chain as (z: tf.Tensor) => tf.Tensor)(logits), 16).arraySync() as number[][];
    const probs = tf.softmax(logits).arraySync();
    const y = Y.arraySync();
    for (let b = 0; b < 16; b++) {
      for (let v = 0; v < 27; v++) {
        const want = probs[b]![v]! - (y[b] === v ? 1 : 0);
        assert.ok(Math.abs(fused[b]![v]! - want) < 1e-5, `fused [${b}, ${v}]`);
        assert.ok(Math.abs(manual[b]![v]! - want) < 1e-5, `manual [${b}, ${v}]`);
        assert.ok(Math.abs(manual[b]![v]! - auto[b]![v]!) < 1e-5, `manual vs autodiff [${b}, ${v}]`);
      }
    }
    tf.dispose([logits, Y, grad]);
  });

  test(`with logits around 100 the manual loss turns Inf/NaN and the fused loss stays finite (${backend})`, async () => {
    await initBackend(backend);
    const { logits, Y } = batch(5, 8, 27, 100);
    const manual = meanLoss('manual', logits, Y).arraySync() as number;
    const fused = meanLoss('fused', logits, Y).arraySync() as number;
    assert.ok(!Number.isFinite(manual), `manual ${manual}`);
    assert.ok(Number.isFinite(fused), `fused ${fused}`);
    assert.ok(Math.abs(fused - reference(logits, Y)) < 1e-3 * reference(logits, Y), `fused ${fused} vs float64 ${reference(logits, Y)}`);
    const { loss, grad } = manualLossAndGradTimesB(logits, Y);
    assert.ok(!Number.isFinite(loss.arraySync() as number));
    assert.ok(grad.dataSync().some(Number.isNaN), 'the manual gradient carries the NaN on, as autograd does');
    assert.ok(fusedGradTimesB(logits, Y).dataSync().every(Number.isFinite));
    assert.ok(manualLossRows(logits, Y).dataSync().some((v) => !Number.isFinite(v)));
    assert.ok(fusedLossRows(logits, Y).dataSync().every(Number.isFinite));
    tf.dispose([logits, Y, loss, grad]);
  });
}
