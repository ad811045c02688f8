// progress.json in a trial's directory: how far a running trial has got, for `run-exp status` (and a Slurm run's
// attached parent) to read. Whoever records the trial writes it (src/launch/recorder.ts): the parent of a local run's
// workers, or a Slurm task for itself; at most once a second, whole (temp file + rename), and removed when the trial
// ends. A reader takes only the progress of the run it asks about: a Slurm array (job_id) or a local run (run, the
// token of its run.lock), so a file left by a run that was killed is never taken for the running one.
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Progress } from '../types.js';

/** Which run writes a trial's progress: a Slurm array's task, or a local run (its run.lock's token). */
export type ProgressSource = { job_id: string; task: number } | { run: string };

/** A trial's progress, with who wrote it and when. */
export type TrialProgress = Progress &
  ProgressSource & {
    node: string; // the host it runs on
    pid: number; // the process that writes it (the Slurm task, or the local run's parent)
    started_at: string; // when the trial began
    updated_at: string;
    resumed_from?: number; // this run went on from the trial's checkpoint at this step
  };

/** A Slurm task's progress. */
export type TaskProgress = Extract<TrialProgress, { job_id: string }>;

/** DIR/NAME/trials/ID/progress.json */
export function progressFile(trialDir: string): string {
  return path.join(trialDir, 'progress.json');
}

/**
 * Write progress.json whole, synchronously: it is called from inside the training loop, which may not yield to the
 * event loop between chunks, and a file of 200 bytes once a second costs nothing.
 */
export function writeProgress(trialDir: string, progress: TrialProgress): void {
  const file = progressFile(trialDir);
  const temp = path.join(trialDir, `.progress.json.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, JSON.stringify(progress) + '\n');
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true }); // progress is a courtesy: a failed write costs the trial nothing
  }
}

/** The trial has ended (or its run stopped): its progress goes. */
export function removeProgress(trialDir: string): void {
  try {
    rmSync(progressFile(trialDir), { force: true });
  } catch {
    // a read-only file system: a reader tells a stale file by its writer (see readProgress)
  }
}

/** The progress that `source` wrote (a Slurm array by its job id, a local run by its token), or undefined (none yet, or another run's). */
export async function readProgress(trialDir: string, source: { job_id: string }): Promise<TaskProgress | undefined>;
export async function readProgress(trialDir: string, source: { run: string }): Promise<TrialProgress | undefined>;
export async function readProgress(trialDir: string, source: { job_id: string } | { run: string }): Promise<TrialProgress | undefined> {
  try {
    const p = JSON.parse(await readFile(progressFile(trialDir), 'utf8')) as TrialProgress;
    return 'job_id' in source ? ('job_id' in p && p.job_id === source.job_id ? p : undefined) : 'run' in p && p.run === source.run ? p : undefined;
  } catch {
    return undefined; // not written yet; a torn read cannot happen (rename), so anything else is an old or foreign file
  }
}
