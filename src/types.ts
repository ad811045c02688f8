// Plain data passed between pipeline stages: expand → run → report.
// Everything here is JSON-serialisable; it is what config.json, metrics.jsonl and summary.json hold. The trials and
// the plan are what the config stages produce (src/config/trial.ts); they are re-exported here with the rest.
import type { EngineName, SplitName, TrialStatus } from './config/schema.js';
import type { RngState } from './rng/streams.js';
import type { TorchGeneratorState } from './rng/torch.js';

export type { Plan, ResolvedData, Trial, TrialConfig } from './config/trial.js';

/** A line of metrics.jsonl: a training step, or a full-split evaluation. */
export type MetricRow =
  | { step: number; lr: number; loss: number; smooth?: number } // smooth: de-biased EMA (range tests)
  | { step: number; split: SplitName; loss: number };

/**
 * A line of diagnostics.jsonl: inside the net at SGD step `step`, on that step's minibatch before its update, at rate
 * `lr` (src/train/diagnostics.ts). Standard deviations are unbiased (n − 1), as torch's std(); null: not finite.
 */
export interface DiagnosticsRow {
  step: number;
  lr: number;
  tanh: TanhStats;
  params: { C: ParamStats; W1: ParamStats; b1: ParamStats; W2: ParamStats; b2: ParamStats };
}

/** The hidden layer's activations h (B, H) on the step's minibatch. */
export interface TanhStats {
  mean: number | null;
  std: number | null;
  saturated: number; // the fraction of h with |h| > 0.97
  dead: number; // units saturated (|h| > 0.97) on every example of the minibatch: no gradient flows through them
  hist: number[]; // counts of h in 50 equal bins over [−1, 1] (the last bin holds 1 itself)
}

/** One parameter p and its gradient ∂loss/∂p at the step. */
export interface ParamStats {
  grad_std: number | null;
  data_std: number | null;
  grad_data: number | null; // std(grad) / std(p)
  update_data: number | null; // log10(std(lr · grad) / std(p)): the lecture's update:data ratio, about −3 when healthy
}

/** Full-split losses at the end of a trial (null where not evaluated). */
export interface FinalLosses {
  train_loss: number | null;
  dev_loss: number | null;
  test_loss: number | null;
}

/** summary.json: written last; a trial is finished exactly when it exists. */
export interface Summary {
  id: string;
  status: TrialStatus;
  reason?: string; // why diverged or failed, in words
  error?: string; // failed: the error message and stack
  steps: number; // steps reached
  steps_planned: number;
  final: FinalLosses; // full-split losses at the end (null where not evaluated)
  first_loss?: number; // the training loss of step 0 (absent when step 0 did not give a finite loss)
  steps_per_s: number; // steps / train_seconds: the training loop's speed (resumed: over every run that trained it)
  seconds: number; // wall-clock time of the whole trial (resumed: the runs' time up to each checkpoint it went on from, plus the last run's)
  train_seconds: number; // the training loop alone (resumed: summed as `seconds` is)
  train_cpu_seconds?: number; // CPU time of the process during the training loop (user + system, V8 helper threads included)
  engine: EngineName; // what ran the SGD steps (a summary written before the key existed: tfjs)
  engine_fallback?: string; // why the kernel did not train a trial that asked for it (it trained on tfjs)
  backend: string; // 'tensorflow' | 'wasm' | 'cpu': TensorFlow.js's, for the tfjs engine, evaluation and sampling
  backend_version: string; // @tensorflow/tfjs version (and backend details)
  params: number; // parameter count
  seed: number;
  suggested_lr?: SuggestedLr; // range tests only
  vocab: string; // index → character; '.' at 0
  words: { train: number; dev: number; test: number };
  examples: { train: number; dev: number; test: number };
  reference: { uniform: number; bigram: number }; // ln V, and the bigram model's loss on the training split
  peak_bytes?: number; // peak resident memory of the process during the trial (Linux: its high-water mark, VmHWM), where measured (resumed: the most of every run's)
  resumed_from?: number; // the step of the checkpoint this run went on from (absent: trained from step 0 in one run)
  slurm?: SlurmTaskInfo; // the Slurm task that ran the trial (--executor slurm)
  started_at: string; // ISO time
  finished_at: string;
}

/**
 * The learning rates an LR range test suggests (null where its points do not allow one). Before #17 summary.json held
 * `min_over_10`, the valley ÷ 10, instead of `valley`: src/store/summary.ts reads either.
 */
export interface SuggestedLr {
  steepest: number | null; // where the smoothed loss falls fastest per decade of lr (fastai's and Lightning's suggestion)
  valley: number | null; // at the least smoothed loss: where the lecture reads its lr
}

