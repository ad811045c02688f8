// One trial = one training job, as in the lecture: backend → data → model → training loop → evaluation → samples.
//
// trainTrial, in steps: (1) set up the backend → (2) load the words and build the splits → (3) initialise the
// parameters from the trial's generators (draws.ts: the 'init' stream, or torch's generator), or go on from a
// checkpoint (its weights, generators and bookkeeping) → (4) train in chunks of steps: learning rates and minibatch
// indices computed for the chunk, losses read back once per chunk, full-split evaluation every eval.every steps, the
// chunk's metrics rows handed to options.onMetrics, a checkpoint every checkpoint.every steps → (5) evaluate at the
// end → (6) sample names → (7) the summary. A diverged loss is a result (status 'diverged'), not an exception. Nothing
// kept grows with train.steps: a trial of 10^7 steps holds what one of 10^5 does (bench/memory.ts measures it).
//
// A checkpoint is taken at a chunk's end, and every chunk's end depends on its step alone (the next evaluation, the
// next diagnostics step, the chunk size, the last step): a trial that goes on from one computes the same chunks, draws and rows as one that never
// stopped there.
import * as tf from '@tensorflow/tfjs-core';
import type { LossMode } from '../config/schema.js';
import type { CheckpointEvery, DiagnosticsRow, FinalLosses, MetricRow, Progress, Summary, TrainOptions, TrainState, TrialConfig, TrialOutput, TrialStart, Verdict } from '../types.js';
import { initBackend } from './backend.js';
import { bigramLoss } from './bigram.js';
import { chunkSteps, tfjsChunkSteps } from './chunks.js';
import { checkpointInterval } from './cost.js';
import { buildDataset, loadWords, type Dataset, type Split } from './data.js';
import { diagnose } from './diagnostics.js';
import { trialDraws, type IndexSource, type TrialDraws } from './draws.js';
import { evaluateSplit } from './evaluate.js';
import { fusedLossRows } from './loss.js';
import { copyParams, disposeParams, initParams, paramValues, restoreParams, setParamValues, toWeights, type Params, type ParamsCopy } from './model.js';
import { peakResident, resetPeak } from './peak-memory.js';
import { paramCount, PARAM_NAMES } from './shapes.js';
import { RangeTest } from './range-test.js';
import { sampleNames } from './sample.js';
import { isRangeTest, lrTable } from './schedule.js';
import { sgdStep, type Batch, type StepOut } from './step.js';

// At most this often, progress goes to options.onProgress.
const PROGRESS_MS = 250;

/** The engine that trains: step.ts's TensorFlow.js step, one after another. A checkpoint names it: another engine's is not used. */
export const ENGINE = 'tfjs';

/** Train one trial from its resolved configuration; a diverged loss is a result, not an exception. */
export async function trainTrial(config: TrialConfig, options: TrainOptions): Promise<TrialOutput> {
  const clock = { started: new Date(), t0: performance.now() };
  resetPeak(); // summary.peak_bytes: this trial's own peak, also in a warm worker
  // 1. Backend.
  const backend = await initBackend(options.backend);
  // 2. Data: words → shuffle → split → context windows (built once per worker for the same data and block size).
  const prepared = await prepareData(config);
  const { data } = prepared;
  const V = data.vocab.length;
  // 3. Parameters, then minibatches, then samples, from the trial's generators (draws.ts: in torch mode the first two
  //    are one generator, in the lecture's order); or all of it from the checkpoint the trial goes on from.
  const draws = trialDraws(config.seed, config.rng);
  const params = initParams(draws.init, V, config.model);
  try {
    const trainer = new Trainer(config, data, params, draws, {
      sink: options.onMetrics,
      diagnostics: options.onDiagnostics,
      evaluated: options.onEvaluated,
      checkpoint: options.onCheckpoint === undefined ? undefined : { every: options.checkpointEvery ?? 'auto', save: options.onCheckpoint, now: options.checkpointNow },
      clock,
      backend: backend.name,
    });
    const start: TrialStart = options.resume === undefined ? { resumed_from: null } : trainer.resume(options.resume);
    options.onStart?.(start);
    // 4–5. Train, with evaluations and checkpoints along the way, and the evaluation at the end.
    await trainer.runTo(config.train.steps, options.onProgress);
    trainer.finish();
    // 6. Samples.
    const samples = sampleNames(params, data.vocab, config.model.block_size, config.sample, draws.sample);
    // 7. Summary, the trained weights read out first: the peak counts them.
    const weights = toWeights(params);
    const time = trainer.time();
    const summary: Summary = {
      id: options.id,
      status: trainer.status,
      ...(trainer.reason === undefined ? {} : { reason: trainer.reason }),
      steps: trainer.stepsReached,
      steps_planned: config.train.steps,
      final: trainer.final,
      ...(trainer.firstLoss === undefined ? {} : { first_loss: trainer.firstLoss }),
      steps_per_s: time.train_seconds > 0 ? trainer.stepsReached / time.train_seconds : 0,
      seconds: time.seconds,
      train_seconds: time.train_seconds,
      train_cpu_seconds: time.train_cpu_seconds,
      engine: 'tfjs', // step.ts's step, one after another (the kernel engine is not wired in yet)
      backend: backend.name,
      backend_version: backend.version,
      params: paramCount(V, config.model),
      seed: config.seed,
      ...(trainer.rangeTest ? { suggested_lr: trainer.rangeTest.suggestion() } : {}),
      vocab: data.vocab,
      words: { train: data.train.words.length, dev: data.dev.words.length, test: data.test.words.length },
      examples: { train: data.train.n, dev: data.dev.n, test: data.test.n },
      reference: { uniform: Math.log(V), bigram: (prepared.bigram ??= bigramLoss(data.train.words, data.vocab)) },
      peak_bytes: time.peak_bytes,
      ...(start.resumed_from === null ? {} : { resumed_from: start.resumed_from }),
      started_at: time.started_at,
      finished_at: new Date().toISOString(),
    };
    return { summary, samples, weights };
  } finally {
    disposeParams(params);
  }
}

