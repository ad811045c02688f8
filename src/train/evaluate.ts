// Full-split losses, without gradients: the forward pass over every example, in chunks to bound memory.
import * as tf from '@tensorflow/tfjs-core';
import type { LossMode } from '../config/schema.js';
import { evalRows } from './chunks.js';
import type { Split } from './data.js';
import { lossRows } from './loss.js';
import { logitsOf, type Params } from './model.js';

/**
 * The mean loss over a whole split (NaN for an empty split), summed in float64 over chunks of examples: EVAL_ROWS at a
 * time, fewer for a net so wide that they would hold more than EVAL_FLOATS (chunks.ts).
 */
export function evaluateSplit(p: Params, split: Split, mode: LossMode, chunk?: number): number {
  if (split.n === 0) return NaN;
  const T = split.X.length / split.n;
  const [V, E] = p.C.shape;
  chunk ??= evalRows(p.W1.shape[1], V, T, E);
  let total = 0;
  for (let start = 0; start < split.n; start += chunk) {
    const end = Math.min(split.n, start + chunk);
    const sum = tf.tidy(() => {
      const X = tf.tensor2d(split.X.subarray(start * T, end * T), [(end - start) * T, 1], 'int32'); // (n·T, 1)
      const Y = tf.tensor1d(split.Y.subarray(start, end), 'int32'); // (n,)
      return tf.sum(lossRows(mode, logitsOf(p, X), Y));
    });
    total += sum.dataSync()[0]!;
    sum.dispose();
  }
  return total / split.n;
}
