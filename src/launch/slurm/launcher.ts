// The Slurm launcher: a plan's trials as one Slurm job array. Slurm checks the submission first (nothing written when
// it refuses), then the array is submitted and either left to run (--detach: its job id is the outcome) or watched
// through the tasks' files and Slurm's records, its progress told as a local run tells it, until every trial has
// ended; Ctrl-C cancels the array.
//
// The parent never trains and never writes a trained trial's files: each task writes its own (task.ts). The parent
// writes the submission (tasks.json, batch.sh, job.json) and the summary of a task Slurm ended without one (watch.ts).
import { mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Executor } from '../../config/schema.js';
import * as msg from '../../messages.js';
import { experimentDir, readSummary, trialDir, writeFileAtomic } from '../../store/files.js';
import { StoreFault, guarded } from '../../store/fs-errors.js';
import { runExpVersion } from '../../store/run-info.js';
import { keptAsFinished } from '../../store/summary.js';
import type { Plan, Summary, Trial } from '../../types.js';
import type { Launcher, LaunchEvents, LaunchOutcome, LaunchRequest } from '../launcher.js';
import { arrayTasks, cancel, submit, testSubmission, SlurmError } from './commands.js';
import { isActive, type TaskRecord } from './records.js';
import { batchScript, type ScriptSpec } from './script.js';
import { jobName, newSubmissionName, slurmDir, writeJobFile, type JobFile, type TaskFile } from './submission.js';
import { failLost, observe, readSubmission, type Submission } from './watch.js';

/** The installed command that every task runs: bin/run-exp.js of this package (four levels above dist/src/launch/slurm/). */
const CLI = fileURLToPath(new URL('../../../../bin/run-exp.js', import.meta.url));
/** How often the attached parent looks at the tasks (one `scontrol show job` and a few small reads). */
const POLL_MS = 1000;
/** While Slurm cannot be asked about the array, how often the attached parent says so (it keeps asking every POLL_MS). */
const UNREACHABLE_NOTE_MS = 60_000;
/** After Ctrl-C, how long to wait for Slurm to take the array's tasks down. */
const CANCEL_WAIT_MS = 30_000;

/** The Slurm executor as a launcher. */
export function slurmLauncher(): Launcher {
  return { preflight, launch };
}

/** The script spec of a submission of `tasks` trials (the folder may be a placeholder for --test-only). */
function scriptSpec(plan: Plan, tasks: number, submission: string, version: string): ScriptSpec {
  const executor: Executor = plan.experiment.executor;
  return { name: plan.experiment.name, jobName: jobName(plan.experiment.name), tasks, executor, submission, node: process.execPath, cli: CLI, cwd: process.cwd(), version };
}

/**
 * Before anything is written: an earlier array of this experiment still queued or running is refused, and Slurm
 * itself checks the batch script of the trials that are not finished (`sbatch --test-only`: partition, time limit,
 * memory, the controller). The refusal, with Slurm's own words, or undefined.
 */
async function preflight(plan: Plan, out: string, force: boolean): Promise<string | undefined> {
  const unfinished: Trial[] = [];
  for (const trial of plan.trials) {
    const summary = force ? undefined : await readSummary(trialDir(out, plan.experiment.name, trial.id));
    if (summary === undefined || !keptAsFinished(summary, plan.experiment)) unfinished.push(trial);
  }
  if (unfinished.length === 0) return undefined;
  const dir = path.resolve(experimentDir(out, plan.experiment.name));
  const refusal = await activeArrayRefusal(plan, out, { unreachable: 'refuse' });
  if (refusal !== undefined) return msg.nothingSubmittedOrWritten(refusal);
  try {
    await testSubmission(batchScript(scriptSpec(plan, unfinished.length, path.join(slurmDir(dir), 'SUBMISSION'), await runExpVersion())));
    return undefined;
  } catch (error) {
    if (error instanceof SlurmError) return msg.nothingSubmittedOrWritten(msg.slurmRefused(error.message));
    throw error;
  }
}

/**
 * An earlier array of this experiment (slurm/job.json) that still has tasks queued or running, whichever executor runs
 * now: its tasks write into the same trial directories. The refusal, or undefined. When Slurm cannot be asked, the
 * refusal says so (`unreachable: 'refuse'`, a Slurm run), or there is none (`'ignore'`: a local run goes ahead).
 */
