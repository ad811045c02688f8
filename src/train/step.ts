// One SGD step of the lecture's MLP: forward → loss gradient → backward → update, by hand.
//
// Why by hand and not with tf autodiff: the WASM backend lacks the kernel of gather's gradient (UnsortedSegmentSum),
// and the tape costs per-op overhead that dominates at batch 32. So each gradient is written out once, fused where
// the maths allows (softmax − one_hot instead of backpropagating through exp, sum, div, log and mean).
//
// Shapes: B examples, T = block_size, E = embed_dim, H = hidden, V = vocabulary size.
import * as tf from '@tensorflow/tfjs-core';
import type { LossMode } from '../config/schema.js';
import { fusedGradTimesB, manualLossAndGradTimesB } from './loss.js';
import { forward, type Params } from './model.js';
import { PARAM_NAMES, type ParamName } from './shapes.js';

/** A minibatch on the device: contexts as a column (B·T, 1) and targets (B,), both int32. */
export interface Batch {
  X: tf.Tensor2D;
  Y: tf.Tensor1D;
}

/** What a step leaves for reading its loss later: the logits (fused) or the loss itself (manual). */
export type StepOut = { logits: tf.Tensor2D; loss?: undefined } | { loss: tf.Scalar; logits?: undefined };

/** lr · ∂loss/∂p for every parameter (or ∂loss/∂p itself, scale 1), shaped as the parameter. */
export type Gradients = Record<ParamName, tf.Tensor>;

/**
 * One step of SGD, p −= lr · ∂loss/∂p for every parameter, in place of the variables; returns the tensor the
 * step's loss is read from (the caller disposes it). The fused loss does not feed the gradient, so it is not
 * computed here: the caller computes it later from the logits, for many steps at once.
 */
export function sgdStep(p: Params, batch: Batch, lr: number, mode: LossMode): StepOut {
  return tf.tidy(() => {
    const { grads, out } = backward(p, batch, lr, mode);
    // Update: p −= lr·grad (the old values are freed by assign).
    for (const name of PARAM_NAMES) (p[name] as tf.Variable).assign(tf.sub(p[name], grads[name]));
    return out;
  });
}

/**
 * The forward and backward pass of one step, without its update: `scale` · ∂loss/∂p for every parameter (scale = lr
 * is the update itself; scale = 1 the gradient, for diagnostics), the hidden activations h, and what the step leaves
 * for its loss. The caller disposes them (or runs this inside tf.tidy).
 */
export function backward(p: Params, batch: Batch, scale: number, mode: LossMode): { grads: Gradients; h: tf.Tensor2D; out: StepOut } {
  const { X, Y } = batch;
  const B = Y.shape[0];
  const [V, E] = p.C.shape;

  // Forward: emb = C[X].view(B, T·E); h = tanh(emb @ W1 + b1); logits = h @ W2 + b2.
  const { emb, h, logits } = forward(p, X);

  // Loss gradient. Both losses give B·∂loss/∂logits; multiplying by scale/B once here makes every gradient
  // below already scale·grad, so the update is a plain subtraction.
  const { gradTimesB, out } = lossGradient(mode, logits, Y); // (B, V)
  const dlogits = tf.mul(gradTimesB, scale / B); // (B, V)    scale · ∂loss/∂logits

  // Backward, layer by layer. Transposes are explicit: the WASM backend runs a matMul on XNNPACK only when
  // neither operand is flagged transposed, and falls back to a naive loop otherwise (bench/ops.ts measures it).
  const W2 = tf.matMul(tf.transpose(h), dlogits); // (H, V)       h.T @ dlogits
  const b2 = tf.sum(dlogits, 0); // (V,)                          dlogits.sum(0)
  const dh = tf.matMul(dlogits, tf.transpose(p.W2)); // (B, H)    dlogits @ W2.T
  const dpre = tf.mul(dh, tf.sub(1, tf.square(h))); // (B, H)     tanh' = 1 − h²
  const W1 = tf.matMul(tf.transpose(emb), dpre); // (T·E, H)      emb.T @ dpre
  const b1 = tf.sum(dpre, 0); // (H,)                             dpre.sum(0)
  const demb = tf.matMul(dpre, tf.transpose(p.W1)); // (B, T·E)   dpre @ W1.T
  // dC[X[i]] += demb row i, for each of the B·T characters (repeated characters accumulate).
  const C = tf.scatterND(X, tf.reshape(demb, [X.shape[0], E]), [V, E]); // (V, E)
  return { grads: { C, W1, b1, W2, b2 }, h, out };
}

/** B·∂loss/∂logits (B, V) of either loss, and what the step leaves for reading its loss. */
function lossGradient(mode: LossMode, logits: tf.Tensor2D, Y: tf.Tensor1D): { gradTimesB: tf.Tensor2D; out: StepOut } {
  switch (mode) {
    case 'fused':
      return { gradTimesB: fusedGradTimesB(logits, Y), out: { logits } }; // softmax(logits) − one_hot(Y)
    case 'manual': {
      const { loss, grad } = manualLossAndGradTimesB(logits, Y); // through exp, sum, div, pick, log, mean
      return { gradTimesB: grad, out: { loss } };
    }
    default:
      throw new Error(`loss: expected fused or manual, found ${JSON.stringify(mode satisfies never)}: not recognised`);
  }
}