/** A trial's data set, and its bigram reference once computed; nothing trains on it in place, so trials share it. */
interface Prepared {
  key: string; // the resolved data config, the block size and the rng mode, as JSON
  data: Dataset;
  bigram?: number;
}

// The last data set this process built: a warm worker's next trial of a sweep over training settings reuses it
// (≈ 0.1 s on names.txt). One entry, so a sweep over data or block size holds one data set at a time. A data file is
// read and checked against its planned sha256 when the entry is built, so a reused entry is the planned content.
let lastData: Prepared | undefined;

async function prepareData(config: TrialConfig): Promise<Prepared> {
  const key = JSON.stringify([config.data, config.model.block_size, config.rng]);
  if (lastData?.key !== key) {
    lastData = { key, data: buildDataset(await loadWords(config.data), config.data, config.model.block_size, config.rng) };
  }
  return lastData;
}

/** trainTrial with every metrics and diagnostics row kept in memory and returned: for short runs (tests, benchmarks) only. */
export async function trainTrialInMemory(config: TrialConfig, options: TrainOptions): Promise<TrialOutput & { metrics: MetricRow[]; diagnostics: DiagnosticsRow[] }> {
  const metrics: MetricRow[] = [];
  const diagnostics: DiagnosticsRow[] = [];
  const output = await trainTrial(config, { ...options, onMetrics: (rows) => void metrics.push(...rows), onDiagnostics: (rows) => void diagnostics.push(...rows) });
  return { ...output, metrics, diagnostics };
}

/** What a Trainer tells, and when it checkpoints; all optional (a test may just run it). */
export interface TrainerHooks {
  sink?: (rows: MetricRow[]) => void; // each chunk's rows, in step order
  diagnostics?: (rows: DiagnosticsRow[]) => void; // each chunk's diagnostics rows (diagnostics.every), before its rows
  evaluated?: (step: number) => Promise<Verdict>; // early stopping: asked after each evaluation before the last step
  checkpoint?: {
    every: CheckpointEvery; // steps between checkpoints (auto: about a minute at the planned speed, src/train/cost.ts)
    save: (state: TrainState) => void | Promise<void>; // awaited: training goes on when it resolves
    now?: () => boolean; // a checkpoint at this chunk's end besides the interval's (a signal asked for one)
  };
  clock?: { started: Date; t0: number }; // when the trial began (default: when the Trainer was made)
  backend?: string; // the backend that trains, as a checkpoint names it
}

/**
 * The training loop of one trial, resumable step by step (tests stop it midway to count tensors), and from a
 * checkpoint (its state at a chunk boundary, `state()` and `resume()`).
 * Row `{step: i, lr, loss}` is SGD step i (0-based), its loss measured before its update; row `{step: s, split, loss}`
 * is a full-split loss after s steps. Rows go to the sink chunk by chunk, in step order; none are kept here.
 */
