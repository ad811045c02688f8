// Watching a submitted array: each task's phase from Slurm's record and the trial's files, and the summary.json of a
// task that Slurm ended before the task could write one (cancelled, past its time limit, killed at its memory limit,
// its node failed) or that Slurm no longer knows (cancelled while pending leaves no record): such a trial is failed,
// with Slurm's reason, never waited for. Used by the attached parent, `run-exp status` and `run-exp report`.
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readSummary, trialDir } from '../../store/files.js';
import { beginTrial, failTrial } from '../../store/trial-files.js';
import { failedSummary, tail } from '../failure.js';
import type { Summary, Trial } from '../../types.js';
import { accountedTask, arrayTasks } from './commands.js';
import { readProgress, type TaskProgress } from '../../store/progress.js';
import { isActive, type TaskRecord } from './records.js';
import { readJobFile, readTaskFile, slurmDir, taskLog, type JobFile, type TaskFile } from './submission.js';

/** Where a task is: waiting in the queue, running, finished (summary.json), lost (Slurm ended or forgot it without one), or interrupted (its array was cancelled by the run that submitted it). */
export type TaskPhase = 'pending' | 'running' | 'finished' | 'lost' | 'interrupted';

/** One task of the array, as seen now. */
export interface TaskView {
  index: number;
  trial: Trial;
  phase: TaskPhase;
  record: TaskRecord | undefined; // Slurm's, while the controller keeps it (MinJobAge after the end)
  accounted: { state: string; exitCode: string; endTime?: string } | undefined; // sacct's, for a task the controller forgot
  summary: Summary | undefined; // this array's result
  progress: TaskProgress | undefined;
}

/** A submitted array, as the files describe it. */
export interface Submission {
  experimentDir: string;
  job: JobFile;
  tasks: TaskFile;
  folder: string; // absolute DIR/NAME/slurm/SUBMISSION
}

/** A task that Slurm ended without summary.json (cancelled, timed out, killed) gets this long to show one: it wrote its last file. */
export const GRACE_MS = 3000;
/** A task that Slurm says COMPLETED with exit code 0:0 wrote its summary.json: an NFS client may show it only after its attribute cache expires (acdirmax, 60 s by default). */
export const COMPLETED_GRACE_MS = 60_000;

/** How long a task that Slurm ended in `state` with `exitCode` may go without a visible summary.json before it is lost. */
export function graceFor(state: string, exitCode: string): number {
  return state === 'COMPLETED' && exitCode === '0:0' ? COMPLETED_GRACE_MS : GRACE_MS;
}

/** A task Slurm says has ended, with no summary.json in sight: still 'running' within its grace (the file may show late), else 'lost'. */
export function endedPhase(state: string, exitCode: string, endedAt: number, now: number): 'running' | 'lost' {
  return now - endedAt < graceFor(state, exitCode) ? 'running' : 'lost';
}

/** The experiment's latest submission, or undefined when it never ran on Slurm. */
export async function readSubmission(experimentDir: string): Promise<Submission | undefined> {
  const job = await readJobFile(experimentDir);
  if (job === undefined) return undefined;
  const folder = path.join(slurmDir(experimentDir), job.submission);
  return { experimentDir, job, tasks: await readTaskFile(folder), folder };
}

/** Look at every task once: Slurm's records first, then the files (a summary written in between is seen now, not missed). */
export async function observe(sub: Submission, now = Date.now()): Promise<TaskView[]> {
  const records = await arrayTasks(sub.job.job_id);
  const submitted = Date.parse(sub.job.submitted_at);
  return Promise.all(
    sub.tasks.trials.map(async (trial, index): Promise<TaskView> => {
      const dir = trialDir(sub.tasks.out, sub.tasks.name, trial.id);
      const record = records.get(index);
      const found = await readSummary(dir);
      // An earlier attempt's summary (a failed one; any with --force) is not this array's result.
      const summary = found !== undefined && Date.parse(found.finished_at) >= submitted ? found : undefined;
      const progress = await readProgress(dir, { job_id: sub.job.job_id });
      const view: TaskView = { index, trial, phase: 'pending', record, accounted: undefined, summary, progress };
      if (summary !== undefined) view.phase = 'finished';
      else if (record !== undefined && isActive(record.state)) view.phase = record.state === 'PENDING' ? 'pending' : 'running';
      else if (sub.job.cancelled_at !== undefined) view.phase = 'interrupted';
      else if (record !== undefined) view.phase = endedPhase(record.state, record.exitCode, endedAt(record.endTime, now), now);
      else {
        const accounted = await accountedTask(sub.job.job_id, index);
        view.accounted = accounted;
        if (accounted === undefined) view.phase = 'lost';
        else if (isActive(accounted.state)) view.phase = 'running';
        else view.phase = endedPhase(accounted.state, accounted.exitCode, endedAt(accounted.endTime, -Infinity), now); // no end time: long over
      }
      return view;
    }),
  );
}

