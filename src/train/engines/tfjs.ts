// The tfjs engine: the Trainer's Engine over step.ts's sgdStep, one TensorFlow.js step after another, the losses
// read back once per chunk. A chunk that meets a non-finite loss goes back to its start and replays the steps before
// it, so that the weights are those of the step where the losses stop (the kernel stops there directly).
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data.js';
import { fusedLossRows } from '../loss.js';
import { copyParams, restoreParams, type Params, type ParamsCopy } from '../model.js';
import { sgdStep, type Batch, type StepOut } from '../step.js';
import { tfjsChunkSteps } from '../chunks.js';
import type { Engine, EngineOptions } from './engine.js';

export class TfjsEngine implements Engine {
  readonly name = 'tfjs';
  readonly maxSteps: number;
  private readonly B: number;
  private readonly full: Batch | null; // the whole split, uploaded once (batch_size: full)
  private saved: ParamsCopy | null = null;

  constructor(
    private readonly split: Split,
    private readonly params: Params,
    private readonly options: EngineOptions,
  ) {
    this.B = options.batch === 'full' ? split.n : options.batch;
    this.maxSteps = tfjsChunkSteps(this.B, params.C.shape[0], options.chunkSteps); // the chunk's logits are kept for its losses
    this.full =
      options.batch === 'full' ? { X: tf.tensor2d(split.X, [split.X.length, 1], 'int32'), Y: tf.tensor1d(split.Y, 'int32') } : null; // (n·T, 1), (n,)
  }

  trainChunk(rows: Int32Array | 'full', lrs: Float64Array, losses: Float32Array, steps = lrs.length): number {
    const start = copyParams(this.params); // the losses are read after the chunk: a divergence inside it goes back here
    try {
      const values = chunkLosses(this.steps(rows, lrs, steps));
      losses.set(values);
      const diverged = values.findIndex((loss) => !Number.isFinite(loss));
      if (diverged < 0) return steps;
      restoreParams(this.params, start); // back to the chunk's start, then its steps again up to the divergence
      for (const o of this.steps(rows, lrs, diverged).outs) (o.loss ?? o.logits)!.dispose();
      return diverged;
    } finally {
      for (const copy of Object.values(start)) copy.dispose();
    }
  }

  save(): void {
    this.disposeSaved();
    this.saved = copyParams(this.params);
  }

  restore(): void {
    if (this.saved === null) throw new Error('TfjsEngine.restore: expected a save() before, found none');
    restoreParams(this.params, this.saved);
  }

  toParams(): void {} // the Params are the weights

  fromParams(): void {}

  dispose(): void {
    this.disposeSaved();
    if (this.full) tf.dispose([this.full.X, this.full.Y]);
  }

  private disposeSaved(): void {
    if (this.saved) for (const copy of Object.values(this.saved)) copy.dispose();
    this.saved = null;
  }

  /** SGD steps 0 … steps−1: what each leaves for its loss, and its targets. */
  private steps(rows: Int32Array | 'full', lrs: Float64Array, steps: number): Stepped {
    const outs: StepOut[] = [];
    const targets: Int32Array[] = [];
    for (let k = 0; k < steps; k++) {
      if (rows === 'full') {
        outs.push(sgdStep(this.params, this.full!, lrs[k]!, this.options.loss));
        targets.push(this.split.Y);
        continue;
      }
      const { X, Y } = minibatch(this.split, rows, k, this.B);
      const batch = { X: tf.tensor2d(X, [X.length, 1], 'int32'), Y: tf.tensor1d(Y, 'int32') }; // (B·T, 1), (B,)
      outs.push(sgdStep(this.params, batch, lrs[k]!, this.options.loss));
      targets.push(Y);
      tf.dispose([batch.X, batch.Y]);
    }
    return { outs, targets };
  }

}

/** Step k's minibatch: Xtr[ix], Ytr[ix] for ix = rows[k·B … k·B+B). (B·T,), (B,) */
function minibatch(split: Split, rows: Int32Array, k: number, B: number): { X: Int32Array; Y: Int32Array } {
  const T = split.X.length / split.n;
  const X = new Int32Array(B * T);
  const Y = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const row = rows[k * B + b]!;
    for (let t = 0; t < T; t++) X[b * T + t] = split.X[row * T + t]!;
    Y[b] = split.Y[row]!;
  }
  return { X, Y };
}

/** Step k's minibatch on the device (or the whole split: 'full'), as sgdStep and diagnostics take it; the caller disposes it. */
export function batchTensors(split: Split, rows: Int32Array | 'full', k: number, B: number): Batch {
  const { X, Y } = rows === 'full' ? split : minibatch(split, rows, k, B);
  return { X: tf.tensor2d(X, [X.length, 1], 'int32'), Y: tf.tensor1d(Y, 'int32') }; // (B·T, 1), (B,)
}

interface Stepped {
  outs: StepOut[];
  targets: Int32Array[];
}

/** The loss of every step of a chunk, in one read back; disposes the steps' outputs. */
function chunkLosses({ outs, targets }: Stepped): Float32Array {
  if (outs.length === 0) return new Float32Array(0);
  const losses = tf.tidy(() => {
    if (outs[0]!.loss) return tf.stack(outs.map((o) => o.loss!)); // manual: the step computed its loss
    const logits = outs.map((o) => o.logits!);
    const B = logits[0]!.shape[0];
    const all = logits.length === 1 ? logits[0]! : tf.concat(logits, 0); // (K·B, V)
    const Y = new Int32Array(outs.length * B);
    targets.forEach((y, k) => Y.set(y, k * B));
    const rows = fusedLossRows(all, tf.tensor1d(Y, 'int32')); // (K·B,)
    return tf.mean(tf.reshape(rows, [outs.length, B]), 1); // (K,)
  });
  const values = losses.dataSync() as Float32Array;
  losses.dispose();
  for (const o of outs) (o.loss ?? o.logits)!.dispose();
  return values;
}
