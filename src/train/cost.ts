// The planned cost of training: one formula for --dry-run's estimate (src/launch/estimate.ts) and for the default
// checkpoint interval (about one a minute at this speed).
//
//   step = overhead + batch × MACs × seconds per MAC                    (forward + backward + update), per engine
//   eval = examples of the evaluated splits × MACs × EVAL_SECONDS_PER_MAC (forward only, TF.js), at every eval
// where MACs = block_size·embed_dim·hidden + hidden·vocab, the multiply-adds of one example's forward pass.
// The tfjs engine is calibrated so the lecture's network (block 3, embedding 10, hidden 200, batch 32, vocab 27) runs
// at 2,000 steps/s: half of a step is fixed per-op overhead, half is arithmetic. The kernel engine at 12,500 steps/s
// (13,700 measured on a quiet machine, 30 GFLOP/s; README: Speed), nearly all of it arithmetic: one call runs a
// chunk's steps. It is a rough guide for planning (seconds vs hours), not a benchmark.
import type { EngineName, Model } from '../config/schema.js';
import type { CheckpointEvery } from '../types.js';

const LECTURE_MACS = 32 * (3 * 10 * 200 + 200 * 27); // a step of the lecture's network: batch × MACs
export const STEP_OVERHEAD = 250e-6; // s per step on tfjs: dispatching ~20 small ops, whatever their size
export const TRAIN_SECONDS_PER_MAC = 250e-6 / LECTURE_MACS; // the other 250 µs of the lecture's step on tfjs
const KERNEL_STEP_OVERHEAD = 5e-6; // s per step in the kernel: the step's loop and its row indices
const KERNEL_SECONDS_PER_MAC = 75e-6 / LECTURE_MACS; // the other 75 µs of the lecture's step in the kernel
export const EVAL_SECONDS_PER_MAC = TRAIN_SECONDS_PER_MAC / 3; // forward only: about a third of forward + backward

// A checkpoint about once a minute: a killed trial loses a minute at most, and writing one (a few milliseconds for
// the lecture's net) costs well under 1 % of that (README: Checkpoints).
const CHECKPOINT_SECONDS = 60;

/** The multiply-adds of one example's forward pass. */
export function forwardMacs(model: Model, vocab: number): number {
  return model.block_size * model.embed_dim * model.hidden + model.hidden * vocab;
}

/** The planned seconds of one SGD step on `batch` examples on `engine`. */
export function stepSeconds(model: Model, batch: number, vocab: number, engine: EngineName): number {
  const [overhead, perMac] = engine === 'kernel' ? [KERNEL_STEP_OVERHEAD, KERNEL_SECONDS_PER_MAC] : [STEP_OVERHEAD, TRAIN_SECONDS_PER_MAC];
  return overhead + batch * forwardMacs(model, vocab) * perMac;
}

/**
 * The steps between checkpoints for checkpoint.every (null: never): a number as given; auto, about a minute of steps
 * at the planned speed, rounded to whole chunks of `chunkSteps` (a checkpoint is taken at a chunk's end), at least one.
 */
export function checkpointInterval(every: CheckpointEvery, model: Model, batch: number, vocab: number, engine: EngineName, chunkSteps: number): number | null {
  if (every === 'never') return null;
  if (every !== 'auto') return every;
  const steps = CHECKPOINT_SECONDS / stepSeconds(model, batch, vocab, engine);
  return Math.max(1, Math.round(steps / chunkSteps)) * chunkSteps;
}
