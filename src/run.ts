// The run stage: every trial of a plan trained, its results stored under DIR/NAME/, the expectations checked, the
// report built. It writes nothing to the terminal: what happens goes to `events` as it happens, and the result says
// how the run ended (src/terminal/run.ts shows both).
//
// runExperiment, in steps:
//   1. lock: the launcher's preflight first (before anything is written; a refusal: exit 2), then DIR/NAME/ is made
//      (one folder at a time; DIR on /proc or /sys is refused) and DIR/NAME/run.lock taken, one run per experiment
//      folder (held by another run: exit 2); from here on a signal interrupts (exit 130)
//   2. prepare DIR/NAME/: stale temp files go; experiment.yaml, plan.json and the start of run.json are written
//   A failure of the disk (src/store/fs-errors.ts) in steps 1–2, before any file is written, removes the folders this
//   run made and refuses it (exit 2); later it stops the run at the first failed write (exit 1): the workers stop,
//   the trials that finished are kept, and the message names the file, the operation and the cause (and, for a full
//   disk, the space the run needed against what the disk had).
//   3. skip finished: trials whose stored results are sound and stand are kept (not with --force); failed, damaged
//      ones and ones stopped by a rule the experiment no longer has run again, from their checkpoints where they have
//      one (--force: from step 0)
//   4. launch: the rest run on the executor's launcher (src/launch: the local pool, or Slurm), each trial's files
//      written as it runs, summary.json last; a failure is its own trial's only; meanwhile the report is rewritten
//      from what is stored and how far the running trials are (a live page, src/report/live.ts); run.json is finished
//   5. expect: the expectations over every trial of the plan (checked once: the report shows these)
//   6. report: DIR/NAME.html from the stored results; a report that cannot be built fails the run (exit 1)
//   7. the end: each trial's row of the end table, and the exit code
// DIR/index.html is rewritten once the folder is prepared and again when the lock is released, whatever the end.
import path from 'node:path';
import { stringify } from 'yaml';
import { checkExpectations, type ExpectationResult } from './expect/index.js';
import { EarlyStopper } from './launch/early-stop.js';
import type { Estimate } from './launch/estimate.js';
import { launcherFor, type Launcher, type LaunchEvents } from './launch/index.js';
import { formatBytes } from './format.js';
import * as msg from './messages.js';
import { writeReport } from './report/index.js';
import { LiveReport } from './report/live.js';
import { escapeHtml } from './report/html/escape.js';
import { indexFile, writeIndex } from './report/overview/index.js';
import { onInterrupt, INTERRUPTED, type Interrupts } from './signals.js';
import { checkTrial, formatProblem } from './store/check-trial.js';
import { experimentDir, planFile, trialDir, writeFileAtomic, type PlanFile } from './store/files.js';
import { removeCheckpoint } from './store/checkpoint.js';
import { freeBytes, makeFolder, removeFolders } from './store/folders.js';
import { StoreFault } from './store/fs-errors.js';
import { acquireLock, lockFile, refusedMessage, tookOverMessage, type HeldLock } from './store/lock.js';
import { finishRunInfo, startRunInfo } from './store/run-info.js';
import { keptAsFinished } from './store/summary.js';
import { removeTempFiles } from './store/temp-files.js';
import type { BackendName, MetricRow, Plan, Summary, Trial } from './types.js';

/** How a run runs: where to write, how many at once, which backend; the rest serves tests. */
export interface RunOptions {
  out: string; // DIR (default "reports")
  jobs: number; // trials at once (default: CPU cores; locally capped at the trials to run, see launch/local/jobs.ts)
  backend: BackendName;
  force: boolean; // rerun finished trials too
  timeoutSeconds?: number; // per trial
  argv: string[]; // the command line, for run.json and run.lock
  detach?: boolean; // a launcher that outlives this process (Slurm): launch, then return its job id instead of watching
  workerPath?: string; // the local pool's worker module (default: the training worker); tests use fixtures
  workerExecArgv?: string[]; // node flags of the local workers (tests: a small --max-old-space-size)
  writeReport?: typeof writeReport; // default: the report stage (src/report)
  liveReport?: boolean; // default true: the report is rewritten while the trials run (false: only at the end)
  estimate?: Pick<Estimate, 'trials'>; // the plan's estimate (src/launch/estimate.ts): the bytes each trial writes, said when the disk is full
}

