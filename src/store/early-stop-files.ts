// Early stopping from the trials' files, for a process that does not hear the other trials' evaluations: a Slurm task
// decides for itself from the metrics.jsonl its sibling tasks write into the shared DIR/NAME/trials/. Each file is read
// on from where the last read stopped, whole lines only (a line still being appended waits for the next read); a file
// shorter than what was read has been begun again by a new attempt, and is read from its start.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { MetricRow } from '../types.js';

/** Who hears the evaluations read: early stopping's bookkeeping (src/launch/early-stop.ts). */
export interface EvaluationListener {
  observe(trial: string, rows: readonly MetricRow[]): void;
  /** The trial's file was begun again: what was observed of it belongs to an earlier attempt. */
  forget(trial: string): void;
}

/** The other trials' evaluations, as their files hold them, told to a listener on each refresh. */
export class EvaluationsOnDisk {
  private readonly read = new Map<string, number>(); // trial → bytes of its metrics.jsonl read so far

  constructor(
    private readonly trialsDir: string, // DIR/NAME/trials
    private readonly ids: readonly string[], // the plan's trials, in plan order
    private readonly stopper: EvaluationListener,
  ) {}

  /** Read what the trials (but `except`, whose rows the caller gives the stopper itself) appended since the last refresh. */
  async refresh(except?: string): Promise<void> {
    for (const id of this.ids) if (id !== except) await this.readOn(id);
  }

  private async readOn(id: string): Promise<void> {
    const file = await open(path.join(this.trialsDir, id, 'metrics.jsonl'), 'r').catch(() => undefined);
    if (file === undefined) return; // not started
    try {
      const { size } = await file.stat();
      let from = this.read.get(id) ?? 0;
      if (size < from) {
        this.stopper.forget(id); // begun again: its earlier rows belong to another attempt
        from = 0;
      }
      if (size === from) return;
      const bytes = Buffer.alloc(size - from);
      await file.read(bytes, 0, bytes.length, from);
      const end = bytes.lastIndexOf(0x0a) + 1; // whole lines only
      const rows: MetricRow[] = [];
      for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
        if (!line.includes('"split"')) continue; // a training step: of no use to early stopping
        try {
          rows.push(JSON.parse(line) as MetricRow);
        } catch {
          // a damaged line: the trial's own checks will say so; it tells early stopping nothing
        }
      }
      this.read.set(id, from + end);
      this.stopper.observe(id, rows);
    } finally {
      await file.close();
    }
  }
}