export async function activeArrayRefusal(plan: Plan, out: string, options: { unreachable: 'refuse' | 'ignore' }): Promise<string | undefined> {
  const earlier = await readSubmission(path.resolve(experimentDir(out, plan.experiment.name))).catch(() => undefined);
  if (earlier === undefined) return undefined;
  let tasks: Map<number, TaskRecord>;
  try {
    tasks = await arrayTasks(earlier.job.job_id);
  } catch (error) {
    if (!(error instanceof SlurmError)) throw error;
    return options.unreachable === 'refuse' ? msg.slurmRefused(error.message) : undefined;
  }
  const active = [...tasks.values()].filter((t) => isActive(t.state)).length;
  return active === 0 ? undefined : msg.earlierArrayActive(plan.experiment.name, earlier.job.job_id, earlier.job.submitted_at, active, out);
}

/** Submit the trials as one array and, unless detached, watch it to its end; a signal before the submission submits nothing. */
async function launch(request: LaunchRequest, events: LaunchEvents): Promise<LaunchOutcome> {
  const { plan, trials, out } = request;
  if (request.signal.aborted) return { kind: 'ran', summaries: new Map(), interrupted: true, unwritten: 0 }; // Ctrl-C while planning: no array (exit 130, --detach too)
  if (trials.length === 0) return { kind: 'ran', summaries: new Map(), interrupted: false, unwritten: 0 };
  const submitted = await submitArray(request);
  if (typeof submitted === 'string') return { kind: 'refused', message: msg.nothingSubmitted(submitted) };
  await request.onOwner?.({ kind: 'slurm', id: submitted.job.job_id });
  if (request.detach) {
    events.note(msg.submittedDetached(submitted.job.job_id, trials.length, plan.experiment.name, out), 'always');
    return { kind: 'detached', jobId: submitted.job.job_id };
  }
  events.note(msg.submittedWatched(submitted.job.job_id, trials.length, Math.min(plan.experiment.executor.array_parallelism, trials.length)));
  return watch(submitted, request.signal, events);
}

/**
 * Write the submission's files and call sbatch; a refused submission leaves nothing behind (resolves to the refusal).
 * The check for an earlier array still queued is made again here, under the run's lock: the one before the lock
 * (preflight) may have been passed by two runs at once.
 */
async function submitArray(request: LaunchRequest): Promise<Submission | string> {
  const { plan, trials: toRun, out } = request;
  const dir = path.resolve(experimentDir(out, plan.experiment.name));
  const refusal = await activeArrayRefusal(plan, out, { unreachable: 'refuse' });
  if (refusal !== undefined) return refusal;
  const now = new Date();
  const name = newSubmissionName(now);
  const folder = path.join(slurmDir(dir), name);
  const tasks: TaskFile = {
    format: 1,
    name: plan.experiment.name,
    out: path.resolve(out),
    backend: request.backend,
    trials: toRun,
    checkpoint_every: plan.experiment.checkpoint.every,
    ...(plan.experiment.early_stop === undefined ? {} : { early_stop: plan.experiment.early_stop, plan_ids: plan.trials.map((t) => t.id) }),
  };
  const script = path.join(folder, 'batch.sh');
  let jobId: string;
  try {
    await guarded('create the folder', path.join(folder, 'logs'), () => mkdir(path.join(folder, 'logs'), { recursive: true }));
    await writeFileAtomic(path.join(folder, 'tasks.json'), JSON.stringify(tasks) + '\n');
    await writeFileAtomic(script, batchScript(scriptSpec(plan, toRun.length, folder, await runExpVersion())));
    jobId = await submit(script);
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    await rmdir(slurmDir(dir)).catch(() => {}); // only when empty: an earlier submission's files stay
    if (error instanceof SlurmError) return msg.slurmRefused(error.message);
    if (error instanceof StoreFault) return error.message;
    throw error;
  }
  const job: JobFile = { job_id: jobId, job_name: jobName(plan.experiment.name), submission: name, submitted_at: now.toISOString(), tasks: toRun.length };
  await writeJobFile(dir, job).catch((error: unknown) => cancelUnrecorded(jobId, error));
  return { experimentDir: dir, job, tasks, folder };
}