/** What the run tells as it goes: the launcher's events, and when the trials begin and finish running. */
export interface RunEvents extends LaunchEvents {
  /** The trials that run now (the finished ones skipped): progress begins. */
  begin(trials: Trial[]): void;
  /** Every trial has ended, or the run was interrupted: progress is over. */
  finish(): void;
}

/** A trial at the end of the run: its summary (none when it did not finish) and whether an earlier run finished it. */
export interface TrialRow {
  trial: Trial;
  summary: Summary | undefined;
  earlier: boolean; // finished by an earlier run and skipped by this one
}

/**
 * How a run ended: refused before it ran (the lock, the launcher, the disk), detached (the launcher's job runs on), or
 * ended: the trials' rows, the expectations, the report (null when not built), what went wrong besides the trials
 * (`problems`, said before the table), and `interrupted` when a signal or a failure of the disk stopped it (what to
 * say). Each with its exit code.
 */
export type RunResult =
  | { kind: 'refused'; message: string; exitCode: number }
  | { kind: 'detached'; jobId: string; experimentDir: string; trials: Trial[]; exitCode: number }
  | { kind: 'ended'; rows: TrialRow[]; expectations: ExpectationResult[]; report: string | null; problems: string[]; interrupted?: string; exitCode: number };

/** What a run has made on the disk so far: what to remove when it ends having written nothing. */
interface Made {
  folders: string[]; // the folders this run created, outermost first
  written: boolean; // a file of the results was written
}

/** Exit codes of a run (see the design): 0 ran, 1 a trial failed or an expectation missed, 2 refused (nothing run), 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, refused: 2, interrupted: INTERRUPTED } as const;

/** Run every trial of the plan that is not finished, then check the expectations and build the report. */
export async function runExperiment(plan: Plan, options: RunOptions, events: RunEvents): Promise<RunResult> {
  // 1. Lock. The launcher checks first, while nothing is written (a signal still ends the command at once);
  //    then one run per experiment folder, and from here a signal interrupts; the lock goes on every way out.
  const launcher = launcherFor(plan.experiment.executor.kind, { workerPath: options.workerPath, workerExecArgv: options.workerExecArgv });
  const refused = await launcher.preflight(plan, options.out, options.force);
  if (refused !== undefined) return { kind: 'refused', message: refused, exitCode: EXIT.refused };
  const dir = experimentDir(options.out, plan.experiment.name);
  const interrupts = onInterrupt();
  try {
    const folder = await makeFolder(dir, options.out);
    if (folder.kind === 'refused') return { kind: 'refused', message: msg.nothingRun(folder.message), exitCode: EXIT.refused };
    const made: Made = { folders: folder.created, written: false };
    const taken = await acquireLock(lockFile(dir), { argv: options.argv }).catch((error: unknown) => {
      if (error instanceof StoreFault) return error;
      throw error;
    });
    if (taken instanceof StoreFault || taken.kind === 'refused') {
      await removeFolders(made.folders);
      const message = taken instanceof StoreFault ? msg.nothingRun(taken.message) : refusedMessage(dir, taken);
      return { kind: 'refused', message, exitCode: EXIT.refused };
    }
    if (taken.tookOver) events.note(`run-exp: ${tookOverMessage(taken.lock.file, taken.tookOver)}`, 'always');
    try {
      return await runLocked(plan, options, events, { launcher, interrupts, lock: taken.lock, made });
    } catch (error) {
      // A failure of the disk that ended a step (or a launcher's error caused by one, e.g. Slurm's job.json): one clear line.
      if (!(error instanceof StoreFault || (error instanceof Error && error.cause instanceof StoreFault))) throw error;
      if (made.written) {
        const rows = plan.trials.map((trial) => ({ trial, summary: undefined, earlier: false }));
        return { kind: 'ended', rows, expectations: [], report: null, problems: [], interrupted: msg.stoppedEarly(error.message), exitCode: EXIT.failed };
      }
      await taken.lock.release();
      await removeFolders(made.folders);
      return { kind: 'refused', message: msg.nothingRun(error.message), exitCode: EXIT.refused };
    } finally {
      await taken.lock.release();
      if (made.written) await refreshIndex(options.out, events, interrupts.signal.aborted); // the run's end, as the folder now is (a run that wrote nothing leaves it)
    }
  } finally {
    interrupts.dispose();
  }
}

