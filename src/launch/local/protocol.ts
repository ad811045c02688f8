// The messages between the parent (pool.ts, execa's IPC) and a worker process (serve.ts, Node's channel), serialised
// by structured clone, so numbers, arrays and nested objects cross as they are. One worker runs one trial at a time:
//
//   parent                              worker
//     ◀──────── ready ──────────────────── (imports done: TF.js is loaded, the worker is warm)
//     ── trial {trial, backend, resume?} ─▶ (resume: the checkpoint to go on from)
//     ◀──── started {start} ─────────────  (set up: from step 0, or from the checkpoint)
//     ◀─── progress, diagnostics, metrics … (progress every few hundred ms at most; a chunk's rows as it ends)
//     ── written ────────────────────────▶ (a metrics message's rows, and all before, are on disk: the worker has
//                                          CHUNKS_IN_FLIGHT unwritten at most and waits for this to send more)
//     ◀──── evaluated {step} ────────────  (early stopping only: after an evaluation, the worker waits for …)
//     ── verdict {step, verdict} ────────▶ (… go on, or stop here)
//     ◀──── checkpoint {state} ──────────  (every checkpoint.every steps, after the rows up to it)
//     ── pause ──────────────────────────▶ (a signal: a checkpoint at the next chunk boundary, then …)
//     ◀──── checkpoint {state, last} ────  (… the worker trains no more and waits to be stopped)
//     ◀── result {output} | error ───────  (one of them ends the trial)
//     ── trial … ────────────────────────▶ (the same warm worker takes the next trial)
//     ── exit ───────────────────────────▶ (no more trials: the worker leaves its loop and ends)
//
// The worker never writes results to disk: the parent writes every file, so one process owns atomicity and
// cleanup, and a worker killed at any moment cannot leave a half-written file behind.
import type { BackendName, CheckpointEvery, DiagnosticsRow, MetricRow, Progress, TrainState, Trial, TrialOutput, TrialStart, Verdict } from '../../types.js';

/** Parent → worker: train this trial. */
export interface TrialMessage {
  type: 'trial';
  trial: Trial;
  backend: BackendName;
  early_stop: boolean; // ask for a verdict after each evaluation
  checkpoint_every: CheckpointEvery;
  resume?: TrainState; // go on from this checkpoint
}

/** Parent → worker: a signal came; take a checkpoint at the next chunk boundary, send it, then train no more. */
export interface PauseMessage {
  type: 'pause';
  id: string;
}

/** Parent → worker: early stopping's verdict on the trial's evaluation at `step`. */
export interface VerdictMessage {
  type: 'verdict';
  id: string;
  step: number;
  verdict: Verdict;
}

/** Parent → worker: the rows of the trial's oldest unanswered metrics message (and everything before) are written. */
export interface WrittenMessage {
  type: 'written';
  id: string;
}

/** Parent → worker: no more trials; end the process. */
export interface ExitMessage {
  type: 'exit';
}

/** Every message the parent sends. */
export type ParentMessage = TrialMessage | PauseMessage | VerdictMessage | WrittenMessage | ExitMessage;

/** Worker → parent: the worker has loaded its modules and waits for a trial. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
  load_seconds: number; // from process start to ready (node start + imports, TF.js included)
}

/** Worker → parent: the trial is set up and about to train, from step 0 or from the checkpoint it was given. */
export interface StartedMessage {
  type: 'started';
  id: string;
  start: TrialStart;
}

/** Worker → parent: how far the current trial is. */
export interface ProgressMessage {
  type: 'progress';
  id: string;
  progress: Progress;
}

/** Worker → parent: the rows of metrics.jsonl of the chunk that just ended, in step order; answered by `written`. */
export interface MetricsMessage {
  type: 'metrics';
  id: string;
  rows: MetricRow[];
}

/** Worker → parent: the rows of diagnostics.jsonl taken in the chunk that just ended (before its metrics). */
export interface DiagnosticsMessage {
  type: 'diagnostics';
  id: string;
  rows: DiagnosticsRow[];
}

/** Worker → parent: the trial was just evaluated at `step` (its rows went out before); it waits for a verdict. */
export interface EvaluatedMessage {
  type: 'evaluated';
  id: string;
  step: number;
}

/** Worker → parent: the trial's state at a chunk boundary (its rows went out before); `last`: asked for by pause, it trains no more. */
export interface CheckpointMessage {
  type: 'checkpoint';
  id: string;
  state: TrainState;
  last: boolean;
}

/** Worker → parent: the trial trained to its end (ok, diverged or stopped); its metrics went out before, chunk by chunk. */
export interface ResultMessage {
  type: 'result';
  id: string;
  output: TrialOutput;
}

/** Worker → parent: the trial threw; the worker is then retired. */
export interface ErrorMessage {
  type: 'error';
  id: string;
  error: { message: string; stack: string };
}

/** Every message a worker sends. */
export type WorkerMessage = ReadyMessage | StartedMessage | ProgressMessage | MetricsMessage | DiagnosticsMessage | EvaluatedMessage | CheckpointMessage | ResultMessage | ErrorMessage;

const WORKER_TYPES = new Set(['ready', 'started', 'progress', 'metrics', 'diagnostics', 'evaluated', 'checkpoint', 'result', 'error']);
const PARENT_TYPES = new Set(['trial', 'pause', 'verdict', 'written', 'exit']);

/** Whether a value received over IPC is a worker message (anything else is a protocol error). */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && WORKER_TYPES.has((value as { type?: unknown }).type as string);
}

/** Whether a value received over IPC is a parent message. */
export function isParentMessage(value: unknown): value is ParentMessage {
  return typeof value === 'object' && value !== null && PARENT_TYPES.has((value as { type?: unknown }).type as string);
}