/** Which Slurm array task ran a trial, and how Slurm saw it end (state and exit code when Slurm ended it). */
export interface SlurmTaskInfo {
  job_id: string; // the array's job id
  task: number; // the array task index
  node?: string;
  state?: string; // Slurm's JobState, e.g. CANCELLED, TIMEOUT, FAILED
  exit_code?: string; // Slurm's ExitCode, "code:signal"
}

/** Progress a worker reports while training. */
export interface Progress {
  step: number;
  steps: number;
  loss: number;
  steps_per_s: number;
}

/** weights.json: trained parameters. */
export interface Weight {
  name: string; // C, W1, b1, W2, b2
  shape: number[];
  values: number[];
}

/** run.json, next to experiment.yaml: when and how the experiment ran (the report's header). */
export interface RunInfo {
  name: string;
  file: string;
  started_at: string;
  finished_at: string;
  seconds: number;
  git_commit: string | null;
  run_exp_version: string;
  node_version: string;
  argv: string[];
}

/** What one training job produces at its end (its metrics rows went out chunk by chunk, through TrainOptions.onMetrics). */
export interface TrialOutput {
  summary: Summary;
  samples: string[];
  weights: Weight[];
}

/** The --backend choices: auto picks tfjs-node, else wasm, else cpu. */
export type BackendName = 'auto' | 'node' | 'wasm' | 'cpu';

/** Options of one training job that are not part of its configuration (they do not change its id). */
export interface TrainOptions {
  id: string;
  backend: BackendName;
  onProgress?: (p: Progress) => void; // called every few hundred ms at most
  onMetrics?: (rows: MetricRow[]) => void | Promise<void>; // each chunk's rows of metrics.jsonl, in step order, as the chunk ends; the next chunk waits for the promise
  onDiagnostics?: (rows: DiagnosticsRow[]) => void; // diagnostics.jsonl's rows (diagnostics.every), each chunk's before its metrics
  onEvaluated?: (step: number) => Promise<Verdict>; // early stopping: asked after each evaluation before the last step
  resume?: TrainState; // go on from this checkpoint, when it fits (the same backend, engine and vocabulary)
  onStart?: (start: TrialStart) => void; // set up and about to train: from step 0, or from the checkpoint
  checkpointEvery?: CheckpointEvery; // steps between checkpoints (default: auto)
  /** A checkpoint, at a chunk boundary after its rows went to onMetrics; training waits for the promise. */
  onCheckpoint?: (state: TrainState) => void | Promise<void>;
  checkpointNow?: () => boolean; // asked at each chunk boundary: true takes a checkpoint there besides the interval's (a signal)
}

/** checkpoint.every: steps, auto (about a minute at the planned speed, src/train/cost.ts) or never. */
export type CheckpointEvery = number | 'auto' | 'never';

/** How a trial begins: from step 0, or from its checkpoint; `not_resumed` says why a checkpoint offered was not used. */
export interface TrialStart {
  resumed_from: number | null;
  not_resumed?: string;
}

/**
 * Every generator of a trial, where it is: rng streams, a stream per purpose; rng torch, the lecture's generator (its
 * initial weights, then its minibatches) and the sampler's.
 */
export type DrawsState =
  | { rng: 'streams'; init: RngState; batch: RngState; sample: RngState }
  | { rng: 'torch'; generator: TorchGeneratorState; sample: TorchGeneratorState };

/** An LR range test's bookkeeping (src/train/range-test.ts): its EMA, best smoothed loss, and every step's lr and smoothed loss. */
export interface RangeTestState {
  avg: number;
  best: number;
  lrs: Float64Array; // (steps so far,)
  smooth: Float64Array; // (steps so far,)
}

/**
 * A trial at a chunk boundary, as plain data: everything the steps after it depend on (the weights, every generator,
 * the range test, the latest evaluation), so that going on from it computes, bit for bit, what the trial would have
 * computed without stopping there; and what it was trained with, so that only the same backend, engine and
 * vocabulary go on from it. Weights are float32 arrays by parameter name (C, W1, b1, W2, b2), whatever engine holds them.
 */
export interface TrainState {
  step: number; // steps trained: the weights' step, and where the next chunk begins
  weights: Record<string, Float32Array>;
  draws: DrawsState;
  first_loss: number | null; // the loss of step 0
  final: FinalLosses; // the latest evaluation's losses
  last_eval_step: number; // the step of the latest evaluation (−1: none yet)
  range_test: RangeTestState | null;
  time: { seconds: number; train_seconds: number; train_cpu_seconds: number; peak_bytes: number; started_at: string }; // up to here, every run summed
  backend: string; // as the summary names it: tensorflow, wasm, cpu
  engine: string; // the training engine (tfjs)
  vocab: string;
}

/** Early stopping's answer after an evaluation: go on, or stop here (status stopped, with the reason). */
export type Verdict = { stop: false } | { stop: true; reason: string };
