// Full-split losses, without gradients: the forward pass over every example, in chunks to bound memory.
import * as tf from '@tensorflow/tfjs-core';
import type { LossMode } from '../config/schema.js';
import type { Split } from './data.js';
import { lossRows } from './loss.js';
import { logitsOf, type Params } from './model.js';

// Examples per forward pass: (16384, H) activations are 13 MB at H = 200, and the chunk overhead is negligible.
const CHUNK = 16_384;

/** The mean loss over a whole split (NaN for an empty split), summed in float64 over chunks of examples. */
export function evaluateSplit(p: Params, split: Split, mode: LossMode, chunk = CHUNK): number {
  if (split.n === 0) return NaN;
  const T = split.X.length / split.n;
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
