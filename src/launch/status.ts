// `run-exp status NAME [--out DIR] [--json]`: each trial of the latest plan (plan.json) with its state (src/terminal/
// status.ts shows it): it waits (pending), runs (running, at its step) or has ended (its status). From the trials'
// files, from the live run that holds DIR/NAME/run.lock (a local run writes each running trial's progress.json under
// its lock's token, src/launch/recorder.ts), and, for a Slurm run, from Slurm's record of its task. A task that Slurm
// ended or forgot without a summary.json is failed here (its summary is written with Slurm's reason), so that status,
// report and a re-run all see the same thing; unless a live run holds run.lock: that run watches the same tasks and
// writes their summaries itself, so status only looks.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as msg from '../messages.js';
import { checkpointStep } from '../store/checkpoint.js';
import { experimentDir, planFile, readSummary, trialDir, type PlanFile } from '../store/files.js';
import { describeHolder, judgeLock, lockFile, readLock, type HolderState, type LockRecord } from '../store/lock.js';
import { readProgress, type TrialProgress } from '../store/progress.js';
import type { EngineName, TrialStatus } from '../config/schema.js';
import type { Summary, Trial } from '../types.js';
import { SlurmError } from './slurm/commands.js';
import { isActive, type TaskRecord } from './slurm/records.js';
import { readSubmission, settle, type Submission, type TaskView } from './slurm/watch.js';

/** A trial's state as status shows it: its status once it has ended, else whether it waits or runs. */
export type TrialState = 'pending' | 'running' | TrialStatus;

/** One line of status. */
export interface StatusRow {
  id: string;
  params: Record<string, unknown>;
  state: TrialState;
  engine: EngineName; // what trained it, or will (a config.json written before #18 names none: tfjs)
  task: number | null; // its array task in the latest submission (null: not in it)
  slurm_state: string | null; // Slurm's JobState (null: not a Slurm task, or no record)
  exit_code: string | null; // Slurm's ExitCode, code:signal
  step: number | null;
  steps: number;
  dev_loss: number | null;
  resumed_from: number | null; // a trial that went on from a checkpoint (finished, or running now): the checkpoint's step
  checkpoint: number | null; // an unfinished trial's checkpoint: the step the next run (or Slurm's restart) goes on from
  reason: string | null; // why it ended so, or what it waits for (with the checkpoint it resumes from)
}

/** The status document (--json). */
export interface StatusDocument {
  experiment: string;
  run: string | null; // the run that holds run.lock, in words (pid, host, since when, its command), or null
  job_id: string | null;
  submitted_at: string | null;
  trials: StatusRow[];
}

/** The status of experiment NAME under DIR, or why there is none (no results, Slurm cannot be asked: exit 2). */
export type StatusResult = { kind: 'status'; doc: StatusDocument; sub: Submission | undefined } | { kind: 'error'; message: string };

/** A trial as status knows it: from the plan (plan.json), or from its config.json. */
export interface KnownTrial {
  id: string;
  params: Record<string, unknown>;
  steps: number;
  engine: EngineName; // as asked (a trial or plan.json written before #18 names none: tfjs)
}