export class Trainer {
  readonly rangeTest: RangeTest | null;
  status: 'ok' | 'diverged' | 'stopped' = 'ok';
  reason: string | undefined;
  step = 0; // steps taken
  stepsReached = 0; // steps whose losses were kept, and the weights' step (after a divergence, fewer than `step`)
  trainSeconds = 0; // wall-clock time of the training loop (with a checkpoint's: every run's)
  trainCpuSeconds = 0; // CPU time of the training loop (a fairer yardstick on a busy machine)
  peakBytes = 0; // the resident set sampled after each chunk and evaluation: the peak where the kernel keeps no high-water mark
  final: FinalLosses = { train_loss: null, dev_loss: null, test_loss: null };
  firstLoss: number | undefined; // the loss of step 0, once kept
  private readonly batches: BatchSource;
  private readonly chunkSteps: number;
  private readonly checkpointEvery: number | null; // steps between checkpoints (null: none)
  private readonly clock: { started: Date; t0: number };
  private earlierSeconds = 0; // the trial's wall-clock time before this run (a checkpoint's)
  private lastCheckpoint = 0; // the step of the latest checkpoint (or of the one this run went on from)
  private lastProgress = -Infinity;
  private lastEvalStep = -1;
  private pending: MetricRow[] = []; // the rows of the chunk under way, for the sink
  private pendingDiagnostics: DiagnosticsRow[] = []; // the diagnostics of the chunk under way, for their sink

  constructor(
    private readonly config: TrialConfig,
    private readonly data: Dataset,
    private readonly params: Params,
    private readonly draws: TrialDraws, // the minibatches' row indices come from draws.batch (after the init, in torch mode)
    private readonly hooks: TrainerHooks = {},
  ) {
    const { lr, batch_size } = config.train;
    if (data.train.n === 0) {
      throw new Error('data.split.train: expected a training split with at least one word, found none: use more words (data.slice) or a larger train fraction');
    }
    this.rangeTest = isRangeTest(lr) ? new RangeTest() : null;
    this.batches = batch_size === 'full' ? new FullBatch(data.train) : new MiniBatches(data.train, batch_size, draws.batch);
    const B = batch_size === 'full' ? data.train.n : batch_size;
    this.chunkSteps = tfjsChunkSteps(B, data.vocab.length, chunkSteps(lr));
    this.checkpointEvery = hooks.checkpoint === undefined ? null : checkpointInterval(hooks.checkpoint.every, config.model, B, data.vocab.length, this.chunkSteps);
    this.clock = hooks.clock ?? { started: new Date(), t0: performance.now() };
    this.notePeak();
  }

  /**
   * Go on from a checkpoint: its weights, generators, range test and latest evaluation, from its step on. A checkpoint
   * of another backend, engine or vocabulary would not compute what this trial computes: it is not used, and the
   * trial starts from step 0 (the reason says why).
   */
  resume(state: TrainState): TrialStart {
    const backend = this.hooks.backend ?? 'unknown';
    const unfit =
      state.engine !== ENGINE ? `it was trained by the ${state.engine} engine, this run trains with ${ENGINE}`
      : state.backend !== backend ? `it was trained on the ${state.backend} backend, this run has ${backend} (backends differ in float rounding)`
      : state.vocab !== this.data.vocab ? `its vocabulary ${JSON.stringify(state.vocab)} is not the data's ${JSON.stringify(this.data.vocab)}`
      : state.step <= 0 || state.step >= this.config.train.steps ? `its step ${state.step} is not between 0 and train.steps ${this.config.train.steps}`
      : (this.rangeTest === null) !== (state.range_test === null) ? 'it was written for another schedule (a range test and not, or the other way round)'
      : state.draws.rng !== this.config.rng ? `it holds the generators of rng: ${state.draws.rng}, this trial draws with rng: ${this.config.rng}`
      : PARAM_NAMES.find((name) => state.weights[name]?.length !== this.params[name].size) !== undefined ? 'its weights are not of the model\'s shapes'
      : undefined;
    if (unfit !== undefined) return { resumed_from: null, not_resumed: unfit };
    this.setWeights(state.weights);
    this.draws.restore(state.draws);
    if (state.range_test !== null) this.rangeTest!.setState(state.range_test);
    this.step = this.stepsReached = this.lastCheckpoint = state.step;
    this.firstLoss = state.first_loss ?? undefined;
    this.final = { ...state.final };
    this.lastEvalStep = state.last_eval_step;
    this.earlierSeconds = state.time.seconds;
    this.trainSeconds = state.time.train_seconds;
    this.trainCpuSeconds = state.time.train_cpu_seconds;
    this.peakBytes = Math.max(this.peakBytes, state.time.peak_bytes);
    this.clock.started = new Date(state.time.started_at);
    return { resumed_from: state.step };
  }