/** Steps 2–7, holding the lock. A failure of the disk throws a StoreFault only where no trial has run yet (steps 2–3). */
async function runLocked(plan: Plan, options: RunOptions, events: RunEvents, held: { launcher: Launcher; interrupts: Interrupts; lock: HeldLock; made: Made }): Promise<RunResult> {
  const { launcher, interrupts, lock, made } = held;
  const { name } = plan.experiment;
  const { out } = options;
  const dir = experimentDir(out, name);
  const { signal } = interrupts;

  // 2. Prepare DIR/NAME/: temp files of gone processes go, the resolved experiment and the plan's trials are written.
  const trials = await makeFolder(path.join(dir, 'trials'), out);
  if (trials.kind === 'refused') throw trials.fault;
  made.folders.push(...trials.created);
  const free = await freeBytes(dir);
  await removeTempFiles(dir);
  await writeFileAtomic(path.join(dir, 'experiment.yaml'), stringify(plan.experiment));
  made.written = true;
  const planned: PlanFile = { trials: plan.trials.map((t) => t.id), params: plan.trials.map((t) => t.params), steps: plan.trials.map((t) => t.config.train.steps), engines: plan.trials.map((t) => t.config.engine) };
  await writeFileAtomic(planFile(out, name), JSON.stringify(planned) + '\n');
  const runInfo = await startRunInfo(name, plan.file, options.argv, new Date());
  await refreshIndex(out, events, signal.aborted); // the experiment shows there as running

  // 3. Skip finished trials. Early stopping decides from every evaluation it has seen: the kept trials' first (in plan
  //    order), then this run's. A signal stops the checks (and then the launch, which runs nothing).
  const stopper = plan.experiment.early_stop === undefined ? undefined : new EarlyStopper(plan.experiment.early_stop);
  const kept = await findFinished(plan, options, stopper, signal);
  const toRun = plan.trials.filter((t) => !kept.summaries.has(t.id));
  const needed = bytesNeeded(options.estimate, toRun);
  if (options.force) await Promise.all(toRun.map((t) => removeCheckpoint(trialDir(out, name, t.id)))); // every trial from step 0
  events.begin(toRun);
  for (const d of kept.damaged) events.note(msg.damagedTrial(d.trial.id, d.problem), 'always');
  if (kept.summaries.size > 0) events.note(msg.skipping(kept.summaries.size, plan.trials.length, dir));
  if (kept.retried > 0) events.note(msg.runningFailedAgain(kept.retried));
  if (kept.unstopped > 0) events.note(msg.runningStoppedToTheEnd(kept.unstopped));
  if (needed !== undefined && free !== undefined && needed > free) events.note(msg.spaceShort(formatBytes(needed), out, formatBytes(free)), 'always');

  // 4. Launch the rest; each trial's files are written as it ends, a failure is its trial's only, a signal stops all,
  //    and so does the first write that fails on the disk. While they run, the report is rewritten from what is stored
  //    so far and the launcher's progress (a live page).
  const onOwner = (owner: { kind: string; id: string }) => lock.setOwner(owner).catch(() => {}); // a courtesy for readers of run.lock
  const request = { plan, trials: toRun, out, backend: options.backend, signal, stopper, jobs: options.jobs, timeoutSeconds: options.timeoutSeconds, detach: options.detach === true, onOwner, runToken: lock.record.token };
  const reportFile = path.join(out, `${name}.html`);
  const live =
    options.liveReport === false || options.detach === true || toRun.length === 0
      ? undefined
      : new LiveReport({ out, name, trials: toRun, run: runInfo, leaveFree: needed ?? 0, write: options.writeReport ?? writeReport, signal, onFailure: (e) => events.note(msg.liveReportFailed(reportFile, e.message), 'always') });
  let launched;
  try {
    const told = sayingFallbacks(events); // a trial that asked for the kernel and trained on tfjs: why, once
    launched = await launcher.launch(request, live === undefined ? told : withLive(told, live));
  } finally {
    events.finish();
    await live?.stop();
  }
  /** The last live page, when the run ends without its final report: it says why and no longer reloads. */
  const closeLive = async (how: Parameters<typeof msg.liveClosed>[0]) => {
    const { title, text } = msg.liveClosed(how, new Date(), name, out);
    return (await live?.close(escapeHtml(title), escapeHtml(text))) === true;
  };
  if (launched.kind === 'refused') return { kind: 'refused', message: launched.message, exitCode: EXIT.refused }; // under the lock: no submission files
  const summaries = new Map<string, Summary>([...kept.summaries, ...(launched.kind === 'ran' ? launched.summaries : [])]);
  const rows: TrialRow[] = plan.trials.map((trial) => ({ trial, summary: summaries.get(trial.id), earlier: kept.summaries.has(trial.id) }));
  const finished = summaries.size;
  const fault = launched.kind === 'ran' ? launched.fault : undefined;
  if (fault !== undefined) {
    // Nothing more is written (run.json and the report would fail the same way); the temp files of the stopped trials go.
    await removeTempFiles(dir);
    await closeLive({ stopped: fault.message });
    const space = fault.full ? msg.spaceNeeded(needed === undefined ? undefined : formatBytes(needed), toRun.length, out, free === undefined ? undefined : formatBytes(free)) : undefined;
    return { kind: 'ended', rows, expectations: [], report: null, problems: [], interrupted: msg.stoppedByDisk(fault.message, finished, plan.trials.length, dir, space), exitCode: EXIT.failed };
  }
  const interrupted = launched.kind === 'ran' && launched.interrupted;
  if (interrupted) await removeTempFiles(dir);
  const runJson = JSON.stringify(finishRunInfo(runInfo, new Date()), null, 2) + '\n';
  const unwritten = await writeFileAtomic(path.join(dir, 'run.json'), runJson).then(() => undefined, (e: unknown) => (e instanceof StoreFault ? e : Promise.reject(e))); // before the report: its header
  if (unwritten !== undefined) return { kind: 'ended', rows, expectations: [], report: null, problems: [], interrupted: msg.stoppedByDisk(unwritten.message, finished, plan.trials.length, dir, undefined), exitCode: EXIT.failed };
  if (launched.kind === 'detached') return { kind: 'detached', jobId: launched.jobId, experimentDir: dir, trials: toRun, exitCode: EXIT.ok };
  if (interrupted) {
    const closed = await closeLive({ interrupted: interrupts.received() ?? 'a signal' });
    return { kind: 'ended', rows, expectations: [], report: null, problems: [], interrupted: msg.interruptedRun(finished, plan.trials.length, closed ? reportFile : undefined), exitCode: EXIT.interrupted };
  }

  // 5. The expectations, over every trial of the plan.
  const problems: string[] = [];
  let expectations: ExpectationResult[] | undefined;
  try {
    expectations = checkExpectations(plan.experiment, plan.trials, summaries);
  } catch (error) {
    problems.push(msg.expectationsFailed((error as Error).message));
  }

  // 6. The report, with these expectations; a failure to build it is said (exit 1), not a crash; a signal drops it.
  events.note(msg.buildingReport(reportFile));
  let report: string | null = null;
  try {
    const onUnread = (u: { damaged: boolean; problem: string }) => events.note(msg.unreadResult(u.damaged, u.problem), 'always');
    const cache = live === undefined ? {} : { cache: live.cache }; // the trials the live pages read and checked, under this lock
    report = await (options.writeReport ?? writeReport)(out, name, { signal, onUnread, ...cache, ...(expectations === undefined ? {} : { expectations }) });
  } catch (error) {
    if (!signal.aborted) {
      problems.unshift(msg.reportFailed((error as Error).message));
      await closeLive({ reportFailed: (error as Error).message });
    }
  }
  if (report === null && signal.aborted) {
    const closed = await closeLive({ interrupted: interrupts.received() ?? 'a signal' });
    const said = msg.interruptedReport(interrupts.received(), finished, plan.trials.length, dir, reportFile, name, out, closed);
    return { kind: 'ended', rows, expectations: [], report: null, problems: [], interrupted: said, exitCode: EXIT.interrupted };
  }

  // 7. The end: a failed trial, results that could not be written, a missed expectation or no report make it exit 1.
  const failed = rows.some((r) => r.summary?.status === 'failed') || launched.unwritten > 0;
  const missed = expectations === undefined || expectations.some((e) => !e.passed);
  const exitCode = failed || missed || report === null ? EXIT.failed : EXIT.ok;
  return { kind: 'ended', rows, expectations: expectations ?? [], report, problems, exitCode };
}