/** job.json could not be written after sbatch took the array: nothing would find the array again, so cancel it (best effort) and throw. */
async function cancelUnrecorded(jobId: string, error: unknown): Promise<never> {
  const cancelled = await cancel(jobId).then(
    () => `it was cancelled (scancel ${jobId})`,
    (e: unknown) => `cancelling it failed too (${(e as Error).message}): cancel it yourself with \`scancel ${jobId}\``,
  );
  throw new Error(`expected to record Slurm job ${jobId} in slurm/job.json, got ${(error as Error).message}; ${cancelled}`, { cause: error });
}

/** Watch the array until every task has ended (or the signal cancels it), telling `events` as a local run does. */
async function watch(sub: Submission, signal: AbortSignal, events: LaunchEvents): Promise<LaunchOutcome> {
  const summaries = new Map<string, Summary>();
  const started = new Set<number>();
  const ended = new Set<number>();
  const seen = new Map<number, string>(); // the progress last shown, by its time
  let unwritten = 0;
  let unreachable: { since: number; said: number } | undefined; // while Slurm cannot be asked: since when, last said when
  while (ended.size < sub.tasks.trials.length) {
    if (signal.aborted) {
      await cancelArray(sub, events);
      return { kind: 'ran', summaries, interrupted: true, unwritten };
    }
    const views = await observe(sub).then(
      (seen) => {
        if (unreachable !== undefined) events.note(msg.slurmAnswersAgain(sub.job.job_id, Math.round((Date.now() - unreachable.since) / 1000)));
        unreachable = undefined;
        return seen;
      },
      (error: unknown) => {
        // A controller that is down for a while (a restart, a failover) is waited for: said once, then once a minute.
        const now = Date.now();
        if (unreachable === undefined || now - unreachable.said >= UNREACHABLE_NOTE_MS) {
          const since = unreachable === undefined ? undefined : Math.round((now - unreachable.since) / 1000);
          events.note(msg.slurmUnreachable(sub.job.job_id, since, (error as Error).message, POLL_MS / 1000));
          unreachable = { since: unreachable?.since ?? now, said: now };
        }
        return [];
      },
    );
    for (const view of views) {
      if (ended.has(view.index)) continue;
      const { trial } = view;
      if (!started.has(view.index) && (view.phase !== 'pending' || view.progress !== undefined)) {
        started.add(view.index);
        events.start(trial);
      }
      if (view.progress !== undefined && seen.get(view.index) !== view.progress.updated_at && view.progress.step > 0) {
        seen.set(view.index, view.progress.updated_at);
        events.progress(trial, view.progress);
      }
      let summary = view.summary;
      if (view.phase === 'lost') {
        try {
          summary = await failLost(sub, view);
        } catch (error) {
          if (error instanceof StoreFault) {
            // The disk the tasks write to failed (full, read-only): they would fail one after another; stop them all.
            await cancelArray(sub, events);
            return { kind: 'ran', summaries, interrupted: false, fault: error, unwritten };
          }
          unwritten += 1;
          ended.add(view.index);
          events.note(msg.couldNotWrite(trial.id, (error as Error).message));
          continue;
        }
      }
      if (summary === undefined) continue;
      ended.add(view.index);
      summaries.set(trial.id, summary);
      events.end(trial, summary);
    }
    if (ended.size < sub.tasks.trials.length) await sleep(POLL_MS, signal);
  }
  return { kind: 'ran', summaries, interrupted: false, unwritten };
}

/** Ctrl-C: scancel the array, remember that this run cancelled it, wait until Slurm has taken its tasks down. */
async function cancelArray(sub: Submission, events: LaunchEvents): Promise<void> {
  const id = sub.job.job_id;
  await writeJobFile(sub.experimentDir, { ...sub.job, cancelled_at: new Date().toISOString() }).catch(() => {}); // a full disk: the array is cancelled all the same
  try {
    await cancel(id);
  } catch (error) {
    events.note(msg.couldNotCancel(id, (error as Error).message));
    return;
  }
  for (const t0 = Date.now(); Date.now() - t0 < CANCEL_WAIT_MS; await sleep(200)) {
    const active = [...(await arrayTasks(id).catch(() => new Map())).values()].filter((t) => isActive(t.state));
    if (active.length === 0) return events.note(msg.cancelledArray(id));
  }
  events.note(msg.cancelledArraySlowly(id, CANCEL_WAIT_MS / 1000));
}

/** Sleep, cut short when the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
