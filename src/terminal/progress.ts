// What the user sees while trials run, on stderr: bars on a terminal, plain lines elsewhere, nothing with --quiet.
import cliProgress from 'cli-progress';
import type { Progress, Summary, Trial } from '../types.js';
import { describeParams } from '../values.js';
import { formatDurationShort, formatLoss } from '../format.js';
import { formatStatus } from './style.js';

/** Shows the trials as they run; the run does not care how (or whether) they are shown. */
export interface ProgressDisplay {
  /** A message for the user (skipped trials, a failed report …). */
  note(line: string): void;
  start(trial: Trial): void;
  progress(trial: Trial, progress: Progress): void;
  end(trial: Trial, summary: Summary): void;
  /** Take the display down (bars cleared, timers stopped); called once, also on interrupt. */
  stop(): void;
}

/** Where and how to show progress, and which trials will run. */
export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  quiet: boolean;
  color: boolean;
  trials: Trial[]; // the trials that will run
  intervalMs?: number; // plain lines: how often running trials are reported (default 10 s)
}

/** Bars when the stream is a terminal, plain lines when not, silence when quiet. */
export function createProgressDisplay(options: ProgressOptions): ProgressDisplay {
  if (options.quiet) return silent;
  return options.stream.isTTY === true && options.trials.length > 0 ? new Bars(options) : new Lines(options);
}

const silent: ProgressDisplay = { note() {}, start() {}, progress() {}, end() {}, stop() {} };

/** The label of a trial in progress output: its id and the values that vary. */
function label(trial: Trial): string {
  const params = describeParams(trial.params);
  return params === '' ? trial.id : `${trial.id} ${params}`;
}

function endLine(trial: Trial, summary: Summary, color: boolean): string {
  const losses = `train ${formatLoss(summary.final.train_loss)} dev ${formatLoss(summary.final.dev_loss)}`;
  const why = summary.status === 'ok' ? '' : ` (${summary.reason ?? 'no reason given'})`;
  const resumed = summary.resumed_from === undefined ? '' : `, resumed from step ${summary.resumed_from.toLocaleString('en-US')}`;
  return `${label(trial)}: ${formatStatus(summary.status, color)}${why}, ${losses}, ${formatDurationShort(summary.seconds)}${resumed}`;
}

/** A terminal: an overall bar (steps of all trials, trials done) and a bar per running trial. */
class Bars implements ProgressDisplay {
  private readonly multibar: cliProgress.MultiBar;
  private readonly overall: cliProgress.SingleBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly stepsDone = new Map<string, number>();
  private ended = 0;

  constructor(private readonly options: ProgressOptions) {
    this.multibar = new cliProgress.MultiBar({
      stream: options.stream,
      format: '{label} {bar} {value}/{total} | loss {loss} | {rate} steps/s | ETA {eta_formatted}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      autopadding: true,
      etaBuffer: 50,
      fps: 5,
    });
    const total = options.trials.reduce((sum, t) => sum + t.config.train.steps, 0);
    this.overall = this.multibar.create(total, 0, { label: this.overallLabel(), loss: '-', rate: '-' }, {
      format: '{label} {bar} {percentage}% | ETA {eta_formatted}',
    });
  }

  note(line: string): void {
    this.multibar.log(line + '\n');
  }

  start(trial: Trial): void {
    this.bars.set(trial.id, this.multibar.create(trial.config.train.steps, 0, { label: label(trial), loss: '-', rate: '-' }));
  }

  progress(trial: Trial, p: Progress): void {
    this.bars.get(trial.id)?.update(p.step, { loss: formatLoss(p.loss), rate: p.steps_per_s.toFixed(0) });
    this.stepsDone.set(trial.id, p.step);
    this.updateOverall();
  }

  end(trial: Trial, summary: Summary): void {
    const bar = this.bars.get(trial.id);
    if (bar !== undefined) this.multibar.remove(bar);
    this.bars.delete(trial.id);
    this.stepsDone.set(trial.id, trial.config.train.steps); // a failed or diverged trial's steps are done too
    this.ended += 1;
    this.updateOverall();
    this.multibar.log(endLine(trial, summary, this.options.color) + '\n');
  }

  stop(): void {
    this.multibar.update(); // flush the lines logged since the last redraw (the last trial's end line)
    this.multibar.stop();
  }

  private updateOverall(): void {
    let steps = 0;
    for (const s of this.stepsDone.values()) steps += s;
    this.overall.update(steps, { label: this.overallLabel() });
  }

  private overallLabel(): string {
    return `${this.ended}/${this.options.trials.length} trials`;
  }
}

/** Not a terminal (CI, a pipe, a file): a line per trial at its start, every interval while it runs, and at its end. */
class Lines implements ProgressDisplay {
  private readonly running = new Map<string, { trial: Trial; since: number; progress?: Progress }>();
  private readonly timer: NodeJS.Timeout;
  private started = 0;
  private ended = 0;

  constructor(private readonly options: ProgressOptions) {
    this.timer = setInterval(() => this.tick(), options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  note(line: string): void {
    this.write(line);
  }

  start(trial: Trial): void {
    this.started += 1;
    this.running.set(trial.id, { trial, since: Date.now() });
    this.write(`[${this.started}/${this.options.trials.length}] start ${label(trial)}`);
  }

  progress(trial: Trial, progress: Progress): void {
    const entry = this.running.get(trial.id);
    if (entry !== undefined) entry.progress = progress;
  }

  end(trial: Trial, summary: Summary): void {
    this.running.delete(trial.id);
    this.ended += 1;
    this.write(`[${this.ended}/${this.options.trials.length}] ${endLine(trial, summary, this.options.color)}`);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    for (const { trial, since, progress: p } of this.running.values()) {
      if (p === undefined) {
        this.write(`${trial.id}: starting (${formatDurationShort((Date.now() - since) / 1000)}, no step done yet)`);
        continue;
      }
      const eta = p.steps_per_s > 0 ? formatDurationShort((p.steps - p.step) / p.steps_per_s) : '-';
      this.write(`${trial.id}: step ${p.step}/${p.steps}, loss ${formatLoss(p.loss)}, ${p.steps_per_s.toFixed(0)} steps/s, ETA ${eta}`);
    }
  }

  private write(line: string): void {
    this.options.stream.write(line + '\n');
  }
}