/**
 * The launcher's events, and a note (once per reason) when a trial that asked for the kernel engine trained on tfjs
 * (the kernel cannot run in its worker: src/train/engines/index.ts, engineFor): the worker said so only on its stderr.
 */
function sayingFallbacks(events: RunEvents): RunEvents {
  const said = new Set<string>();
  return {
    begin: (trials) => events.begin(trials),
    finish: () => events.finish(),
    note: (line, level) => events.note(line, level),
    start: (trial) => events.start(trial),
    progress: (trial, p) => events.progress(trial, p),
    end(trial, summary) {
      const why = summary.engine_fallback;
      if (why !== undefined && !said.has(why)) {
        said.add(why);
        events.note(msg.kernelFallback(why), 'always');
      }
      events.end(trial, summary);
    },
  };
}

/** The launcher's events, told to the live report as well. */
function withLive(events: RunEvents, live: LiveReport): LaunchEvents {
  return {
    note: (line, level) => events.note(line, level),
    start: (trial) => events.start(trial),
    progress(trial, p) {
      events.progress(trial, p);
      live.progress(trial, p);
    },
    end(trial, summary) {
      events.end(trial, summary);
      live.end(trial, summary);
    },
  };
}

/** DIR/index.html rebuilt; a failure is said, never the run's (after a signal, it waits less for another writer). */
async function refreshIndex(out: string, events: RunEvents, interrupted: boolean): Promise<void> {
  try {
    await writeIndex(out, interrupted ? { waitMs: 1000 } : {});
  } catch (error) {
    events.note(msg.indexFailed(indexFile(out), (error as Error).message), 'always');
  }
}