  /** Everything the steps from here on depend on, as plain data (taken at a chunk boundary, while the trial goes on). */
  state(): TrainState {
    return {
      step: this.step,
      weights: this.weights(),
      draws: this.draws.state(),
      first_loss: this.firstLoss ?? null,
      final: { ...this.final },
      last_eval_step: this.lastEvalStep,
      range_test: this.rangeTest?.getState() ?? null,
      time: this.time(),
      backend: this.hooks.backend ?? 'unknown',
      engine: ENGINE,
      vocab: this.data.vocab,
    };
  }

  /**
   * The weights as float32 arrays by parameter name: the one place a checkpoint reads them, and setWeights the one
   * place it writes them back (an engine that keeps the weights elsewhere, as the kernel's memory, gives and takes
   * them here).
   */
  private weights(): Record<string, Float32Array> {
    return paramValues(this.params);
  }

  private setWeights(values: Readonly<Record<string, Float32Array>>): void {
    setParamValues(this.params, values);
  }

  /** The trial's times so far, every run summed (a resumed trial's earlier runs up to its checkpoint). */
  time(): TrainState['time'] {
    return {
      seconds: this.earlierSeconds + (performance.now() - this.clock.t0) / 1000,
      train_seconds: this.trainSeconds,
      train_cpu_seconds: this.trainCpuSeconds,
      peak_bytes: Math.max(this.peakBytes, peakResident() ?? 0), // the kernel's high-water mark where it keeps one
      started_at: this.clock.started.toISOString(),
    };
  }

  /**
   * Train until `until` steps are taken or the loss diverges, evaluating every eval.every steps and checkpointing every
   * checkpoint.every. Between chunks the event loop gets a turn, so that the chunk's rows leave the process and
   * messages from the parent (a verdict, a signal's request for a checkpoint) arrive.
   */
  async runTo(until: number, onProgress?: (p: Progress) => void): Promise<void> {
    const every = this.config.eval.every;
    const steps = this.config.train.steps;
    until = Math.min(until, steps);
    while (this.status === 'ok' && this.step < until) {
      const nextEval = (Math.floor(this.step / every) + 1) * every;
      const end = Math.min(until, this.step + this.chunkSteps, nextEval, this.nextDiagnostics());
      const t = performance.now();
      const cpu = process.cpuUsage();
      const lrs = lrTable(this.config.train.lr, steps, this.step, end); // (end − step,)
      const start = copyParams(this.params); // losses are read after the chunk: a divergence inside it goes back here
      const losses = this.trainChunk(this.step, end, lrs);
      this.record(this.step, losses, lrs);
      if (this.stepsReached < end) this.replayTo(start, this.step, this.stepsReached, lrs); // diverged inside the chunk
      for (const copy of Object.values(start)) copy.dispose();
      const used = process.cpuUsage(cpu);
      this.trainSeconds += (performance.now() - t) / 1000;
      this.trainCpuSeconds += (used.user + used.system) / 1e6;
      this.step = end;
      this.notePeak();
      const evaluated = this.status === 'ok' && this.step % every === 0;
      if (evaluated) this.evaluate();
      this.flush();
      this.progress(onProgress, losses[losses.length - 1]!);
      if (evaluated && this.hooks.evaluated !== undefined && this.step < steps) {
        // Early stopping decides on the evaluation just sent (the rows went first): go on, or stop here.
        const verdict = await this.hooks.evaluated(this.step);
        if (verdict.stop) [this.status, this.reason] = ['stopped', verdict.reason];
      }
      await turn(); // the chunk's rows leave; a request for a checkpoint (a signal) that came during the chunk arrives
      if (this.status === 'ok' && this.step < steps && this.checkpointDue()) {
        this.lastCheckpoint = this.step;
        await this.hooks.checkpoint!.save(this.state()); // after the rows up to here: a checkpoint never claims rows not sent
      }
    }
  }