/** When Slurm says the task ended (its clock, read as local time), or `otherwise` when it does not say. */
function endedAt(endTime: string | undefined, otherwise: number): number {
  const t = endTime === undefined ? Number.NaN : Date.parse(endTime);
  return Number.isFinite(t) ? t : otherwise;
}

/** Why Slurm's end of a task (or its silence) failed the trial, in one sentence. */
export function lostReason(view: Pick<TaskView, 'index' | 'record' | 'accounted'>, jobId: string, log: string): string {
  const state = view.record?.state ?? view.accounted?.state;
  const exit = view.record?.exitCode ?? view.accounted?.exitCode;
  if (state === undefined) {
    return `Slurm has no record of task ${view.index} of job ${jobId} (cancelled before it started, or forgotten after it ended) and it wrote no summary.json`;
  }
  const said = `(Slurm: ${state}, exit code ${exit})`;
  if (state === 'OUT_OF_MEMORY' || /exceeded (job |step )?memory limit|oom-kill/i.test(log)) return `Slurm killed the task at its memory limit ${said}`;
  switch (state) {
    case 'TIMEOUT':
      return `the task ran past its Slurm time limit and was killed ${said}`;
    case 'CANCELLED':
      return `the task was cancelled in Slurm ${said}`;
    case 'NODE_FAIL':
      return `the task's node failed ${said}`;
    case 'PREEMPTED':
      return `the task was preempted ${said}`;
    case 'COMPLETED':
      return `the task ended without writing summary.json ${said}`;
    default:
      return `the task ended before its trial did ${said}`;
  }
}

/** The failed summary of a lost task, written through the trial files; the task's log becomes its stderr.log. */
export async function failLost(sub: Submission, view: TaskView): Promise<Summary> {
  const dir = trialDir(sub.tasks.out, sub.tasks.name, view.trial.id);
  const log = await readFile(taskLog(sub.folder, sub.job.job_id, view.index), 'utf8').catch(() => '');
  const reason = lostReason(view, sub.job.job_id, log);
  const now = new Date();
  const started = view.progress?.started_at ?? view.record?.startTime;
  const startedAt = started !== undefined && Number.isFinite(Date.parse(started)) ? new Date(started) : now;
  const ended = view.record?.endTime ?? view.accounted?.endTime;
  const endedAt = ended !== undefined && Number.isFinite(Date.parse(ended)) ? new Date(ended) : now;
  const summary: Summary = {
    ...failedSummary(view.trial, { kind: 'slurm', reason }, { started: startedAt, finished: endedAt < startedAt ? now : endedAt, steps: await stepsWritten(dir), progress: view.progress, backend: sub.tasks.backend, stderr: tail(log, 1 << 20) }),
    slurm: {
      job_id: sub.job.job_id,
      task: view.index,
      ...(view.record?.node ?? view.progress?.node ? { node: view.record?.node ?? view.progress?.node } : {}),
      ...(view.record?.state ?? view.accounted?.state ? { state: view.record?.state ?? view.accounted?.state } : {}),
      ...(view.record?.exitCode ?? view.accounted?.exitCode ? { exit_code: view.record?.exitCode ?? view.accounted?.exitCode } : {}),
    },
    finished_at: now.toISOString(), // when the failure was recorded: after the submission, so it counts as this array's
  };
  // A task that never began (cancelled while pending) has no trial files yet: config.json first, as any trial has.
  if (!(await stat(path.join(dir, 'config.json')).then(() => true, () => false))) await beginTrial(dir, view.trial);
  await failTrial(dir, summary, log); // the metrics the task wrote before Slurm ended it stay
  return summary;
}

/** Steps whose rows a task wrote to metrics.jsonl: the last step row's step + 1, read from the end of the file only (it may be large). */
export async function stepsWritten(dir: string): Promise<number> {
  const file = await open(path.join(dir, 'metrics.jsonl')).catch(() => undefined);
  if (file === undefined) return 0;
  try {
    const { size } = await file.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').slice(size > length ? 1 : 0); // the first may be cut
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!;
      if (line.trim() === '' || line.includes('"split"')) continue; // evaluation rows
      try {
        return (JSON.parse(line) as { step: number }).step + 1;
      } catch {
        continue; // a last line cut short by the kill
      }
    }
    return 0;
  } finally {
    await file.close();
  }
}

/**
 * Observe, then write the summaries of lost tasks; returns the views with those summaries in place. With `write`
 * false (a live run holds run.lock and writes them itself) it only observes: lost tasks stay lost.
 */
export async function settle(sub: Submission, write = true): Promise<TaskView[]> {
  const views = await observe(sub);
  if (!write) return views;
  for (const view of views) {
    if (view.phase !== 'lost') continue;
    view.summary = await failLost(sub, view);
    view.phase = 'finished';
  }
  return views;
}