/**
 * Step 3: the summaries of trials finished by an earlier run that stand (none with --force), each checked as the report
 * checks it (src/store/check-trial.ts); failed ones and stopped ones that no longer stand are counted, damaged ones
 * named: all of them run again. The kept trials' evaluations go to early stopping, in plan order.
 */
async function findFinished(plan: Plan, options: RunOptions, stopper: EarlyStopper | undefined, signal: AbortSignal) {
  const summaries = new Map<string, Summary>();
  const damaged: { trial: Trial; problem: string }[] = [];
  let retried = 0;
  let unstopped = 0;
  if (options.force) return { summaries, retried, unstopped, damaged };
  for (const trial of plan.trials) {
    if (signal.aborted) break; // interrupted: the launch runs nothing
    const evals: MetricRow[] = [];
    const stored = await checkTrial(trialDir(options.out, plan.experiment.name, trial.id), stopper ? { onMetric: (row) => void ('split' in row && evals.push(row)) } : {});
    if (stored.kind === 'damaged') damaged.push({ trial, problem: formatProblem(stored.problem) });
    else if (stored.kind === 'finished' && stored.summary.status === 'failed') retried += 1;
    else if (stored.kind === 'finished' && !keptAsFinished(stored.summary, plan.experiment)) unstopped += 1;
    else if (stored.kind === 'finished') {
      summaries.set(trial.id, stored.summary);
      stopper?.observe(trial.id, evals);
      await removeCheckpoint(trialDir(options.out, plan.experiment.name, trial.id)); // one a run killed just after the summary left
    }
  }
  return { summaries, retried, unstopped, damaged };
}

/** The bytes the trials to run write, by the plan's estimate; undefined without one. */
function bytesNeeded(estimate: RunOptions['estimate'], toRun: readonly Trial[]): number | undefined {
  if (estimate === undefined) return undefined;
  const bytes = new Map(estimate.trials.map((t) => [t.id, t.bytes]));
  return toRun.reduce((sum, t) => sum + (bytes.get(t.id) ?? 0), 0);
}
