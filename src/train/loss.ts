// The two losses of the lecture, with their gradients with respect to the logits.
//   manual: counts = exp(logits); prob = counts / counts.sum(1); loss = −prob[range(B), Y].log().mean()
//           (overflows to Inf/NaN for large logits, exactly as it does in PyTorch);
//   fused:  F.cross_entropy(logits, Y), one numerically stable expression (log-softmax) whose gradient is
//           simply (softmax(logits) − one_hot(Y)) / B, instead of a chain of ops and their backward passes.
import * as tf from '@tensorflow/tfjs-core';
import type { LossMode } from '../config/schema.js';

/**
 * One-hot rows of the targets: (B,) int32 → (B, V) float32. (The WASM OneHot kernel writes int32 whatever dtype
 * is asked for, so the float32 rows come from a cast.)
 */
export function oneHotOf(Y: tf.Tensor1D, V: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(Y, V), 'float32') as tf.Tensor2D);
}

/** Per-example loss, fused: −log_softmax(logits)[y], finite for any finite logits. (B, V), (B,) → (B,) */
export function fusedLossRows(logits: tf.Tensor2D, Y: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHotOf(Y, logits.shape[1])), 1)) as tf.Tensor1D);
}

/** B × the gradient of the fused mean loss: softmax(logits) − one_hot(Y). (B, V) */
export function fusedGradTimesB(logits: tf.Tensor2D, Y: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => tf.sub(tf.softmax(logits), oneHotOf(Y, logits.shape[1])));
}

/** The lecture's chain, forward, keeping what its backward needs. */
interface ManualForward {
  counts: tf.Tensor2D; // (B, V) exp(logits): overflows to Inf past logits ≈ 88
  sum: tf.Tensor2D; // (B, 1) counts.sum(1, keepdims=True)
  picked: tf.Tensor1D; // (B,) prob[range(B), Y]
  logp: tf.Tensor1D; // (B,) picked.log()
}

function manualForward(logits: tf.Tensor2D, Y: tf.Tensor1D): ManualForward {
  const counts = tf.exp(logits); // (B, V)
  const sum = tf.sum(counts, 1, true) as tf.Tensor2D; // (B, 1)
  const prob = tf.div(counts, sum) as tf.Tensor2D; // (B, V)
  // (B,) prob[range(B), Y], as Σ_row prob · one_hot(Y): the WASM backend's gather with batchDims reads out of bounds.
  const picked = tf.sum(tf.mul(prob, oneHotOf(Y, logits.shape[1])), 1) as tf.Tensor1D;
  const logp = tf.log(picked); // (B,)
  return { counts, sum, picked, logp };
}

/** Per-example loss, manual: −log(exp(logits)[y] / Σ exp(logits)), Inf/NaN once exp overflows. (B,) */
export function manualLossRows(logits: tf.Tensor2D, Y: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(manualForward(logits, Y).logp));
}

/**
 * The manual loss (a scalar) and B × its gradient with respect to the logits, by the chain rule through every op
 * of the forward, as PyTorch's autograd computes it (so an overflow turns the gradient to NaN, as there):
 *   loss = −mean(logp)          dlogp   = −1/B            (× B: −1)
 *   logp = log(picked)          dpicked = dlogp / picked
 *   picked = prob[range(B), Y]  dprob   = one_hot(Y) · dpicked
 *   prob = counts / sum         dcounts = dprob / sum,  dsum = −Σ_row(dprob · counts / sum²)
 *   sum = Σ_row counts          dcounts += dsum (broadcast over the row)
 *   counts = exp(logits)        dlogits = dcounts · counts
 */
export function manualLossAndGradTimesB(logits: tf.Tensor2D, Y: tf.Tensor1D): { loss: tf.Scalar; grad: tf.Tensor2D } {
  return tf.tidy(() => {
    const { counts, sum, picked, logp } = manualForward(logits, Y);
    const loss = tf.neg(tf.mean(logp)) as tf.Scalar;
    const dpicked = tf.div(-1, picked); // (B,) dlogp · B = −1
    const dprob = tf.mul(oneHotOf(Y, logits.shape[1]), tf.expandDims(dpicked, 1)); // (B, V)
    const dsum = tf.neg(tf.sum(tf.div(tf.mul(dprob, counts), tf.square(sum)), 1, true)); // (B, 1)
    const dcounts = tf.add(tf.div(dprob, sum), dsum); // (B, V)
    const grad = tf.mul(dcounts, counts) as tf.Tensor2D; // (B, V)
    return { loss, grad };
  });
}

/** Per-example losses of either mode (evaluation sums them over a split). (B,) */
export function lossRows(mode: LossMode, logits: tf.Tensor2D, Y: tf.Tensor1D): tf.Tensor1D {
  switch (mode) {
    case 'fused':
      return fusedLossRows(logits, Y);
    case 'manual':
      return manualLossRows(logits, Y);
    default:
      throw new Error(`loss: expected fused or manual, found ${JSON.stringify(mode satisfies never)}: not recognised`);
  }
}

/** The mean loss of either mode, a scalar. */
export function meanLoss(mode: LossMode, logits: tf.Tensor2D, Y: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(lossRows(mode, logits, Y)) as tf.Scalar);
}
