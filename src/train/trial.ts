// One trial = one training job, as in the lecture: backend → data → model → training loop → evaluation → samples.
//
// trainTrial, in steps: (1) set up the backend → (2) load the words and build the splits → (3) initialise the
// parameters from the trial's generators (draws.ts: the 'init' stream, or torch's generator), or go on from a
// checkpoint (its weights, generators and bookkeeping) → (4) train in chunks of steps: learning rates and minibatch
// indices computed for the chunk, losses read back once per chunk, full-split evaluation every eval.every steps, the
// chunk's metrics rows handed to options.onMetrics, a checkpoint every checkpoint.every steps; the steps themselves run
// on the trial's engine (engines/: the WebAssembly kernel, or TensorFlow.js step by step) → (5) evaluate at the
// end → (6) sample names → (7) the summary. A diverged loss is a result (status 'diverged'), not an exception. Nothing
// kept grows with train.steps: a trial of 10^7 steps holds what one of 10^5 does (bench/memory.ts measures it).
//
// A checkpoint is taken at a chunk's end, and every chunk's end depends on its step alone (the next evaluation, the
// next diagnostics step, the chunk size, the last step): a trial that goes on from one computes the same chunks, draws and rows as one that never
// stopped there.
import * as msg from '../messages.js';
import type { CheckpointEvery, DiagnosticsRow, FinalLosses, MetricRow, Progress, Summary, TrainOptions, TrainState, TrialConfig, TrialOutput, TrialStart, Verdict } from '../types.js';
import { initBackend } from './backend.js';
import { bigramLoss } from './bigram.js';
import { chunkSteps } from './chunks.js';
import { checkpointInterval } from './cost.js';
import { buildDataset, loadWords, type Dataset } from './data.js';
import { diagnose } from './diagnostics.js';
import { trialDraws, type TrialDraws } from './draws.js';
import { createEngine, engineFor, type Engine } from './engines/index.js';
import { batchTensors } from './engines/tfjs.js';
import { evaluateSplit } from './evaluate.js';
import { disposeParams, initParams, paramValues, setParamValues, toWeights, type Params } from './model.js';
import { peakResident, resetPeak } from './peak-memory.js';
import { paramCount, PARAM_NAMES } from './shapes.js';
import { RangeTest } from './range-test.js';
import { sampleNames } from './sample.js';
import { isRangeTest, lrTable } from './schedule.js';