/** Each trial's state, from its files, the live run and, for a Slurm run, Slurm's record of its task (lost tasks failed, see above). */
export async function readStatus(out: string, name: string): Promise<StatusResult> {
  const dir = experimentDir(out, name);
  const stored = await storedTrials(dir);
  const planned = await plannedTrials(out, name, stored);
  const running = await watchingRun(dir);
  let sub: Submission | undefined;
  let views: TaskView[] = [];
  try {
    sub = await readSubmission(path.resolve(dir));
    if (sub !== undefined) views = await settle(sub, running === undefined);
  } catch (error) {
    if (!(error instanceof SlurmError)) throw error;
    return { kind: 'error', message: `could not ask Slurm about job ${sub?.job.job_id}: ${error.message}` };
  }
  // The plan's trials in plan order; for results written before plan.json existed, every stored trial.
  const trials = planned ?? [...stored.values()].sort((a, b) => a.index - b.index).map(knownTrial);
  if (trials.length === 0 && sub === undefined) {
    return { kind: 'error', message: `no results for ${JSON.stringify(name)}: expected a folder ${dir} with trials (run the experiment first, or pass --out DIR)` };
  }
  const listed = new Set(trials.map((t) => t.id));
  for (const view of views) if (!listed.has(view.trial.id)) trials.push(knownTrial(view.trial));
  const byId = new Map(views.map((v) => [v.trial.id, v]));
  // A live local run (no Slurm job owns its lock) writes the progress of the trials it runs, under its lock's token.
  const record = running?.record ?? undefined;
  const local = record !== undefined && running?.holder.state === 'alive' && record.owner === undefined ? record.token : undefined;
  const rows: StatusRow[] = [];
  for (const trial of trials) {
    const at = trialDir(out, name, trial.id);
    const summary = await readSummary(at);
    const progress = local === undefined || summary !== undefined ? undefined : await readProgress(at, { run: local });
    const checkpoint = summary === undefined ? await checkpointStep(at) : null;
    rows.push(statusRow(trial, byId.get(trial.id), summary, { progress, checkpoint }));
  }
  const run = record === undefined ? null : describeHolder(record);
  return { kind: 'status', doc: { experiment: dir, run, job_id: sub?.job.job_id ?? null, submitted_at: sub?.job.submitted_at ?? null, trials: rows }, sub };
}

/**
 * The holder of DIR/NAME/run.lock when a run may be using the folder: alive, or not checkable from here (taken on
 * another host, unreadable). Such a run watches the array's tasks and writes the summaries of lost ones itself, and a
 * local run may be training the same trials again: nobody else writes them. Undefined when no lock is held.
 */
export async function watchingRun(dir: string): Promise<{ record: LockRecord | null; holder: HolderState } | undefined> {
  const found = await readLock(lockFile(dir)).catch(() => undefined);
  if (found === undefined) return undefined;
  if (found.record === null) return { record: null, holder: { state: 'unknown', why: found.problem } };
  const holder = await judgeLock(found.record);
  return holder.state === 'gone' ? undefined : { record: found.record, holder };
}

/** The trials stored under DIR/NAME/trials (config.json), by id. */
async function storedTrials(dir: string): Promise<Map<string, Trial>> {
  const trials = new Map<string, Trial>();
  const ids = await readdir(path.join(dir, 'trials')).catch(() => [] as string[]);
  for (const id of ids) {
    try {
      const trial = JSON.parse(await readFile(path.join(dir, 'trials', id, 'config.json'), 'utf8')) as Trial;
      trials.set(trial.id, trial);
    } catch {
      // not started yet (a trial's config.json is written when it begins), or not a trial
    }
  }
  return trials;
}

/** The trials of the latest plan (plan.json) in plan order, their values from plan.json (or config.json, before #22); undefined without plan.json. */
async function plannedTrials(out: string, name: string, stored: ReadonlyMap<string, Trial>): Promise<KnownTrial[] | undefined> {
  const plan = await readFile(planFile(out, name), 'utf8').then((text) => JSON.parse(text) as Partial<PlanFile>, () => undefined);
  if (!Array.isArray(plan?.trials)) return undefined;
  return plan.trials.map((id, i) => {
    const trial = stored.get(id);
    return { id, params: plan.params?.[i] ?? trial?.params ?? {}, steps: plan.steps?.[i] ?? trial?.config.train.steps ?? 0, engine: trial?.config.engine ?? plan.engines?.[i] ?? 'tfjs' };
  });
}

export function knownTrial(trial: Trial): KnownTrial {
  return { id: trial.id, params: trial.params, steps: trial.config.train.steps, engine: trial.config.engine ?? 'tfjs' };
}

/** What status sees of an unfinished trial besides Slurm: the live local run's progress.json of it, and its checkpoint's step (null: none). */
export interface TrialSeen {
  progress?: TrialProgress | undefined;
  checkpoint?: number | null;
}

/**
 * A trial's row: its own summary when this array (or an earlier run) finished it, else what Slurm says of its task,
 * else the live local run's progress of it (running, at its step); else it waits (at its checkpoint's step, if any).
 */
