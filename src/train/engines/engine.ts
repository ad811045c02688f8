// How a trial's SGD steps run: the interface of both engines, so that the Trainer knows neither:
//   kernel  the steps of a chunk as one call into the WebAssembly SIMD kernel (kernel/assembly/step.ts);
//   tfjs    one TensorFlow.js step after another (step.ts): the reference, kept selectable.
// The weights live in the engine between chunks; evaluation, sampling and weights.json read the tfjs Params, which
// toParams() brings up to date. Both engines stop a chunk at the first non-finite loss, before its update.
import type { EngineName, LossMode } from '../../config/schema.js';

export type { EngineName };

/** What an engine is built for: a trial's batch, loss and the most steps of a chunk. */
export interface EngineOptions {
  batch: number | 'full'; // B, or the whole training split every step
  loss: LossMode;
  chunkSteps: number; // the most steps the Trainer asks of one trainChunk
}

/** A trial's training steps, a chunk at a time. */
export interface Engine {
  readonly name: EngineName;
  /**
   * The most steps one trainChunk takes: chunkSteps, or fewer where a chunk is large (tfjs: its logits kept for the
   * losses past 16 MB; kernel: past about 3 GFLOP, a tenth of a second, so that the event loop gets its turns).
   */
  readonly maxSteps: number;
  /**
   * SGD steps 0 … steps−1 of a chunk: step k on the minibatch rows[k·B … k·B+B) of the training split (or the whole
   * split: 'full') at rate lrs[k]; losses[k] is step k's loss, before its update. Stops at the first non-finite loss,
   * before that step's update: returns the steps whose update was applied, `steps` or i, and then losses[i] is the
   * non-finite loss and the weights are those after step i − 1.
   */
  trainChunk(rows: Int32Array | 'full', lrs: Float64Array, losses: Float32Array, steps?: number): number;
  /** Remember the weights now (a chunk's start: the range test replays from there). */
  save(): void;
  /** Back to the weights of the last save(). */
  restore(): void;
  /** The engine's weights into the tfjs Params (before evaluation, sampling, diagnostics or weights.json). */
  toParams(): void;
  /** The tfjs Params into the engine (after something set them: a checkpoint resumed). */
  fromParams(): void;
  dispose(): void;
}
