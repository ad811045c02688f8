// A trial's files as the trial runs, DIR/NAME/trials/ID/: config.json when it starts, metrics.jsonl (and
// diagnostics.jsonl when the trial takes diagnostics) a chunk at a time while it trains, checkpoint.json every
// checkpoint.every steps, the rest when it ends, summary.json last (then the checkpoint goes). A trial is finished
// exactly when its summary.json exists; until then its directory may hold config.json, the metrics.jsonl (and
// diagnostics.jsonl) of the steps trained so far and the latest checkpoint (a trial that was interrupted, or is still
// running): the next attempt goes on from that checkpoint, both files cut back to it. Whoever runs the trial writes
// them: the parent of local workers, or a Slurm task for itself. Every write goes through fs-errors.ts: a failure of
// the disk is a StoreFault, and the JSON-lines files keep whole lines.
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DiagnosticsRow, MetricRow, Summary, TrainState, Trial, TrialOutput } from '../types.js';
import { readCheckpoint, removeCheckpoint, writeCheckpoint, type Checkpoint, type MetricsMark } from './checkpoint.js';
import { writeFileAtomic } from './files.js';
import { StoreFault, faultOf, guarded } from './fs-errors.js';

/** The files a trial's outputs go to; an earlier attempt's are removed when a new one begins. */
const OUTPUTS = ['metrics.jsonl', 'diagnostics.jsonl', 'samples.txt', 'weights.json', 'stderr.log'];

/** The streamed files a resumed trial keeps (cut back to its checkpoint) and goes on appending to. */
const STREAMED = ['metrics.jsonl', 'diagnostics.jsonl'];

/**
 * Start a trial's files afresh: unfinish it (an earlier summary goes first), drop an earlier attempt's outputs and
 * checkpoint, write config.json and an empty metrics.jsonl (and diagnostics.jsonl, when the trial takes diagnostics).
 */
export async function beginTrial(dir: string, trial: Trial): Promise<void> {
  await unfinish(dir);
  await startFiles(dir, trial, { keepMetrics: false });
}

/** The trial is no longer finished: its folder exists and an earlier summary is gone (before any other file changes). */
async function unfinish(dir: string): Promise<void> {
  await guarded('create the folder', dir, () => mkdir(dir, { recursive: true })); // trials/ exists: one level
  await remove(path.join(dir, 'summary.json'));
}

/** Remove a file of the store (none is fine); a failure of the disk is a StoreFault. */
function remove(file: string): Promise<void> {
  return guarded('remove', file, () => rm(file, { force: true }));
}

/**
 * An earlier attempt's outputs go (all of them, or all but metrics.jsonl, diagnostics.jsonl and the checkpoint, which a
 * resumed trial goes on from); config.json is written.
 */
async function startFiles(dir: string, trial: Trial, options: { keepMetrics: boolean }): Promise<void> {
  await Promise.all(OUTPUTS.filter((f) => !(options.keepMetrics && STREAMED.includes(f))).map((f) => remove(path.join(dir, f))));
  if (!options.keepMetrics) await removeCheckpoint(dir);
  await writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(trial, null, 2) + '\n');
  if (options.keepMetrics) return;
  const empty = (file: string) => guarded('write', file, () => writeFile(file, ''));
  await empty(path.join(dir, 'metrics.jsonl'));
  if (trial.config.diagnostics !== undefined) await empty(path.join(dir, 'diagnostics.jsonl'));
}

/**
 * Append rows to metrics.jsonl, one JSON object a line (whole lines, in the order given). A write the disk cuts short
 * (full, or failing) is cut back to where it began, so the file still ends with a whole line; then it throws the fault.
 */
export async function appendMetrics(dir: string, rows: readonly MetricRow[]): Promise<void> {
  if (rows.length > 0) await appendText(path.join(dir, 'metrics.jsonl'), Buffer.from(linesText(rows)));
}