export function statusRow(trial: KnownTrial, view: TaskView | undefined, stored: Summary | undefined, seen: TrialSeen = {}): StatusRow {
  const { progress } = seen;
  const checkpoint = seen.checkpoint ?? null;
  const summary = view === undefined ? stored : view.summary;
  const record = view?.record;
  // A lost task that a live run will fail (status only looked) has ended, but its trial has no outcome yet.
  const runs = view === undefined ? progress !== undefined : view.phase === 'running' || view.phase === 'lost';
  const state: TrialState = summary !== undefined ? summary.status : runs ? 'running' : 'pending';
  const interrupted = view?.phase === 'interrupted' ? 'its array was cancelled (Ctrl-C) before it ended; run again to resume' : null;
  // A finished trial's summary says it; a running one's progress.json (local, or the Slurm task's) while it trains.
  const resumedFrom = summary === undefined ? (view?.progress?.resumed_from ?? progress?.resumed_from ?? null) : (summary.resumed_from ?? null);
  const saved = summary === undefined ? checkpoint : null;
  const notes = [
    summary?.reason ?? interrupted ?? endedNote(view) ?? requeuedNote(record) ?? (record !== undefined && record.state === 'PENDING' && record.reason !== 'None' ? `queued: ${record.reason}` : null),
    resumedFrom === null ? null : msg.resumedNote(resumedFrom),
    saved === null ? null : msg.checkpointNote(saved, state === 'pending'),
  ].filter((n) => n !== null);
  return {
    id: trial.id,
    params: trial.params,
    state,
    engine: summary?.engine ?? trial.engine,
    task: view?.index ?? null,
    slurm_state: record?.state ?? view?.accounted?.state ?? summary?.slurm?.state ?? null,
    exit_code: record?.exitCode ?? view?.accounted?.exitCode ?? summary?.slurm?.exit_code ?? null,
    step: summary?.steps ?? view?.progress?.step ?? progress?.step ?? saved,
    steps: trial.steps,
    dev_loss: summary?.final.dev_loss ?? null,
    resumed_from: resumedFrom,
    checkpoint: saved,
    reason: notes.length === 0 ? null : notes.join('; '),
  };
}

/** The note of a task Slurm requeued (it requeued itself near its time limit, was preempted or requeued by hand) that waits to start again, or null. */
function requeuedNote(record: TaskRecord | undefined): string | null {
  if (record === undefined || record.restarts === 0 || !isActive(record.state) || record.state === 'RUNNING') return null;
  return msg.requeuedNote(record.restarts, record.reason);
}

/** The note of a task that Slurm has ended while its trial has no summary.json in sight, or null. */
function endedNote(view: TaskView | undefined): string | null {
  if (view === undefined || view.summary !== undefined) return null;
  const state = view.record?.state ?? view.accounted?.state;
  if (view.phase === 'lost') return `Slurm ended its task${state === undefined ? '' : ` (${state})`} without a summary.json; the run holding run.lock records its failure`;
  if (view.phase === 'running' && state !== undefined && !isActive(state)) return `Slurm ended its task (${state}); waiting for its summary.json, which a shared filesystem may show late`;
  return null;
}

/**
 * Before `run-exp report`: the tasks Slurm ended without a summary become failed trials (unless `write` is false: a
 * live run holds the lock and writes them itself). Returns what the user should hear: tasks still queued or running
 * (the report shows the trials that finished), or that Slurm could not be asked (said, not fatal).
 */
export async function settleForReport(out: string, name: string, write = true): Promise<string[]> {
  try {
    const sub = await readSubmission(path.resolve(experimentDir(out, name)));
    if (sub === undefined) return [];
    const views = await settle(sub, write);
    const left = views.filter((v) => v.phase === 'pending' || v.phase === 'running' || v.phase === 'lost').length;
    return left === 0 ? [] : [`${left} trial${left === 1 ? ' is' : 's are'} still queued or running in Slurm job ${sub.job.job_id}; the report shows the trials that finished`];
  } catch (error) {
    if (!(error instanceof SlurmError)) throw error;
    return [`could not ask Slurm about the experiment's job: ${error.message}`];
  }
}