  /** Whether this chunk's end takes a checkpoint: the interval passed a multiple of checkpoint.every, or one was asked for. */
  private checkpointDue(): boolean {
    const hook = this.hooks.checkpoint;
    if (hook === undefined) return false;
    if (hook.now?.() === true) return true;
    const n = this.checkpointEvery;
    return n !== null && Math.floor(this.step / n) > Math.floor(this.lastCheckpoint / n);
  }

  /** The end of training (all steps, or a divergence): the final full-split losses, unless just taken. */
  finish(): void {
    if (this.lastEvalStep !== this.stepsReached) this.evaluate();
    this.flush();
    this.batches.dispose();
  }

  /** Hand the rows gathered since the last flush to their sinks (a chunk's diagnostics, taken at its start, first). */
  private flush(): void {
    if (this.pendingDiagnostics.length > 0) {
      const rows = this.pendingDiagnostics;
      this.pendingDiagnostics = [];
      this.hooks.diagnostics?.(rows);
    }
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.hooks.sink?.(rows);
  }

  /** The next step after this one whose diagnostics are due (diagnostics.every; chunks end there), or Infinity. */
  private nextDiagnostics(): number {
    const every = this.config.diagnostics?.every;
    return every === undefined ? Infinity : (Math.floor(this.step / every) + 1) * every;
  }

  /**
   * Steps [from, to) at the rates `lrs`: SGD on each step's minibatch, then all their losses read back at once. When
   * step `from` is a diagnostics step (chunks begin at every one), its diagnostics come first, on its own minibatch
   * before its update: the same draws and the same steps as without them.
   */
  private trainChunk(from: number, to: number, lrs: Float64Array): Float32Array {
    this.batches.prepare(to - from);
    const every = this.config.diagnostics?.every;
    if (every !== undefined && from % every === 0) {
      const batch = this.batches.next();
      this.pendingDiagnostics.push(diagnose(this.params, batch.tensors, lrs[0]!, this.config.loss, from));
      this.batches.release(batch.tensors);
      this.batches.rewind(); // the step trains on the same minibatch
    }
    const { outs, targets } = this.sgdSteps(from, to, lrs);
    return chunkLosses(outs, targets);
  }

  /**
   * After a divergence at step `reached` of the chunk that began at `from`: back to the weights the chunk began
   * with, then its steps again, on the same minibatches, up to `reached`. So weights.json and the last evaluation
   * are those of the step where the metrics stop, not of the chunk's end.
   */
  private replayTo(start: ParamsCopy, from: number, reached: number, lrs: Float64Array): void {
    restoreParams(this.params, start);
    this.batches.rewind();
    for (const o of this.sgdSteps(from, reached, lrs).outs) (o.loss ?? o.logits)!.dispose();
  }

  /** SGD steps [from, to) of the prepared chunk (lrs[0] is step from's rate): what each leaves for its loss, and its targets. */
  private sgdSteps(from: number, to: number, lrs: Float64Array): { outs: StepOut[]; targets: Int32Array[] } {
    const mode: LossMode = this.config.loss;
    const outs: StepOut[] = [];
    const targets: Int32Array[] = [];
    for (let i = from; i < to; i++) {
      const batch = this.batches.next();
      outs.push(sgdStep(this.params, batch.tensors, lrs[i - from]!, mode));
      targets.push(batch.Y);
      this.batches.release(batch.tensors);
    }
    return { outs, targets };
  }

  /**
   * Keep one row per step; stop at the first non-finite loss (its row is not kept), or where a range test's smoothed
   * loss blows up (its row is kept, to show where). `stepsReached` counts the rows kept.
   */
  private record(from: number, losses: Float32Array, lrs: Float64Array): void {
    for (let k = 0; k < losses.length; k++) {
      const step = from + k;
      const lr = lrs[k]!;
      const loss = losses[k]!;
      if (!Number.isFinite(loss)) return this.diverge(`the loss became ${loss} at step ${step} (lr ${lr})`);
      const range = this.rangeTest?.push(lr, loss); // the smoothed loss, and whether it passed 4 × its best
      this.pending.push(range ? { step, lr, loss, smooth: range.smooth } : { step, lr, loss });
      if (step === 0) this.firstLoss = loss;
      this.stepsReached = step + 1;
      if (range?.diverged) {
        return this.diverge(`the smoothed loss ${range.smooth.toPrecision(4)} passed 4 × its best at step ${step} (lr ${lr.toPrecision(4)})`);
      }
    }
  }