async function appendText(file: string, text: Buffer): Promise<void> {
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

/** The mark of a file with no rows yet. */
const NO_ROWS: MetricsMark = { rows: 0, bytes: 0, last_line: '' };

/** How a trial's files began: fresh, or from its checkpoint (metrics.jsonl cut back to it); `dropped`: why a checkpoint found was not used. */
export interface Begun {
  checkpoint?: Checkpoint;
  dropped?: string;
}

/**
 * Start a trial's files and go on from its checkpoint where it has a usable one: as beginTrial, but metrics.jsonl (and
 * diagnostics.jsonl) is cut back to the checkpoint's rows (what was appended after it, a line cut short by a kill
 * included, goes) instead of emptied, and the checkpoint stays. A checkpoint that is damaged, of another trial or
 * configuration, or whose rows the files do not hold is removed and the trial begins afresh; `dropped` says why.
 */
export async function resumeTrial(dir: string, trial: Trial): Promise<Begun> {
  await unfinish(dir);
  const found = await readCheckpoint(dir, trial);
  const cut = found.kind === 'found' ? await cutStreams(dir, found.checkpoint) : undefined;
  if (found.kind === 'found' && cut === undefined) {
    await startFiles(dir, trial, { keepMetrics: true });
    return { checkpoint: found.checkpoint };
  }
  await startFiles(dir, trial, { keepMetrics: false });
  return found.kind === 'unusable' ? { dropped: found.reason } : cut === undefined ? {} : { dropped: cut };
}

/** Cut metrics.jsonl, and diagnostics.jsonl where the checkpoint marks it, back to the checkpoint; undefined when done, else why not. */
async function cutStreams(dir: string, checkpoint: Checkpoint): Promise<string | undefined> {
  const metrics = await cutLines(dir, 'metrics.jsonl', checkpoint.metrics);
  if (metrics !== undefined || checkpoint.diagnostics === undefined) return metrics;
  return cutLines(dir, 'diagnostics.jsonl', checkpoint.diagnostics);
}

/**
 * Cut a JSON-lines file back to a checkpoint's mark, its first `bytes` bytes, when they end with the mark's last line
 * (a whole line); undefined when done, else why it cannot be (the file is shorter, or not the one the checkpoint was
 * taken of).
 */
async function cutLines(dir: string, name: string, mark: MetricsMark): Promise<string | undefined> {
  const file = path.join(dir, name);
  const handle = await open(file, 'r+').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw faultOf(error, 'write', file);
  });
  if (handle === undefined) return `${name} is missing`;
  try {
    const { size } = await handle.stat();
    if (size < mark.bytes) return `${name} holds ${size} bytes, fewer than the ${mark.bytes} it had at the checkpoint`;
    if (mark.rows > 0) {
      const line = Buffer.from(mark.last_line + '\n');
      const from = Math.max(0, mark.bytes - line.length - 1); // the line, and the newline before it unless it is the first
      const seen = Buffer.alloc(mark.bytes - from);
      await handle.read(seen, 0, seen.length, from);
      const whole = seen.length === line.length ? from === 0 : seen[0] === 0x0a;
      if (!whole || !seen.subarray(seen.length - line.length).equals(line)) {
        return `${name} is not the one the checkpoint was taken of (its line ending at byte ${mark.bytes} is not the checkpoint's last row)`;
      }
    }
    await guarded('write', file, () => handle.truncate(mark.bytes));
    return undefined;
  } finally {
    await handle.close();
  }
}

/** The evaluation rows among the first `bytes` bytes of a trial's metrics.jsonl, in order (what early stopping saw of it). */
export async function evaluationsUpTo(dir: string, bytes: number): Promise<MetricRow[]> {
  const rows: MetricRow[] = [];
  if (bytes === 0) return rows;
  let rest = '';
  for await (const chunk of createReadStream(path.join(dir, 'metrics.jsonl'), { encoding: 'utf8', start: 0, end: bytes - 1, highWaterMark: 1 << 20 })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line.includes('"split"')) rows.push(JSON.parse(line) as MetricRow);
  }
  return rows;
}

/** The text metrics.jsonl or diagnostics.jsonl gets for rows: one JSON object a line (appended whole, in the order given). */
function linesText(rows: readonly object[]): string {
  return rows.map((row) => JSON.stringify(row) + '\n').join('');
}

/** Flush a streamed file to the disk (a checkpoint written after it never claims rows a power cut could lose). */
async function syncFile(dir: string, name: string): Promise<void> {
  const file = path.join(dir, name);
  const handle = await guarded('write', file, () => open(file, 'r'));
  try {
    await guarded('write', file, () => handle.datasync());
  } finally {
    await handle.close();
  }
}

/** End a trained trial: samples.txt, weights.json and stderr.log (when the worker wrote something), then summary.json; then its checkpoint goes. */
export async function finishTrial(dir: string, output: TrialOutput, log: string): Promise<void> {
  await writeFileAtomic(path.join(dir, 'samples.txt'), output.samples.map((s) => s + '\n').join(''));
  await writeFileAtomic(path.join(dir, 'weights.json'), JSON.stringify(output.weights));
  await writeLog(dir, log);
  await writeFileAtomic(path.join(dir, 'summary.json'), JSON.stringify(output.summary, null, 2) + '\n');
  await removeCheckpoint(dir); // after the summary: killed in between, the trial is finished and a later run removes it
}

