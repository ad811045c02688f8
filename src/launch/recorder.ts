// One trial as whoever runs it records it, the same for the local pool's parent and a Slurm task: its files through a
// TrialWriter (config.json at the start, metrics.jsonl chunk by chunk, summary.json last), its progress.json while it
// runs (for `run-exp status`; at most once a second, removed at the end), early stopping told each chunk's rows and
// asked after each evaluation, and its end, a trained trial's outputs or a failure's summary.
import os from 'node:os';
import type { Failure } from './failure.js';
import { failedSummary } from './failure.js';
import type { EarlyStopper } from './early-stop.js';
import type { StoreFault } from '../store/fs-errors.js';
import { removeProgress, writeProgress, type ProgressSource } from '../store/progress.js';
import { TrialWriter } from '../store/trial-files.js';
import type { BackendName, MetricRow, Progress, SlurmTaskInfo, Summary, Trial, TrialOutput, Verdict } from '../types.js';

/** progress.json at most this often: `status` reads it, and a shared file system is not a message queue. */
const PROGRESS_MS = 1000;

/** How a trial's run ended, as its runner saw it: trained to its end (ok, diverged, stopped), or failed. */
export type Ending = { kind: 'output'; output: TrialOutput } | { kind: 'failed'; failure: Failure };

/** What the record of a trial needs besides the trial. */
export interface RecorderOptions {
  backend: BackendName; // as asked for: a failed trial's summary names it (the worker never said which one it got)
  stopper?: EarlyStopper; // early stopping's bookkeeping (undefined: the experiment has no early_stop)
  slurm?: SlurmTaskInfo; // the Slurm task that runs the trial: recorded in its summary
  progress?: ProgressSource; // who writes progress.json (a Slurm task, a local run's token); none: not written
  onFault?: (fault: StoreFault) => void; // a write failed (the disk is full, read-only …): heard at once
}

/** The record of one running trial. */
export class TrialRecorder {
  readonly started = new Date();
  private readonly writer: TrialWriter;
  private last: Progress | undefined;
  private lastWritten = -Infinity; // when progress.json was last written (performance.now())
  private over = false; // ended or abandoned: no more progress.json

  constructor(
    readonly trial: Trial,
    private readonly dir: string, // DIR/NAME/trials/ID
    private readonly options: RecorderOptions,
  ) {
    this.writer = new TrialWriter(dir, trial, options.onFault); // config.json and an empty metrics.jsonl; an earlier attempt's outputs go
    // Started: progress.json at step 0 once the trial's folder is there, so `status` shows it running from now on.
    if (options.progress !== undefined) void this.writer.settle().then(() => this.progress({ step: 0, steps: trial.config.train.steps, loss: Number.NaN, steps_per_s: 0 }));
  }

  /** Steps whose rows are in metrics.jsonl so far. */
  get stepsWritten(): number {
    return this.writer.stepsWritten;
  }

  /** The latest progress (a failed trial's summary keeps its speed), to progress.json at most once a second (and at the last step). */
  progress(p: Progress): void {
    this.last = p;
    const source = this.options.progress;
    const now = performance.now();
    if (source === undefined || this.over || (now - this.lastWritten < PROGRESS_MS && p.step < p.steps)) return;
    this.lastWritten = now;
    writeProgress(this.dir, { ...p, ...source, node: os.hostname(), pid: process.pid, started_at: this.started.toISOString(), updated_at: new Date().toISOString() });
  }

  /** A chunk's rows: to metrics.jsonl, and to early stopping. */
  metrics(rows: MetricRow[]): void {
    this.writer.metrics(rows);
    this.options.stopper?.observe(this.trial.id, rows);
  }

  /** Early stopping's verdict on the evaluation at `step`, from what it has observed (go on when there is no rule). */
  decide(step: number): Verdict {
    return this.options.stopper?.decide(this.trial.id, step) ?? { stop: false };
  }

  /**
   * End the trial's files: a trained trial's outputs, or a failure's summary (the metrics of the steps it trained
   * stay); summary.json last. `log` becomes stderr.log; `times` of a failure default to this record's start and now.
   * Resolves to the summary written; rejects when a write failed.
   */
  async end(ending: Ending, log: string, times: { started?: Date; finished?: Date } = {}): Promise<Summary> {
    const { slurm } = this.options;
    this.leave();
    switch (ending.kind) {
      case 'output': {
        const { output } = ending;
        if (slurm !== undefined) output.summary.slurm = slurm;
        await this.writer.finish(output, log);
        return output.summary;
      }
      case 'failed': {
        await this.writer.settle(); // every row handed over is written: the summary counts them
        const context = { started: times.started ?? this.started, finished: times.finished ?? new Date(), steps: this.writer.stepsWritten, progress: this.last, backend: this.options.backend, stderr: log };
        const summary = failedSummary(this.trial, ending.failure, context);
        if (slurm !== undefined) summary.slurm = slurm;
        await this.writer.fail(summary, log);
        return summary;
      }
      default:
        throw new Error(`ending not recognised: ${JSON.stringify(ending satisfies never)}`);
    }
  }

  /** Wait for every write handed over so far, without ending the trial (an interrupted trial stays unfinished). */
  settle(): Promise<void> {
    return this.writer.settle();
  }

  /** The run stopped this trial before its end (a signal, a full disk): its writes settle, its progress goes, it stays unfinished. */
  async abandon(): Promise<void> {
    this.leave();
    await this.writer.settle();
  }

  /** No more progress.json for this trial: it is over here. */
  private leave(): void {
    this.over = true;
    if (this.options.progress !== undefined) removeProgress(this.dir);
  }
}