  private diverge(reason: string): void {
    this.status = 'diverged';
    this.reason = reason;
  }

  /** Full-split losses of the configured splits after `stepsReached` steps, as metric rows and as the final ones. */
  private evaluate(): void {
    const step = this.stepsReached;
    for (const split of this.config.eval.splits) {
      const loss = evaluateSplit(this.params, this.data[split], this.config.loss);
      this.pending.push({ step, split, loss });
      this.final[`${split}_loss`] = Number.isFinite(loss) ? loss : null;
    }
    this.lastEvalStep = step;
    this.notePeak();
  }

  private progress(onProgress: ((p: Progress) => void) | undefined, loss: number): void {
    const now = performance.now();
    if (!onProgress || (now - this.lastProgress < PROGRESS_MS && this.step < this.config.train.steps)) return;
    this.lastProgress = now;
    onProgress({
      step: this.step,
      steps: this.config.train.steps,
      loss,
      steps_per_s: this.trainSeconds > 0 ? this.step / this.trainSeconds : 0,
    });
  }

  private notePeak(): void {
    this.peakBytes = Math.max(this.peakBytes, process.memoryUsage().rss);
  }
}

/**
 * Let the event loop run between chunks: messages and signals that came while a chunk held it are handled now. Two turns
 * of setImmediate, not one: after a chunk that held the loop for a while, one turn did not always deliver an IPC message
 * already waiting (Node 20.20: a message sent during chunk k arrived only after chunk k+1, in about half of the tries),
 * two always did; a timer would cost a millisecond a chunk.
 */
async function turn(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The loss of every step of a chunk, in one read back; disposes the steps' outputs. */
function chunkLosses(outs: StepOut[], targets: Int32Array[]): Float32Array {
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

/** A minibatch: its tensors for the step, and its targets on the host for the chunk's losses. */
interface HostBatch {
  tensors: Batch;
  Y: Int32Array;
}

/** Where each step's batch comes from. */
interface BatchSource {
  prepare(steps: number): void; // draw what the next `steps` batches need
  next(): HostBatch;
  rewind(): void; // back to the first batch of the prepared steps (the same batches again)
  release(batch: Batch): void; // the step is done with the batch's tensors
  dispose(): void;
}

/** The whole training split every step (batch_size: full): uploaded once. */
class FullBatch implements BatchSource {
  private readonly batch: HostBatch;
  constructor(split: Split) {
    this.batch = {
      tensors: { X: tf.tensor2d(split.X, [split.X.length, 1], 'int32'), Y: tf.tensor1d(split.Y, 'int32') }, // (n·T, 1), (n,)
      Y: split.Y,
    };
  }
  prepare(): void {}
  next(): HostBatch {
    return this.batch;
  }
  rewind(): void {}
  release(): void {}
  dispose(): void {
    this.batch.tensors.X.dispose();
    this.batch.tensors.Y.dispose();
  }
}

/** Minibatches of B rows drawn uniformly with replacement (torch.randint) from the trial's indices, a chunk at a time. */
class MiniBatches implements BatchSource {
  private readonly T: number;
  private rows: Int32Array = new Int32Array(0); // (steps·B,) row indices of the chunk
  private at = 0; // next batch in the chunk

  constructor(
    private readonly split: Split,
    private readonly B: number,
    private readonly indices: IndexSource,
  ) {
    this.T = split.X.length / split.n;
  }

  prepare(steps: number): void {
    this.rows = this.indices.fillInt(new Int32Array(steps * this.B), this.split.n); // step k's batch: rows[k·B … k·B+B)
    this.at = 0;
  }

  next(): HostBatch {
    const { B, T, split } = this;
    const X = new Int32Array(B * T);
    const Y = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const row = this.rows[this.at * B + b]!;
      for (let t = 0; t < T; t++) X[b * T + t] = split.X[row * T + t]!; // Xtr[ix]
      Y[b] = split.Y[row]!; // Ytr[ix]
    }
    this.at++;
    return { tensors: { X: tf.tensor2d(X, [B * T, 1], 'int32'), Y: tf.tensor1d(Y, 'int32') }, Y };
  }

  rewind(): void {
    this.at = 0;
  }

  release(batch: Batch): void {
    batch.X.dispose();
    batch.Y.dispose();
  }

  dispose(): void {}
}
