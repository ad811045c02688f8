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

/** A minibatch on the device: contexts as a column (B·T, 1) and targets (B,), both int32. */
export interface Batch {
  X: tf.Tensor2D;
  Y: tf.Tensor1D;
}

/** What a step leaves for reading its loss later: the logits (fused) or the loss itself (manual). */
export type StepOut = { logits: tf.Tensor2D; loss?: undefined } | { loss: tf.Scalar; logits?: undefined };

/**
 * One step of SGD, p −= lr · ∂loss/∂p for every parameter, in place of the variables; returns the tensor the
 * step's loss is read from (the caller disposes it). The fused loss does not feed the gradient, so it is not
 * computed here: the caller computes it later from the logits, for many steps at once.
 */
export function sgdStep(p: Params, batch: Batch, lr: number, mode: LossMode): StepOut {
  return tf.tidy(() => {
    const { X, Y } = batch;
    const B = Y.shape[0];
    const [V, E] = p.C.shape;

    // Forward: emb = C[X].view(B, T·E); h = tanh(emb @ W1 + b1); logits = h @ W2 + b2.
    const { emb, h, logits } = forward(p, X);

    // Loss gradient. Both losses give B·∂loss/∂logits; multiplying by lr/B once here makes every gradient
    // below already lr·grad, so the update is a plain subtraction.
    const { gradTimesB, out } = lossGradient(mode, logits, Y); // (B, V)
    const dlogits = tf.mul(gradTimesB, lr / B); // (B, V)    lr · ∂loss/∂logits

    // Backward, layer by layer. Transposes are explicit: the WASM backend runs a matMul on XNNPACK only when
    // neither operand is flagged transposed, and falls back to a naive loop otherwise (bench/ops.ts measures it).
    const dW2 = tf.matMul(tf.transpose(h), dlogits); // (H, V)      h.T @ dlogits
    const db2 = tf.sum(dlogits, 0); // (V,)                         dlogits.sum(0)
    const dh = tf.matMul(dlogits, tf.transpose(p.W2)); // (B, H)    dlogits @ W2.T
    const dpre = tf.mul(dh, tf.sub(1, tf.square(h))); // (B, H)     tanh' = 1 − h²
    const dW1 = tf.matMul(tf.transpose(emb), dpre); // (T·E, H)     emb.T @ dpre
    const db1 = tf.sum(dpre, 0); // (H,)                            dpre.sum(0)
    const demb = tf.matMul(dpre, tf.transpose(p.W1)); // (B, T·E)   dpre @ W1.T
    // dC[X[i]] += demb row i, for each of the B·T characters (repeated characters accumulate).
    const dC = tf.scatterND(X, tf.reshape(demb, [X.shape[0], E]), [V, E]); // (V, E)

    // Update: p −= lr·grad (the old values are freed by assign).
    p.C.assign(tf.sub(p.C, dC));
    p.W1.assign(tf.sub(p.W1, dW1));
    p.b1.assign(tf.sub(p.b1, db1));
    p.W2.assign(tf.sub(p.W2, dW2));
    p.b2.assign(tf.sub(p.b2, db2));
    return out;
  });
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