// At most this often, progress goes to options.onProgress.
const PROGRESS_MS = 250;

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
  let trainer: Trainer | undefined;
  try {
    trainer = new Trainer(config, data, params, draws, {
      sink: options.onMetrics,
      diagnostics: options.onDiagnostics,
      evaluated: options.onEvaluated,
      checkpoint: options.onCheckpoint === undefined ? undefined : { every: options.checkpointEvery ?? 'auto', save: options.onCheckpoint, now: options.checkpointNow },
      clock,
      backend: backend.name,
    });
    if (trainer.engineFallback !== undefined) process.stderr.write(`run-exp: ${msg.kernelFallback(trainer.engineFallback)}\n`);
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
      engine: trainer.engine.name,
      ...(trainer.engineFallback === undefined ? {} : { engine_fallback: trainer.engineFallback }),
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
    trainer?.dispose();
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
  sink?: (rows: MetricRow[]) => void | Promise<void>; // each chunk's rows, in step order; the next chunk trains once it resolves (flow control)
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
  readonly engine: Engine; // runs the steps, a chunk at a time, and holds the weights meanwhile
  readonly engineFallback: string | undefined; // why the kernel the trial asked for did not train it (tfjs did)
  private readonly chunkSteps: number; // the most steps of a chunk: the engine's
  private readonly B: number; // examples a step
  private readonly rows: Int32Array | 'full'; // (chunkSteps·B,) a chunk's minibatch row indices, or the whole split
  private readonly losses: Float32Array; // (chunkSteps,) a chunk's losses
  private disposed = false;
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
    const { name, fallback } = engineFor(config.engine);
    this.engineFallback = fallback;
    this.engine = createEngine(name, data.train, params, { batch: batch_size, loss: config.loss, chunkSteps: chunkSteps(lr) });
    this.chunkSteps = this.engine.maxSteps; // a function of the shapes alone: every chunk's end still depends on its step alone
    const B = (this.B = batch_size === 'full' ? data.train.n : batch_size);
    this.rows = batch_size === 'full' ? 'full' : new Int32Array(this.chunkSteps * B);
    this.losses = new Float32Array(this.chunkSteps);
    this.checkpointEvery = hooks.checkpoint === undefined ? null : checkpointInterval(hooks.checkpoint.every, config.model, B, data.vocab.length, this.engine.name, this.chunkSteps);
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
      state.engine !== this.engine.name ? `it was trained by the ${state.engine} engine, this run trains with ${this.engine.name}`
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
      engine: this.engine.name,
      vocab: this.data.vocab,
    };
  }

  /**
   * The weights as float32 arrays by parameter name: the one place a checkpoint reads them, and setWeights the one
   * place it writes them back (an engine that keeps the weights elsewhere, as the kernel's memory, gives and takes
   * them here).
   */
  private weights(): Record<string, Float32Array> {
    this.engine.toParams();
    return paramValues(this.params);
  }

  private setWeights(values: Readonly<Record<string, Float32Array>>): void {
    setParamValues(this.params, values);
    this.engine.fromParams();
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
      const end = this.chunkEnd(until);
      const t = performance.now();
      const cpu = process.cpuUsage();
      const lrs = lrTable(this.config.train.lr, steps, this.step, end); // (end − step,)
      const last = this.trainChunk(this.step, end, lrs);
      const used = process.cpuUsage(cpu);
      this.trainSeconds += (performance.now() - t) / 1000;
      this.trainCpuSeconds += (used.user + used.system) / 1e6;
      this.step = end;
      this.notePeak();
      const evaluated = this.status === 'ok' && this.step % every === 0;
      if (evaluated) this.evaluate();
      const handedOver = this.flush();
      this.progress(onProgress, last);
      await handedOver; // flow control: the sink takes more rows (a chunk or two unwritten at most, src/launch/in-flight.ts)
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

  /**
   * Where the chunk that starts at `step` ends: at the next evaluation, the next diagnostics step, after the engine's
   * most steps, or at `until`, whichever comes first; a function of the step alone, so that a resumed trial cuts the
   * same chunks. (A diagnostics step is looked at from outside before its update, with its minibatch: the engine holds
   * the weights only between chunks, so its chunk begins there; trainChunk draws the chunk's minibatches first.)
   */
  private chunkEnd(until: number): number {
    const every = this.config.eval.every;
    const nextEval = (Math.floor(this.step / every) + 1) * every;
    return Math.min(until, this.step + this.chunkSteps, nextEval, this.nextDiagnostics());
  }

  /**
   * Steps [from, to) at the rates `lrs` on the engine, their rows recorded; returns the chunk's last loss kept. The
   * minibatches' row indices are drawn first, the chunk's all at once (rows[k·B … k·B+B) is step from+k's), from the
   * trial's generator. The engine stops at a non-finite loss itself, before that step's update; a range test that
   * blows up inside the chunk (its smoothed loss past 4 × its best, a step whose row is kept) goes back to the
   * chunk's start and trains again up to that step, so that the weights, the last evaluation and weights.json are
   * those of the step where the metrics stop. When step `from` is a diagnostics step (chunks begin at every one), its
   * diagnostics come first, on its own minibatch before its update: the same draws and the same steps as without them.
   */
  private trainChunk(from: number, to: number, lrs: Float64Array): number {
    const k = to - from;
    const rows = this.rows === 'full' ? 'full' : this.draws.batch.fillInt(this.rows.subarray(0, k * this.B), this.data.train.n);
    const every = this.config.diagnostics?.every;
    if (every !== undefined && from % every === 0) this.diagnose(from, rows, lrs[0]!);
    if (this.rangeTest !== null) this.engine.save();
    const done = this.engine.trainChunk(rows, lrs, this.losses, k);
    const losses = this.losses.subarray(0, Math.min(k, done + 1)); // the first non-finite loss too, when there is one
    this.record(from, losses, lrs);
    const last = losses[losses.length - 1]!;
    if (this.stepsReached < from + done) {
      this.engine.restore();
      this.engine.trainChunk(rows, lrs, this.losses, this.stepsReached - from);
    }
    return last;
  }

  /**
   * Step `step`'s diagnostics (diagnostics.ts: TF.js's backward pass, whatever the engine) on its minibatch (the first
   * B of the chunk's rows, or the whole split), from the weights before its update: the engine's, copied to the Params.
   */
  private diagnose(step: number, rows: Int32Array | 'full', lr: number): void {
    this.engine.toParams();
    const batch = batchTensors(this.data.train, rows, 0, this.B);
    try {
      this.pendingDiagnostics.push(diagnose(this.params, batch, lr, this.config.loss, step));
    } finally {
      batch.X.dispose();
      batch.Y.dispose();
    }
  }

  /** The end of training (all steps, or a divergence): the final full-split losses, unless just taken; the weights in the Params. */
  finish(): void {
    this.engine.toParams();
    if (this.lastEvalStep !== this.stepsReached) this.evaluate();
    void this.flush(); // handed over now, before the trial's end; nothing trains after them
    this.dispose();
  }

  /** Let the engine go (its memory, its instance of the kernel); a second call does nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.dispose();
  }

  /**
   * Hand the rows gathered since the last flush to their sinks (a chunk's diagnostics, taken at its start, first), at
   * once; the promise is the metrics sink's: it resolves when the sink takes more (the end's last rows need no wait).
   */
  private flush(): Promise<void> {
    if (this.pendingDiagnostics.length > 0) {
      const rows = this.pendingDiagnostics;
      this.pendingDiagnostics = [];
      this.hooks.diagnostics?.(rows);
    }
    if (this.pending.length === 0) return Promise.resolve();
    const rows = this.pending;
    this.pending = [];
    return Promise.resolve(this.hooks.sink?.(rows));
  }

  /** The next step after this one whose diagnostics are due (diagnostics.every; chunks end there), or Infinity. */
  private nextDiagnostics(): number {
    const every = this.config.diagnostics?.every;
    return every === undefined ? Infinity : (Math.floor(this.step / every) + 1) * every;
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
    this.engine.toParams();
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
