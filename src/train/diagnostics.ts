// Inside the net at one step, as the makemore lectures look at it (part 3, "Activations & Gradients"): the tanh
// layer's statistics and histogram, the units dead on the whole batch, and per parameter the gradient's and the
// data's spread, grad:data and update:data. Computed by TensorFlow.js from the current weights, on the step's
// minibatch before its update: backward() of step.ts without the update, then reduced on the host in float64.
import * as tf from '@tensorflow/tfjs-core';
import type { LossMode } from '../config/schema.js';
import type { DiagnosticsRow } from '../types.js';
import { paramStats, tanhStats } from './diagnostic-stats.js';
import type { Params } from './model.js';
import { PARAM_NAMES } from './shapes.js';
import { backward, type Batch } from './step.js';

/** The diagnostics of step `step` at rate `lr`, on its minibatch, from the weights before its update. */
export function diagnose(p: Params, batch: Batch, lr: number, mode: LossMode, step: number): DiagnosticsRow {
  const { h, grads } = tf.tidy(() => {
    const { grads, h } = backward(p, batch, 1, mode); // ∂loss/∂p itself: scale 1
    return { h, grads };
  });
  try {
    const [B, H] = h.shape;
    const params = Object.fromEntries(
      PARAM_NAMES.map((name) => [name, paramStats(p[name].dataSync() as Float32Array, grads[name]!.dataSync() as Float32Array, lr)]),
    ) as DiagnosticsRow['params'];
    return { step, lr, tanh: tanhStats(h.dataSync() as Float32Array, B, H), params };
  } finally {
    tf.dispose([h, ...Object.values(grads)]);
  }
}
