// Running a plan's trials as one Slurm job array: check the submission with Slurm first (nothing written when it
// refuses), submit, then either detach (print the job id) or watch the tasks through their files and Slurm's records,
// showing progress as a local run does, until every trial has ended; Ctrl-C cancels the array.
//
// The parent never trains and never writes a trained trial's files: each task writes its own (task.ts). The parent
// writes the submission (tasks.json, batch.sh, job.json) and the summary of a task Slurm ended without one (watch.ts).
import { mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Executor } from '../../config/schema.js';
import { experimentDir, writeFileAtomic } from '../../store/files.js';
import type { Reporter } from '../../terminal/progress.js';
import { runExpVersion } from '../../store/run-info.js';
import type { BackendName, Plan, Summary, Trial } from '../../types.js';
import { arrayTasks, cancel, submit, testSubmission, SlurmError } from './commands.js';
import { isActive } from './records.js';
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

/** What the Slurm executor needs besides the plan. */
export interface SlurmOptions {
  out: string;
  backend: BackendName;
  detach: boolean;
  json: boolean;
  signal: AbortSignal; // aborted: cancel the array
  onSubmitted?: (jobId: string) => Promise<void>; // the array exists: e.g. name it in run.lock
}

/** How the array ended for runPlan: interrupted (Ctrl-C), results that could not be written, or detached (its job id). */
export interface SlurmOutcome {
  interrupted: boolean;
  unwritten: number;
  detached?: string;
}

/** A problem found before anything was written: exit 2 with this message. */
export class SubmissionRefused extends Error {}

/** The script spec of a submission of `tasks` trials (the folder may be a placeholder for --test-only). */
function scriptSpec(plan: Plan, tasks: number, submission: string, version: string): ScriptSpec {
  const executor: Executor = plan.experiment.executor;
  return { name: plan.experiment.name, jobName: jobName(plan.experiment.name), tasks, executor, submission, node: process.execPath, cli: CLI, cwd: process.cwd(), version };
}

/**
 * Before anything is written: an earlier array of this experiment still queued or running is refused, and Slurm
 * itself checks the batch script (`sbatch --test-only`: partition, time limit, memory, the controller). Throws
 * SubmissionRefused with Slurm's own words.
 */
export async function checkSubmission(plan: Plan, toRun: Trial[], out: string): Promise<void> {
  if (toRun.length === 0) return;
  const dir = path.resolve(experimentDir(out, plan.experiment.name));
  try {
    await checkNoActiveArray(plan, out);
    const spec = scriptSpec(plan, toRun.length, path.join(slurmDir(dir), 'SUBMISSION'), await runExpVersion());
    await testSubmission(batchScript(spec));
  } catch (error) {
    if (error instanceof SlurmError) throw new SubmissionRefused(`Slurm refused the submission: ${error.message}`);
    throw error;
  }
}

/**
 * An earlier array of this experiment (slurm/job.json) that still has tasks queued or running is refused, whichever
 * executor runs now: its tasks write into the same trial directories. Throws SubmissionRefused, or SlurmError when
 * Slurm cannot say.
 */
export async function checkNoActiveArray(plan: Plan, out: string): Promise<void> {
  const earlier = await readSubmission(path.resolve(experimentDir(out, plan.experiment.name))).catch(() => undefined);
  if (earlier === undefined) return;
  const active = [...(await arrayTasks(earlier.job.job_id)).values()].filter((t) => isActive(t.state));
  if (active.length === 0) return;
  throw new SubmissionRefused(
    `experiment ${plan.experiment.name}: Slurm job ${earlier.job.job_id}, submitted ${earlier.job.submitted_at}, still has ${active.length} task${active.length === 1 ? '' : 's'} queued or running; ` +
      `wait for it (\`run-exp status ${plan.experiment.name} --out ${out}\`) or cancel it (\`scancel ${earlier.job.job_id}\`), then run again`,
  );
}

/** Submit the trials as one array and, unless detached, watch it to its end; a signal before the submission submits nothing. */
export async function runOnSlurm(plan: Plan, toRun: Trial[], options: SlurmOptions, reporter: Reporter, summaries: Map<string, Summary>): Promise<SlurmOutcome> {
  if (options.signal.aborted) return { interrupted: true, unwritten: 0 }; // Ctrl-C while planning: no array (exit 130, --detach too)
  if (toRun.length === 0) return { interrupted: false, unwritten: 0 };
  const sub = await submitArray(plan, toRun, options);
  await options.onSubmitted?.(sub.job.job_id);
  const more = `\`run-exp status ${plan.experiment.name} --out ${options.out}\``;
  if (options.detach) {
    process.stderr.write(`submitted Slurm job ${sub.job.job_id}: ${toRun.length} trial${toRun.length === 1 ? '' : 's'}, one per array task; see ${more}, then \`run-exp report ${plan.experiment.name} --out ${options.out}\`\n`);
    return { interrupted: false, unwritten: 0, detached: sub.job.job_id };
  }
  reporter.note(`submitted Slurm job ${sub.job.job_id}: ${toRun.length} trial${toRun.length === 1 ? '' : 's'} as array tasks 0-${toRun.length - 1}, at most ${Math.min(plan.experiment.executor.array_parallelism, toRun.length)} at once (Ctrl-C cancels it)`);
  return watch(sub, options, reporter, summaries);
}

