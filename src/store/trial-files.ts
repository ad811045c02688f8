// A trial's files as the trial runs, DIR/NAME/trials/ID/: config.json when it starts, metrics.jsonl a chunk at a
// time while it trains, the rest when it ends, summary.json last. A trial is finished exactly when its summary.json
// exists; until then its directory may hold config.json and the metrics.jsonl of the steps trained so far (a trial
// that was interrupted, or is still running). Whoever runs the trial writes them: the parent of local workers, or a
// Slurm task for itself.
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MetricRow, Summary, Trial, TrialOutput } from '../types.js';
import { writeFileAtomic } from './files.js';
import { StoreFault, faultOf, guarded } from './fs-errors.js';

/** The files a trial's outputs go to; an earlier attempt's are removed when a new one begins. */
const OUTPUTS = ['metrics.jsonl', 'samples.txt', 'weights.json', 'stderr.log'];

/** Start a trial's files: unfinish it (an earlier summary goes first), drop an earlier attempt's outputs, write config.json and an empty metrics.jsonl. */
export async function beginTrial(dir: string, trial: Trial): Promise<void> {
  await guarded('create the folder', dir, () => mkdir(dir, { recursive: true })); // trials/ exists: one level
  const remove = (file: string) => guarded('remove', file, () => rm(file, { force: true }));
  await remove(path.join(dir, 'summary.json'));
  await Promise.all(OUTPUTS.map((f) => remove(path.join(dir, f))));
  await writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(trial, null, 2) + '\n');
  const metrics = path.join(dir, 'metrics.jsonl');
  await guarded('write', metrics, () => writeFile(metrics, ''));
}

/**
 * Append rows to metrics.jsonl, one JSON object a line (whole lines, in the order given). A write the disk cuts short
 * (full, or failing) is cut back to where it began, so the file still ends with a whole line; then it throws the fault.
 */
export async function appendMetrics(dir: string, rows: readonly MetricRow[]): Promise<void> {
  if (rows.length === 0) return;
  const file = path.join(dir, 'metrics.jsonl');
  const text = Buffer.from(rows.map((row) => JSON.stringify(row) + '\n').join(''));
  const handle = await guarded('append to', file, () => open(file, 'a'));
  let before: number | undefined; // the size before this append: where a cut-short write is cut back to
  try {
    before = (await handle.stat()).size;
    for (let written = 0; written < text.length; ) written += (await handle.write(text, written, text.length - written)).bytesWritten;
  } catch (error) {
    if (before !== undefined) await handle.truncate(before).catch(() => {}); // on failure the checker finds the cut line
    throw faultOf(error, 'append to', file);
  } finally {
    await handle.close().catch(() => {});
  }
}

/** End a trained trial: samples.txt, weights.json and stderr.log (when the worker wrote something), then summary.json. */
export async function finishTrial(dir: string, output: TrialOutput, log: string): Promise<void> {
  await writeFileAtomic(path.join(dir, 'samples.txt'), output.samples.map((s) => s + '\n').join(''));
  await writeFileAtomic(path.join(dir, 'weights.json'), JSON.stringify(output.weights));
  await writeLog(dir, log);
  await writeFileAtomic(path.join(dir, 'summary.json'), JSON.stringify(output.summary, null, 2) + '\n');
}

/** End a failed trial: stderr.log and the summary saying why; the metrics of the steps it trained stay. */
export async function failTrial(dir: string, summary: Summary, log: string): Promise<void> {
  await writeLog(dir, log);
  await writeFileAtomic(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
}

async function writeLog(dir: string, log: string): Promise<void> {
  if (log !== '') await writeFileAtomic(path.join(dir, 'stderr.log'), log);
}

/**
 * The files of one running trial, written in call order on one queue: begin at construction, `metrics` for each
 * chunk (it returns at once), then `finish` or `fail`, which wait for everything before and rethrow the first error
 * of any write. `settle` waits without ending the trial (an interrupted run leaves it unfinished). After a failed
 * write nothing more is written, and `onFault` hears of it at once: the run stops at its first failed write.
 */
export class TrialWriter {
  private queue: Promise<void>;
  private error: unknown = undefined;
  private lastStepRow = -1;

  constructor(
    readonly dir: string,
    trial: Trial,
    private readonly onFault: (fault: StoreFault) => void = () => {},
  ) {
    this.queue = this.guard(() => beginTrial(dir, trial));
  }

  /** Steps whose rows are in metrics.jsonl (the last step row's step + 1): how far a trial that dies got. */
  get stepsWritten(): number {
    return this.lastStepRow + 1;
  }

  /** Queue a chunk's rows for metrics.jsonl. */
  metrics(rows: readonly MetricRow[]): void {
    for (const row of rows) if (!('split' in row)) this.lastStepRow = Math.max(this.lastStepRow, row.step);
    this.enqueue(() => appendMetrics(this.dir, rows));
  }

  /** The trial trained to its end: its outputs, summary.json last. */
  async finish(output: TrialOutput, log: string): Promise<void> {
    this.enqueue(() => finishTrial(this.dir, output, log));
    await this.settle();
    if (this.error !== undefined) throw this.error;
  }

  /** The trial failed: stderr.log and its summary. */
  async fail(summary: Summary, log: string): Promise<void> {
    this.enqueue(() => failTrial(this.dir, summary, log));
    await this.settle();
    if (this.error !== undefined) throw this.error;
  }

  /** Wait for every queued write. */
  async settle(): Promise<void> {
    await this.queue;
  }

  private enqueue(write: () => Promise<void>): void {
    this.queue = this.queue.then(() => (this.error === undefined ? this.guard(write) : undefined));
  }

  private guard(write: () => Promise<void>): Promise<void> {
    return write().catch((error: unknown) => {
      if (this.error !== undefined) return;
      this.error = error;
      if (error instanceof StoreFault) this.onFault(error);
    });
  }
}