/** End a failed trial: stderr.log and the summary saying why; the metrics of the steps it trained stay, and so does its checkpoint (the next run goes on from it). */
export async function failTrial(dir: string, summary: Summary, log: string): Promise<void> {
  await writeLog(dir, log);
  await writeFileAtomic(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
}

async function writeLog(dir: string, log: string): Promise<void> {
  if (log !== '') await writeFileAtomic(path.join(dir, 'stderr.log'), log);
}

/**
 * The files of one running trial, written in call order on one queue: begin at construction (afresh, or with `resume`
 * from the trial's checkpoint: `begun` says which; await it before the first rows), `diagnostics` and `metrics` for
 * each chunk (they return at once; `metrics`'s promise says when its rows are written, for flow control), `checkpoint` after the rows it covers, then `finish` or `fail`, which wait for everything before and
 * rethrow the first error of any write. `settle` waits without ending the trial (an interrupted run leaves it unfinished).
 * After a failed write nothing more is written (no checkpoint either), and `onFault` hears of it at once: the run stops
 * at its first failed write.
 */
export class TrialWriter {
  readonly begun: Promise<Begun>;
  private queue: Promise<void>;
  private error: unknown = undefined;
  private lastStepRow = -1;
  private mark: MetricsMark = NO_ROWS; // metrics.jsonl once the queued rows are written
  private diagnosticsMark: MetricsMark = NO_ROWS; // diagnostics.jsonl, likewise
  private saved: number | null = null; // the step of the latest checkpoint on disk
  private readonly onFault: ((fault: StoreFault) => void) | undefined;

  constructor(
    readonly dir: string,
    private readonly trial: Trial,
    options: { resume?: boolean; onFault?: (fault: StoreFault) => void } = {},
  ) {
    this.onFault = options.onFault;
    let begun!: (b: Begun) => void;
    this.begun = new Promise((resolve) => (begun = resolve));
    this.queue = this.guard(async () => {
      if (options.resume !== true) return begun(await beginTrial(dir, trial).then(() => ({})));
      const b = await resumeTrial(dir, trial);
      if (b.checkpoint !== undefined) {
        this.mark = { ...b.checkpoint.metrics };
        this.diagnosticsMark = { ...(b.checkpoint.diagnostics ?? NO_ROWS) };
        this.lastStepRow = b.checkpoint.step - 1;
        this.saved = b.checkpoint.step;
      }
      begun(b);
    }).finally(() => begun({}));
  }

  /** Steps whose rows are in metrics.jsonl (the last step row's step + 1): how far a trial that dies got. */
  get stepsWritten(): number {
    return this.lastStepRow + 1;
  }

  /** The step of the latest checkpoint written (or gone on from), or null when the trial has none. */
  get checkpointStep(): number | null {
    return this.saved;
  }

  /** Queue a chunk's rows for metrics.jsonl; resolves once they (and every write queued before them) are written, or failed. */
  metrics(rows: readonly MetricRow[]): Promise<void> {
    if (rows.length > 0) {
      for (const row of rows) if (!('split' in row)) this.lastStepRow = Math.max(this.lastStepRow, row.step);
      this.mark = this.append('metrics.jsonl', this.mark, rows);
    }
    return this.settle();
  }

  /** Queue a chunk's diagnostics for diagnostics.jsonl. */
  diagnostics(rows: readonly DiagnosticsRow[]): void {
    if (rows.length === 0) return;
    this.diagnosticsMark = this.append('diagnostics.jsonl', this.diagnosticsMark, rows);
  }

  /** Queue rows for a streamed file; the file's mark once they are written. */
  private append(name: string, mark: MetricsMark, rows: readonly object[]): MetricsMark {
    const text = linesText(rows);
    this.enqueue(() => appendText(path.join(this.dir, name), Buffer.from(text)));
    return { rows: mark.rows + rows.length, bytes: mark.bytes + Buffer.byteLength(text), last_line: JSON.stringify(rows.at(-1)) };
  }

  /** Queue a checkpoint after the rows queued so far (they reach the disk first); resolves once it is written. */
  checkpoint(state: TrainState): Promise<void> {
    const mark = this.mark;
    const diagnostics = this.trial.config.diagnostics === undefined ? undefined : this.diagnosticsMark;
    this.enqueue(async () => {
      await syncFile(this.dir, 'metrics.jsonl');
      if (diagnostics !== undefined) await syncFile(this.dir, 'diagnostics.jsonl');
      await writeCheckpoint(this.dir, this.trial, state, mark, diagnostics);
      this.saved = state.step;
    });
    return this.settle();
  }

  /** Begin again from step 0 (the checkpoint begun from could not be used after all): empty streamed files, no checkpoint. */
  restart(): void {
    this.lastStepRow = -1;
    this.mark = this.diagnosticsMark = NO_ROWS;
    this.saved = null;
    const streamed = this.trial.config.diagnostics === undefined ? ['metrics.jsonl'] : STREAMED;
    this.enqueue(async () => {
      await removeCheckpoint(this.dir);
      for (const name of streamed) {
        const file = path.join(this.dir, name);
        await guarded('write', file, () => truncate(file, 0));
      }
    });
  }

  /** The trial trained to its end: its outputs, summary.json last, then its checkpoint goes. */
  async finish(output: TrialOutput, log: string): Promise<void> {
    this.enqueue(() => finishTrial(this.dir, output, log));
    await this.settle();
    if (this.error !== undefined) throw this.error;
    this.saved = null;
  }

  /** The trial failed: stderr.log and its summary (its checkpoint stays). */
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
      if (error instanceof StoreFault) this.onFault?.(error);
    });
  }
}
