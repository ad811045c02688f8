// How a trial cuts its work into pieces that bound its memory, without TF.js: the training loop's chunks of steps
// (trial.ts; the engines size their buffers for one, src/train/engines/) and the evaluation's batches of examples
// (evaluate.ts); the plan's memory estimate (memory.ts) counts them the same way.
import type { Lr } from '../config/schema.js';
import { isRangeTest } from './schedule.js';

/** Steps per chunk: losses are read back (one sync) and progress reported once per chunk, never per step. */
export const CHUNK_STEPS = 500;
/** A range test diverges on purpose: small chunks stop it close to the step where it did. */
export const RANGE_CHUNK_STEPS = 25;
/** Logits the tfjs engine keeps on the device for a chunk's losses, at most: 4M floats (16 MB); a full-batch step alone may exceed it. */
export const CHUNK_LOGITS = 4 << 20;

/** The most steps of one chunk of a trial with this learning rate (an engine may take fewer: Engine.maxSteps). */
export function chunkSteps(lr: Lr): number {
  return isRangeTest(lr) ? RANGE_CHUNK_STEPS : CHUNK_STEPS;
}

/** The tfjs engine's steps per chunk for batches of B examples over a vocabulary of V: as many as CHUNK_LOGITS allows of `most`, at least one. */
export function tfjsChunkSteps(B: number, V: number, most: number): number {
  return Math.max(1, Math.min(most, Math.floor(CHUNK_LOGITS / (B * V))));
}

/** Examples per forward pass of an evaluation, at most: (16384, H) activations are 13 MB at H = 200. */
export const EVAL_ROWS = 16_384;
/** Floats an evaluation batch may hold, at most (128 MB): a wide net evaluates fewer examples at once. */
export const EVAL_FLOATS = 1 << 25;
/** Floats an evaluation batch holds per example: of width H the pre-activation, its sum with b1, tanh's three temporaries and its output; of width V the logits, their sum with b2, the log-softmax, the one-hot (int32, then cast) and their product; the embeddings (D = T·E) and the contexts and target. */
export function evalFloatsPerRow(H: number, V: number, T: number, E: number): number {
  return 6 * H + 6 * V + T * E + T + 1;
}

/** Examples per forward pass of an evaluation of this net: EVAL_ROWS, or fewer when that would pass EVAL_FLOATS. */
export function evalRows(H: number, V: number, T: number, E: number): number {
  return Math.max(1, Math.min(EVAL_ROWS, Math.floor(EVAL_FLOATS / evalFloatsPerRow(H, V, T, E))));
}
