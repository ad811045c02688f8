// The model's parameters by name and shape, without TF.js: the plan's estimate and the checks of stored weights need
// them as well as the model (src/train/model.ts).
import type { Model } from '../config/schema.js';

/** The parameter names in the lecture's order (the order of initialisation and of weights.json). */
export const PARAM_NAMES = ['C', 'W1', 'b1', 'W2', 'b2'] as const;

/** A parameter's name. */
export type ParamName = (typeof PARAM_NAMES)[number];

/** The shape of each parameter for a vocabulary of V characters. */
export function paramShapes(V: number, model: Model): Record<ParamName, number[]> {
  const { block_size: T, embed_dim: E, hidden: H } = model;
  return { C: [V, E], W1: [T * E, H], b1: [H], W2: [H, V], b2: [V] };
}

/** How many numbers the model learns. The lecture's final network (V 27, T 3, E 10, H 200) has 11,897. */
export function paramCount(V: number, model: Model): number {
  return Object.values(paramShapes(V, model)).reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
}
