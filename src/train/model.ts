// The lecture's MLP (Bengio et al. 2003): embed the block_size previous characters, one tanh layer, logits.
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../config/schema.js';
import type { Weight } from '../types.js';
import { trialDraws, type NormalSource } from './draws.js';
import { initFactors, scaleDraws } from './init.js';
import { paramShapes, PARAM_NAMES, type ParamName } from './shapes.js';

/** The parameters, as in the lecture: C (V, E), W1 (T·E, H), b1 (H), W2 (H, V), b2 (V). */
export interface Params {
  C: tf.Variable<tf.Rank.R2>;
  W1: tf.Variable<tf.Rank.R2>;
  b1: tf.Variable<tf.Rank.R1>;
  W2: tf.Variable<tf.Rank.R2>;
  b2: tf.Variable<tf.Rank.R1>;
}

/**
 * Initial parameters: N(0, 1) draws, as the lecture's torch.randn, in the order C, W1, b1, W2, b2, one fill per
 * parameter (as one torch.randn call each), so the same seed gives the same weights on every backend; then each
 * scaled by its model.init factor as PyTorch scales them (init.ts: 1 unless named, so plain draws by default).
 * `init`: a trial seed (its 'init' stream of the default rng mode), or the generator to draw from (see draws.ts).
 */
export function initParams(init: number | NormalSource, V: number, model: Model): Params {
  const rng = typeof init === 'number' ? trialDraws(init, 'streams').init : init;
  const shapes = paramShapes(V, model);
  const factors = initFactors(model);
  const make = <R extends tf.Rank>(name: ParamName) => {
    const shape = shapes[name];
    const values = scaleDraws(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), factors[name]);
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, true) as unknown as tf.Variable<R>; // shares the initial data
    initial.dispose();
    return variable;
  };
  // The order of these calls fixes which draws go where: never reorder.
  const C = make<tf.Rank.R2>('C');
  const W1 = make<tf.Rank.R2>('W1');
  const b1 = make<tf.Rank.R1>('b1');
  const W2 = make<tf.Rank.R2>('W2');
  const b2 = make<tf.Rank.R1>('b2');
  return { C, W1, b1, W2, b2 };
}

/** The activations of a forward pass that the backward pass needs. */
export interface Forward {
  emb: tf.Tensor2D; // (B, T·E) the concatenated embeddings of the context
  h: tf.Tensor2D; // (B, H) hidden activations
  logits: tf.Tensor2D; // (B, V)
}

/**
 * The forward pass on a batch of contexts X, given as a column (B·T, 1) of int32 character indices, row-major
 * (example b's T characters are rows b·T … b·T+T−1); that layout serves gatherND here and scatterND in the backward.
 */
export function forward(p: Params, X: tf.Tensor2D): Forward {
  const E = p.C.shape[1];
  const TE = p.W1.shape[0];
  const B = (X.shape[0] * E) / TE;
  // (B·T, E) → (B, T·E): C[X].view(-1, T·E). gatherND, not gather: on WASM it is ten times faster at these sizes.
  const emb = tf.reshape(tf.gatherND(p.C, X), [B, TE]) as tf.Tensor2D;
  // matMul then add, not fused.matMul: that reshapes both operands to 3-D and its result back, three more kernels
  // through the engine for each layer (bench/ops.ts: 35 kernels and ≈ 345 µs a step against 39 and ≈ 364 µs).
  const h = tanh(tf.add(tf.matMul(emb, p.W1), p.b1) as tf.Tensor2D); // (B, H) = tanh(emb @ W1 + b1)
  const logits = tf.add(tf.matMul(h, p.W2), p.b2) as tf.Tensor2D; // (B, V) = h @ W2 + b2
  return { emb, h, logits };
}

/**
 * tanh, elementwise. On WASM as 2·sigmoid(2x) − 1 (the same function): its Tanh kernel is scalar libm code, about
 * 8× slower than its XNNPACK sigmoid at (32, 200), and it was the costliest op of the lecture's step.
 */
export function tanh<T extends tf.Tensor>(x: T): T {
  if (tf.getBackend() !== 'wasm') return tf.tanh(x);
  return tf.tidy(() => {
    const s = tf.sigmoid(tf.add(x, x)); // x + x is exactly 2x, and cheaper than a product with a scalar
    return tf.sub(tf.add(s, s), 1) as T;
  });
}

/** Logits for contexts X (B·T, 1), without keeping anything for a backward pass (evaluation, sampling). */
export function logitsOf(p: Params, X: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => forward(p, X).logits);
}

/** The trained parameters as plain data for weights.json. */
export function toWeights(p: Params): Weight[] {
  return PARAM_NAMES.map((name) => {
    const v = p[name];
    return { name, shape: v.shape.slice(), values: Array.from(v.dataSync()) };
  });
}

/** The parameters' values as float32 arrays by name (fresh copies): what a checkpoint keeps. */
export function paramValues(p: Params): Record<(typeof PARAM_NAMES)[number], Float32Array> {
  return Object.fromEntries(PARAM_NAMES.map((name) => [name, (p[name].dataSync() as Float32Array).slice()])) as Record<(typeof PARAM_NAMES)[number], Float32Array>;
}

/** Set the parameters to float32 arrays by name (a checkpoint's), each of its parameter's size. */
export function setParamValues(p: Params, values: Readonly<Record<string, Float32Array>>): void {
  for (const name of PARAM_NAMES) {
    const v = values[name];
    const size = p[name].size;
    if (v === undefined || v.length !== size) throw new RangeError(`setParamValues: ${name}: expected ${size} values, found ${v?.length ?? 'none'}`);
  }
  tf.tidy(() => {
    for (const name of PARAM_NAMES) (p[name] as tf.Variable).assign(tf.tensor(values[name]!.slice(), p[name].shape, 'float32'));
  });
}

/** Free the parameters' memory. */
export function disposeParams(p: Params): void {
  for (const name of PARAM_NAMES) p[name].dispose();
}

/** The parameters' values at some moment, by name. */
export type ParamsCopy = Record<ParamName, tf.Tensor>;

/** A copy of the parameters' current values, to go back to with restoreParams (the caller disposes it). */
export function copyParams(p: Params): ParamsCopy {
  return Object.fromEntries(PARAM_NAMES.map((name) => [name, tf.clone(p[name] as tf.Tensor)])) as ParamsCopy;
}

/** Set the parameters back to a copy's values (the copy stays the caller's). */
export function restoreParams(p: Params, copy: ParamsCopy): void {
  tf.tidy(() => {
    for (const name of PARAM_NAMES) (p[name] as tf.Variable).assign(tf.clone(copy[name]));
  });
}
