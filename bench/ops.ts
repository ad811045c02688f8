// Kernels per training step, counted with tf.profile on one step of the lecture's shapes, and what a kernel costs
// beyond its arithmetic (the per-op overhead that dominates at batch 32).
//
// usage: node dist/bench/ops.js [--backend wasm] [--loss fused|manual]
//   prints each kernel of one step, the CPU time of one step, a matMul with a transposed operand flagged against
//   an explicit transpose, and the overhead of one tiny kernel through the engine (tf.add) against calling the
//   same backend kernel directly.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { LossMode } from '../src/config/schema.js';
import { initBackend } from '../src/train/backend.js';
import { disposeParams, initParams, type Params } from '../src/train/model.js';
import { sgdStep } from '../src/train/step.js';
import type { BackendName } from '../src/types.js';

const [T, B, V] = [3, 32, 27]; // the lecture's context, batch and vocabulary sizes

/** The lecture's parameters (V 27, T 3, E 10, H 200) and a fixed minibatch of 32 on the device. */
function lectureBatch(): { params: Params; X: tf.Tensor2D; Y: tf.Tensor1D } {
  const params = initParams(1, V, { block_size: T, embed_dim: 10, hidden: 200 });
  const X = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => (i * 7) % V), [B * T, 1], 'int32');
  const Y = tf.tensor1d(Int32Array.from({ length: B }, (_, i) => (i * 5) % V), 'int32');
  return { params, X, Y };
}

/** The kernels one SGD step runs at the lecture's shapes (V 27, T 3, E 10, H 200, B 32), on the current backend. */
export async function countStepOps(loss: LossMode = 'fused'): Promise<{ total: number; kernels: string[] }> {
  const { params, X, Y } = lectureBatch();
  const info = await tf.profile(() => {
    const out = sgdStep(params, { X, Y }, 0.1, loss);
    (out.logits ?? out.loss)!.dispose();
  });
  X.dispose();
  Y.dispose();
  disposeParams(params);
  // tf.profile also lists the op-level records of ops with a custom gradient ("fusedMatMul__op"): not kernels.
  const kernels = info.kernels.map((k) => k.name).filter((name) => !name.endsWith('__op'));
  return { total: kernels.length, kernels };
}

/** Microseconds of CPU per call of f: the least over 5 rounds of n calls, after a warm-up. */
export function cpuMicros(n: number, f: () => void): number {
  for (let i = 0; i < Math.min(n, 200); i++) f();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) f();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / n);
  }
  return best;
}

/** CPU µs of one lecture-shaped SGD step, and of a tiny Add through the engine and straight to the backend's kernel. */
export function stepAndOpCost(loss: LossMode = 'fused'): { step: number; engineOp: number; rawKernel: number } {
  const { params, X, Y } = lectureBatch();
  const step = cpuMicros(500, () => {
    const out = sgdStep(params, { X, Y }, 1e-4, loss);
    (out.logits ?? out.loss)!.dispose();
  });
  const a = tf.ones([B, V]);
  const b = tf.ones([B, V]);
  const engineOp = cpuMicros(5000, () => tf.add(a, b).dispose());
  const backend = tf.backend();
  const add = tf.getKernel('Add', tf.getBackend())!;
  const rawKernel = cpuMicros(5000, () => {
    const out = add.kernelFunc({ inputs: { a, b }, backend, attrs: {} }) as tf.TensorInfo;
    backend.disposeData(out.dataId);
  });
  tf.dispose([X, Y, a, b]);
  disposeParams(params);
  return { step, engineOp, rawKernel };
}

/** CPU µs of dW2 = h.T @ dlogits at (32, 200) and (32, 27): with the transposeA flag, and with an explicit transpose. */
export function transposeCost(): { flagged: number; explicit: number } {
  const h = tf.randomNormal([32, 200]) as tf.Tensor2D;
  const d = tf.randomNormal([32, 27]) as tf.Tensor2D;
  const flagged = cpuMicros(500, () => tf.matMul(h, d, true, false).dispose());
  const explicit = cpuMicros(500, () => tf.tidy(() => void tf.matMul(tf.transpose(h), d)));
  tf.dispose([h, d]);
  return { flagged, explicit };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { backend: { type: 'string', default: 'auto' }, loss: { type: 'string', default: 'fused' } } });
  const backend = await initBackend(values.backend as BackendName);
  const { total, kernels } = await countStepOps(values.loss as LossMode);
  console.log(`${backend.name}: ${total} kernels per ${values.loss} step`);
  const counts = new Map<string, number>();
  for (const k of kernels) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(2)} × ${k}`);
  const cost = stepAndOpCost(values.loss as LossMode);
  console.log(`one step: ${cost.step.toFixed(0)} µs of CPU`);
  const tr = transposeCost();
  console.log(`h.T @ dlogits: ${tr.flagged.toFixed(0)} µs with transposeA, ${tr.explicit.toFixed(0)} µs with an explicit transpose`);
  console.log(`a tiny Add (32×27): ${cost.engineOp.toFixed(1)} µs through the engine, ${cost.rawKernel.toFixed(1)} µs calling the kernel directly`);
}
