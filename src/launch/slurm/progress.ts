// progress.json in a trial's directory: how far a Slurm task has got, for the parent and `run-exp status` to read.
// Written whole (temp file + rename) at most once a second; the parent reads only the one of the current array.
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Progress } from '../../types.js';

/** A task's progress, with which task wrote it. */
export interface TaskProgress extends Progress {
  job_id: string; // the array's job id (SLURM_ARRAY_JOB_ID)
  task: number; // SLURM_ARRAY_TASK_ID
  node: string; // the host it runs on
  pid: number;
  started_at: string; // when the task began the trial
  updated_at: string;
}

/** DIR/NAME/trials/ID/progress.json */
export function progressFile(trialDir: string): string {
  return path.join(trialDir, 'progress.json');
}

/**
 * Write progress.json whole, synchronously: it is called from inside the training loop, which may not yield to the
 * event loop between chunks, and a file of 200 bytes once a second costs nothing.
 */
export function writeProgress(trialDir: string, progress: TaskProgress): void {
  const file = progressFile(trialDir);
  const temp = path.join(trialDir, `.progress.json.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, JSON.stringify(progress) + '\n');
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true }); // progress is a courtesy: a failed write costs the trial nothing
  }
}

/** The progress a task of job `jobId` wrote, or undefined (none yet, or one of an earlier array). */
export async function readProgress(trialDir: string, jobId: string): Promise<TaskProgress | undefined> {
  try {
    const p = JSON.parse(await readFile(progressFile(trialDir), 'utf8')) as TaskProgress;
    return p.job_id === jobId ? p : undefined;
  } catch {
    return undefined; // not written yet; a torn read cannot happen (rename), so anything else is an old or foreign file
  }
}