/**
 * Write the submission's files and call sbatch; a refused submission leaves nothing behind. The check for an earlier
 * array still queued is made again here, under the run's lock: the one before the lock (checkSubmission) may have
 * been passed by two runs at once.
 */
async function submitArray(plan: Plan, toRun: Trial[], options: SlurmOptions): Promise<Submission> {
  const dir = path.resolve(experimentDir(options.out, plan.experiment.name));
  await checkNoActiveArray(plan, options.out).catch((error: unknown) => {
    throw error instanceof SlurmError ? new SubmissionRefused(`Slurm refused the submission: ${error.message}`) : error;
  });
  const now = new Date();
  const name = newSubmissionName(now);
  const folder = path.join(slurmDir(dir), name);
  const tasks: TaskFile = {
    format: 1,
    name: plan.experiment.name,
    out: path.resolve(options.out),
    backend: options.backend,
    trials: toRun,
    ...(plan.experiment.early_stop === undefined ? {} : { early_stop: plan.experiment.early_stop, plan_ids: plan.trials.map((t) => t.id) }),
  };
  await mkdir(path.join(folder, 'logs'), { recursive: true });
  const script = path.join(folder, 'batch.sh');
  let jobId: string;
  try {
    await writeFileAtomic(path.join(folder, 'tasks.json'), JSON.stringify(tasks) + '\n');
    await writeFileAtomic(script, batchScript(scriptSpec(plan, toRun.length, folder, await runExpVersion())));
    jobId = await submit(script);
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    await rmdir(slurmDir(dir)).catch(() => {}); // only when empty: an earlier submission's files stay
    if (error instanceof SlurmError) throw new SubmissionRefused(`Slurm refused the submission: ${error.message}`);
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

/** Watch the array until every task has ended (or the signal cancels it), telling the reporter as a local run does. */
async function watch(sub: Submission, options: SlurmOptions, reporter: Reporter, summaries: Map<string, Summary>): Promise<SlurmOutcome> {
  const started = new Set<number>();
  const ended = new Set<number>();
  const seen = new Map<number, string>(); // the progress last shown, by its time
  let unwritten = 0;
  let unreachable: { since: number; said: number } | undefined; // while Slurm cannot be asked: since when, last said when
  while (ended.size < sub.tasks.trials.length) {
    if (options.signal.aborted) {
      await cancelArray(sub, reporter);
      return { interrupted: true, unwritten };
    }
    const views = await observe(sub).then(
      (seen) => {
        if (unreachable !== undefined) reporter.note(`Slurm answers again about job ${sub.job.job_id} (after ${Math.round((Date.now() - unreachable.since) / 1000)} s)`);
        unreachable = undefined;
        return seen;
      },
      (error: unknown) => {
        // A controller that is down for a while (a restart, a failover) is waited for: said once, then once a minute.
        const now = Date.now();
        if (unreachable === undefined || now - unreachable.said >= UNREACHABLE_NOTE_MS) {
          const since = unreachable === undefined ? '' : ` (for ${Math.round((now - unreachable.since) / 1000)} s)`;
          reporter.note(`could not read the state of Slurm job ${sub.job.job_id}${since}: ${(error as Error).message}; trying again every ${POLL_MS / 1000} s (Ctrl-C stops watching and cancels the array)`);
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
        reporter.start(trial);
      }
      if (view.progress !== undefined && seen.get(view.index) !== view.progress.updated_at && view.progress.step > 0) {
        seen.set(view.index, view.progress.updated_at);
        reporter.progress(trial, view.progress);
      }
      let summary = view.summary;
      if (view.phase === 'lost') {
        try {
          summary = await failLost(sub, view);
        } catch (error) {
          unwritten += 1;
          ended.add(view.index);
          reporter.note(`could not write the results of trial ${trial.id}: ${(error as Error).message}`);
          continue;
        }
      }
      if (summary === undefined) continue;
      ended.add(view.index);
      summaries.set(trial.id, summary);
      reporter.end(trial, summary);
    }
    if (ended.size < sub.tasks.trials.length) await sleep(POLL_MS, options.signal);
  }
  return { interrupted: false, unwritten };
}

/** Ctrl-C: scancel the array, remember that this run cancelled it, wait until Slurm has taken its tasks down. */
async function cancelArray(sub: Submission, reporter: Reporter): Promise<void> {
  const id = sub.job.job_id;
  await writeJobFile(sub.experimentDir, { ...sub.job, cancelled_at: new Date().toISOString() });
  try {
    await cancel(id);
  } catch (error) {
    reporter.note(`could not cancel Slurm job ${id}: ${(error as Error).message}; cancel it yourself: scancel ${id}`);
    return;
  }
  for (const t0 = Date.now(); Date.now() - t0 < CANCEL_WAIT_MS; await sleep(200)) {
    const active = [...(await arrayTasks(id).catch(() => new Map())).values()].filter((t) => isActive(t.state));
    if (active.length === 0) return reporter.note(`cancelled Slurm job ${id}`);
  }
  reporter.note(`cancelled Slurm job ${id}, but some of its tasks were still ending after ${CANCEL_WAIT_MS / 1000} s (see squeue -j ${id})`);
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
