// One trial as whoever runs it records it, the same for the local pool's parent and a Slurm task: its files through a
// TrialWriter (config.json at the start, metrics.jsonl chunk by chunk, checkpoints, summary.json last), its
// progress.json while it runs (for `run-exp status`; at most once a second, removed at the end), early stopping told
// each chunk's rows and asked after each evaluation, and its end, a trained trial's outputs or a failure's summary.
//
// A trial with a usable checkpoint goes on from it: `open` cuts metrics.jsonl back to the checkpoint, tells early
// stopping the evaluations up to it again (in order, as a run that never stopped told them), and hands the state to
// the trainer through `resume`; the trainer says whether it could use it (`started`).
import os from 'node:os';
import type { Failure } from './failure.js';
import { failedSummary } from './failure.js';
import type { EarlyStopper } from './early-stop.js';
import * as msg from '../messages.js';
import type { StoreFault } from '../store/fs-errors.js';
import { removeProgress, writeProgress, type ProgressSource } from '../store/progress.js';
import { evaluationsUpTo, TrialWriter } from '../store/trial-files.js';
import type { BackendName, DiagnosticsRow, MetricRow, Progress, SlurmTaskInfo, Summary, TrainState, Trial, TrialOutput, TrialStart, Verdict } from '../types.js';

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
  note?: (line: string) => void; // a line for the user: the trial goes on from its checkpoint, or why it does not
}

/** The record of one running trial. */
export class TrialRecorder {
  readonly started = new Date();
  /** The checkpoint the trial goes on from, for the trainer (undefined: it begins at step 0). */
  resume: TrainState | undefined;
  private last: Progress | undefined;
  private lastWritten = -Infinity; // when progress.json was last written (performance.now())
  private over = false; // ended or abandoned: no more progress.json
  private resumedFrom: number | undefined; // the trainer went on from the checkpoint at this step

  private constructor(
    readonly trial: Trial,
    private readonly dir: string, // DIR/NAME/trials/ID
    private readonly writer: TrialWriter,
    private readonly options: RecorderOptions,
  ) {}

  /** Begin the trial's files: from its checkpoint when it has a usable one (said), else afresh (why not, when it had one). */
  static async open(trial: Trial, dir: string, options: RecorderOptions): Promise<TrialRecorder> {
    const writer = new TrialWriter(dir, trial, { resume: true, ...(options.onFault === undefined ? {} : { onFault: options.onFault }) });
    const record = new TrialRecorder(trial, dir, writer, options);
    const begun = await writer.begun;
    if (begun.dropped !== undefined) options.note?.(msg.checkpointNotUsed(trial.id, begun.dropped));
    const checkpoint = begun.checkpoint;
    if (checkpoint !== undefined) {
      record.resume = checkpoint.state;
      if (options.stopper !== undefined) {
        // An earlier attempt's rows, told before, go: the evaluations up to the checkpoint are told again, in order.
        options.stopper.forget(trial.id);
        try {
          options.stopper.observe(trial.id, await evaluationsUpTo(dir, checkpoint.metrics.bytes));
        } catch (error) {
          record.begin({ resumed_from: null, not_resumed: `its evaluations could not be read back for early stopping (${(error as Error).message})` });
        }
      }
    }
    // Started: progress.json at its first step once the trial's folder is there, so `status` shows it running from now on.
    if (options.progress !== undefined) record.progress({ step: record.resume?.step ?? 0, steps: trial.config.train.steps, loss: Number.NaN, steps_per_s: 0 });
    return record;
  }

  /** Steps whose rows are in metrics.jsonl so far. */
  get stepsWritten(): number {
    return this.writer.stepsWritten;
  }

  /** The step of the latest checkpoint on disk (written, or gone on from), or null. */
  get checkpointStep(): number | null {
    return this.writer.checkpointStep;
  }

  /** The trainer is set up: it goes on from the checkpoint offered (said), or could not use it and begins at step 0 (said why). */
  begin(start: TrialStart): void {
    if (start.resumed_from !== null) {
      this.resumedFrom = start.resumed_from;
      this.options.note?.(msg.resumedFrom(this.trial.id, start.resumed_from, this.trial.config.train.steps));
      return;
    }
    if (this.resume === undefined) return;
    this.options.note?.(msg.checkpointNotUsed(this.trial.id, start.not_resumed ?? 'the trainer did not use it'));
    this.resume = undefined;
    this.writer.restart();
    this.options.stopper?.forget(this.trial.id);
  }

  /** The latest progress (a failed trial's summary keeps its speed), to progress.json at most once a second (and at the last step). */
  progress(p: Progress): void {
    this.last = p;
    const source = this.options.progress;
    const now = performance.now();
    if (source === undefined || this.over || (now - this.lastWritten < PROGRESS_MS && p.step < p.steps)) return;
    this.lastWritten = now;
    const resumed = this.resumedFrom ?? this.resume?.step; // said by the trainer, or (before it is set up) offered
    writeProgress(this.dir, { ...p, ...source, node: os.hostname(), pid: process.pid, started_at: this.started.toISOString(), updated_at: new Date().toISOString(), ...(resumed === undefined ? {} : { resumed_from: resumed }) });
  }

  /** A chunk's rows: to metrics.jsonl, and to early stopping; resolves once they are written (or the write failed: onFault heard it). */
  metrics(rows: MetricRow[]): Promise<void> {
    const written = this.writer.metrics(rows);
    this.options.stopper?.observe(this.trial.id, rows);
    return written;
  }

  /** A chunk's diagnostics: to diagnostics.jsonl. */
  diagnostics(rows: DiagnosticsRow[]): void {
    this.writer.diagnostics(rows);
  }

  /** A checkpoint, written after the rows it covers; resolves once it is on disk. */
  checkpoint(state: TrainState): Promise<void> {
    return this.writer.checkpoint(state);
  }

  /** Early stopping's verdict on the evaluation at `step`, from what it has observed (go on when there is no rule). */
  decide(step: number): Verdict {
    return this.options.stopper?.decide(this.trial.id, step) ?? { stop: false };
  }

  /**
   * End the trial's files: a trained trial's outputs (its checkpoint then goes), or a failure's summary (the metrics of
   * the steps it trained stay, and its checkpoint: the next run goes on from it); summary.json last. `log` becomes
   * stderr.log; `times` of a failure default to this record's start and now. Resolves to the summary written; rejects
   * when a write failed.
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
