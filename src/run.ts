// Running an experiment's trials in worker processes, and what the user sees of it.
//
// runPlan, in steps: (0) take DIR/NAME/run.lock (one run at a time) and the signals, both until the end →
// (1) prepare DIR/NAME/ and write experiment.yaml → (2) find finished trials (checked: a damaged one runs again) and
// skip them → (3) run the rest in a pool of warm worker processes → (4) write each trial's files as it runs
// (config.json at its start, metrics.jsonl chunk by chunk, summary.json last) → (5) a failure marks only its own
// trial → (6) SIGINT, SIGTERM or SIGHUP stops everything within 2 s, in the report stage too → (7) build the report
// → (8) check the expectations → (9) print the table and return the exit code. With `executor.kind: slurm`, Slurm
// checks the submission before step 0 (a refusal writes nothing, exit 2) and steps 3–6 are one job array (src/slurm).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { checkExpectations, type ExpectationResult } from './expect/index.js';
import { writeReport } from './report/index.js';
import type { UnreadTrial } from './report/results.js';
import type { BackendName, MetricRow, Plan, Summary, Trial } from './types.js';
import { checkTrial, formatProblem, type FileProblem } from './store/check-trial.js';
import { failedSummary } from './launch/failure.js';
import { workerCount } from './launch/local/jobs.js';
import { experimentDir, planFile, trialDir, writeFileAtomic, type PlanFile } from './store/files.js';
import { useColor } from './terminal/style.js';
import { acquireLock, lockFile, refusedMessage, tookOverMessage } from './store/lock.js';
import { runPool, type Ended } from './launch/local/pool.js';
import { createReporter, type Reporter } from './terminal/progress.js';
import { finishRunInfo, startRunInfo } from './store/run-info.js';
import { INTERRUPTED, onInterrupt, type Interrupts } from './signals.js';
import { endTable, missedLines, runDocument, type TrialRow } from './terminal/table.js';
import { EarlyStopper } from './launch/early-stop.js';
import { removeTempFiles } from './store/temp-files.js';
import { TrialWriter } from './store/trial-files.js';
import { readSummary } from './store/files.js';
import type { HeldLock } from './store/lock.js';
import { SlurmError } from './launch/slurm/commands.js';
import { checkNoActiveArray, checkSubmission, runOnSlurm, SubmissionRefused } from './launch/slurm/launcher.js';

/** How runPlan runs: where to write, how many workers, which backend, what to print; the rest serves tests. */
export interface RunOptions {
  out: string; // DIR (default "reports")
  jobs: number; // workers at once (default: CPU cores; capped at the trials to run, see jobs.ts)
  backend: BackendName;
  force: boolean; // rerun finished trials too
  quiet: boolean; // only the final lines
  json: boolean; // one JSON document on stdout at the end, nothing else there
  timeoutSeconds?: number; // per trial
  argv: string[]; // the command line, for run.json
  workerPath?: string; // the worker module (default: the training worker, src/run/worker.ts); tests use fixtures
  workerExecArgv?: string[]; // node flags of the workers (tests: a small --max-old-space-size)
  writeReport?: typeof writeReport; // default: the report stage (src/report)
  detach?: boolean; // Slurm: submit the array, print its job id and return (exit 0) instead of watching it
  progressIntervalMs?: number; // without a terminal: how often running trials are reported (default 10 s)
}

/** Exit codes of a run (see the design): 0 ran, 1 a trial failed or an expectation missed, 2 another run holds DIR/NAME, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, locked: 2, refused: 2, interrupted: INTERRUPTED } as const;

const DEFAULT_WORKER = fileURLToPath(new URL('./launch/local/worker.js', import.meta.url));

/**
 * Run every trial of the plan, write DIR/NAME/…, build the report, check expectations, print the summary.
 * Resolves to the exit code: 0 ran, 1 a trial failed or an expectation missed, 2 another run holds DIR/NAME (nothing
 * written), 130 interrupted (SIGINT, SIGTERM or SIGHUP).
 */
export async function runPlan(plan: Plan, options: RunOptions): Promise<number> {
  // 0. One run per experiment directory: DIR/NAME/run.lock is taken (a gone holder's taken over) or the run refused.
  //    From here to the end a signal interrupts, the report stage included; the lock goes on every way out.
  const dir = experimentDir(options.out, plan.experiment.name);
  const refused = await checkExecutor(plan, options);
  if (refused !== undefined) {
    process.stderr.write(`run-exp: ${refused}\n`);
    if (options.json) process.stdout.write(JSON.stringify({ errors: [{ message: refused }] }, null, 2) + '\n');
    return EXIT.refused;
  }
  const interrupts = onInterrupt();
  try {
    await mkdir(dir, { recursive: true });
    const taken = await acquireLock(lockFile(dir), { argv: options.argv });
    if (taken.kind === 'refused') {
      const message = refusedMessage(dir, taken);
      process.stderr.write(`run-exp: ${message}\n`);
      if (options.json) process.stdout.write(JSON.stringify({ errors: [{ message }] }, null, 2) + '\n');
      return EXIT.locked;
    }
    if (taken.tookOver) process.stderr.write(`run-exp: ${tookOverMessage(taken.lock.file, taken.tookOver)}\n`);
    try {
      return await runLocked(plan, options, interrupts, taken.lock);
    } finally {
      await taken.lock.release();
    }
  } finally {
    interrupts.dispose();
  }
}

/** Steps 1–9, holding the lock. */
/**
 * Before anything is written: on Slurm, Slurm checks the submission and an earlier array of the experiment still
 * queued is refused; a local run, too, waits for such an array (where Slurm can be asked). The reason, or undefined.
 */
async function checkExecutor(plan: Plan, options: RunOptions): Promise<string | undefined> {
  const slurm = plan.experiment.executor.kind === 'slurm';
  try {
    if (!slurm) {
      await checkNoActiveArray(plan, options.out).catch((e: unknown) => {
        if (!(e instanceof SlurmError)) throw e; // Slurm cannot be asked from here: the local run goes ahead
      });
      return undefined;
    }
    const unfinished: Trial[] = [];
    for (const trial of plan.trials) {
      const summary = options.force ? undefined : await readSummary(trialDir(options.out, plan.experiment.name, trial.id));
      if (summary === undefined || !keptAsFinished(summary, plan)) unfinished.push(trial);
    }
    await checkSubmission(plan, unfinished, options.out);
    return undefined;
  } catch (error) {
    if (!(error instanceof SubmissionRefused)) throw error;
    return `${error.message}\n${slurm ? 'nothing was submitted or written.' : 'nothing was run or written.'}`;
  }
}

/** Steps 1–9, holding the lock. */
async function runLocked(plan: Plan, options: RunOptions, interrupts: Interrupts, lock: HeldLock): Promise<number> {
  const started = new Date();
  const name = plan.experiment.name;
  const dir = experimentDir(options.out, name);
  const signal = interrupts.signal;
  const final = options.json ? process.stderr : process.stdout; // the table and the report's path
  const color = useColor(final);
  const say = (line: string) => void final.write(line + '\n');
  const slurm = plan.experiment.executor.kind === 'slurm';

  // 1. Prepare DIR/NAME/: temp files of gone processes go, the resolved experiment is written.
  await mkdir(path.join(dir, 'trials'), { recursive: true });
  await removeTempFiles(dir);
  await writeFileAtomic(path.join(dir, 'experiment.yaml'), stringify(plan.experiment));
  await writeFileAtomic(planFile(options.out, name), JSON.stringify({ trials: plan.trials.map((t) => t.id) } satisfies PlanFile) + '\n');
  const runInfo = await startRunInfo(name, plan.file, options.argv, started);

  // 2. Finished trials (summary.json exists, every file checked) are kept unless --force; failed and damaged ones run again.
  //    Early stopping decides from every evaluation it has seen: the kept trials' first (in plan order), then this run's.
  const stopper = plan.experiment.early_stop === undefined ? undefined : new EarlyStopper(plan.experiment.early_stop);
  const { summaries, earlier, retried, unstopped, damaged } = await findFinished(plan, options, stopper);
  const toRun = plan.trials.filter((t) => !earlier.has(t.id));
  const reporter = createReporter({ stream: process.stderr, quiet: options.quiet || options.detach === true, color: useColor(process.stderr), trials: toRun, intervalMs: options.progressIntervalMs });
  const warn = (line: string) => (options.quiet ? void process.stderr.write(line + '\n') : reporter.note(line)); // shown even with --quiet
  for (const d of damaged) warn(`warning: damaged results of trial ${d.trial.id}: ${formatProblem(d.problem)}; it counts as not finished and runs again`);
  const { workers, warning } = workerCount(options.jobs, toRun.length);
  if (warning !== undefined && toRun.length > 0 && !slurm) reporter.note(`warning: ${warning}`);
  if (earlier.size > 0) reporter.note(`skipping ${earlier.size} of ${plan.trials.length} trials finished by an earlier run in ${dir} (--force runs them again)`);
  if (retried > 0) reporter.note(`running ${retried} trial${retried === 1 ? '' : 's'} that failed in an earlier run again`);
  if (unstopped > 0) reporter.note(`running ${unstopped} trial${unstopped === 1 ? '' : 's'} that an earlier run stopped early to the end: this experiment has no early_stop`);

  // 3–6. Run the rest; each trial's files are written as it ends (4), a failure is its trial's only (5), SIGINT stops it all (6).
  let ran: { interrupted: boolean; unwritten: number; detached?: string };
  try {
    ran = slurm ? await runSlurmTrials(plan, toRun, options, reporter, summaries, signal, lock) : await runTrials(toRun, { ...options, jobs: workers }, name, reporter, summaries, signal, stopper);
  } catch (error) {
    if (!(error instanceof SubmissionRefused)) throw error; // refused under the lock (an earlier array queued meanwhile, sbatch): no submission files
    process.stderr.write(`run-exp: ${error.message}\nnothing was submitted.\n`);
    if (options.json) process.stdout.write(JSON.stringify({ errors: [{ message: `${error.message}\nnothing was submitted.` }] }, null, 2) + '\n');
    return EXIT.refused;
  }
  const { interrupted, unwritten } = ran;
  const rows: TrialRow[] = plan.trials.map((trial) => ({ trial, summary: summaries.get(trial.id), earlier: earlier.has(trial.id) }));
  if (interrupted) await removeTempFiles(dir);
  await writeFileAtomic(path.join(dir, 'run.json'), JSON.stringify(finishRunInfo(runInfo, new Date()), null, 2) + '\n'); // before the report: its header
  if (ran.detached !== undefined) {
    if (options.json) process.stdout.write(JSON.stringify({ job_id: ran.detached, experiment: dir, trials: toRun.map((t, task) => ({ id: t.id, task, params: t.params })) }) + '\n');
    else process.stdout.write(ran.detached + '\n');
    return EXIT.ok;
  }
  if (interrupted) {
    say(endTable(rows, color));
    say(`interrupted: ${summaries.size} of ${plan.trials.length} trials finished; run the same command again to resume`);
    if (options.json) process.stdout.write(JSON.stringify(runDocument(null, rows, [])) + '\n');
    return EXIT.interrupted;
  }

  // 7. The report; a failure to build it is reported (exit 1), not a crash; a signal drops it (the trials stay).
  let report: string | null = null;
  const reportFile = path.join(options.out, `${name}.html`);
  if (!options.quiet) process.stderr.write(`building the report ${reportFile} …\n`);
  try {
    const onUnread = (u: UnreadTrial) => void process.stderr.write(`warning: ${u.damaged ? 'damaged results, left out of the report' : 'not shown in the report'}: ${u.problem}\n`);
    report = await (options.writeReport ?? writeReport)(options.out, name, { signal, onUnread });
  } catch (error) {
    if (!signal.aborted) say(`the report could not be built: ${(error as Error).message}`);
  }
  if (report === null && signal.aborted) {
    say(endTable(rows, color));
    say(
      `interrupted (${interrupts.received()}) before the report was written: ${summaries.size} of ${plan.trials.length} trials finished and are kept in ${dir}; ` +
        `${reportFile} was not written (build it with \`run-exp report ${name} --out ${options.out}\`)`,
    );
    if (options.json) process.stdout.write(JSON.stringify(runDocument(null, rows, [])) + '\n');
    return EXIT.interrupted;
  }

  // 8. The expectations, over every trial of the plan.
  let expectations: ExpectationResult[] = [];
  let expectError = false;
  try {
    expectations = checkExpectations(plan.experiment, plan.trials, summaries);
  } catch (error) {
    expectError = true;
    say(`the expectations could not be checked: ${(error as Error).message}`);
  }

  // 9. The table, the missed expectations, the report's path; the exit code.
  say(endTable(rows, color));
  for (const line of missedLines(expectations)) say(line);
  if (report !== null) say(`report: ${report}`);
  if (options.json) process.stdout.write(JSON.stringify(runDocument(report, rows, expectations)) + '\n');
  const failed = rows.some((r) => r.summary?.status === 'failed') || unwritten > 0;
  const missed = expectations.some((e) => !e.passed) || expectError;
  return failed || missed || report === null ? EXIT.failed : EXIT.ok;
}

/**
 * Step 2: the summaries of trials finished by an earlier run (none with --force), each checked as the report checks
 * it (src/run/check-trial.ts); failed ones are only counted, damaged ones named: both run again.
 */
async function findFinished(plan: Plan, options: RunOptions, stopper: EarlyStopper | undefined) {
  const summaries = new Map<string, Summary>();
  const earlier = new Set<string>();
  const damaged: { trial: Trial; problem: FileProblem }[] = [];
  let retried = 0;
  let unstopped = 0;
  if (options.force) return { summaries, earlier, retried, unstopped, damaged };
  for (const trial of plan.trials) {
    const evals: MetricRow[] = []; // early stopping is told the evaluations of the trials kept, in plan order
    const stored = await checkTrial(trialDir(options.out, plan.experiment.name, trial.id), stopper ? { onMetric: (row) => void ('split' in row && evals.push(row)) } : {});
    if (stored.kind === 'damaged') damaged.push({ trial, problem: stored.problem });
    else if (stored.kind === 'finished' && stored.summary.status === 'failed') retried += 1;
    else if (stored.kind === 'finished' && !keptAsFinished(stored.summary, plan)) unstopped += 1;
    else if (stored.kind === 'finished') {
      summaries.set(trial.id, stored.summary);
      earlier.add(trial.id);
      stopper?.observe(trial.id, evals);
    }
  }
  return { summaries, earlier, retried, unstopped, damaged };
}

/**
 * Whether an earlier run's result stands: failed trials run again, and so do trials stopped early when the experiment
 * no longer stops early (the verdict was the old rule's; without a rule the trial trains to its last step).
 */
export function keptAsFinished(summary: Summary, plan: Plan): boolean {
  if (summary.status === 'failed') return false;
  return summary.status !== 'stopped' || plan.experiment.early_stop !== undefined;
}

/** Steps 3–6: run the trials in the pool until all have ended or a signal stops them; summaries gain theirs. */
async function runTrials(trials: Trial[], options: RunOptions, name: string, reporter: Reporter, summaries: Map<string, Summary>, signal: AbortSignal, stopper?: EarlyStopper) {
  const writers = new Map<string, TrialWriter>(); // the files of the trials under way
  let unwritten = 0;
  try {
    await runPool(
      trials,
      {
        jobs: options.jobs,
        workerPath: options.workerPath ?? DEFAULT_WORKER,
        execArgv: options.workerExecArgv ?? [],
        backend: options.backend,
        timeoutSeconds: options.timeoutSeconds,
        signal,
        checkpoints: stopper !== undefined,
      },
      {
        start: (trial) => {
          writers.set(trial.id, new TrialWriter(trialDir(options.out, name, trial.id), trial));
          reporter.start(trial);
        },
        progress: (trial, p) => reporter.progress(trial, p),
        metrics: (trial, rows) => {
          writers.get(trial.id)?.metrics(rows);
          stopper?.observe(trial.id, rows);
        },
        checkpoint: (trial, step) => stopper?.decide(trial.id, step) ?? { stop: false },
        end: async (ended) => {
          const writer = writers.get(ended.trial.id)!;
          writers.delete(ended.trial.id);
          try {
            const summary = await writeEnded(options, writer, ended);
            summaries.set(ended.trial.id, summary);
            reporter.end(ended.trial, summary);
          } catch (error) {
            unwritten += 1;
            reporter.note(`could not write the results of trial ${ended.trial.id}: ${(error as Error).message}`);
          }
        },
      },
    );
  } finally {
    await Promise.all([...writers.values()].map((w) => w.settle())); // interrupted trials: what they trained stays, unfinished
    reporter.stop();
  }
  return { interrupted: signal.aborted, unwritten };
}

/**
 * Steps 3–6 on Slurm: one job array (src/slurm/run.ts); a signal cancels it. The lock names the array as its owner
 * while this run watches it (\`run-exp report\` says so); a detached array is guarded by slurm/job.json, which every
 * run checks with Slurm (checkNoActiveArray), since the lock goes with this process.
 */
async function runSlurmTrials(plan: Plan, toRun: Trial[], options: RunOptions, reporter: Reporter, summaries: Map<string, Summary>, signal: AbortSignal, lock: HeldLock) {
  const onSubmitted = (jobId: string) => lock.setOwner({ kind: 'slurm', id: jobId }).catch(() => {}); // a courtesy for readers of run.lock
  try {
    return await runOnSlurm(plan, toRun, { out: options.out, backend: options.backend, detach: options.detach === true, json: options.json, signal, onSubmitted }, reporter, summaries);
  } finally {
    reporter.stop();
  }
}

/** End an ended trial's files (4, 5) and return its summary. */
async function writeEnded(options: RunOptions, writer: TrialWriter, ended: Ended): Promise<Summary> {
  switch (ended.outcome.kind) {
    case 'output':
      await writer.finish(ended.outcome.output, ended.log);
      return ended.outcome.output.summary;
    case 'failed': {
      const summary = failedSummary(ended.trial, ended.outcome.failure, {
        started: ended.started,
        finished: ended.finished,
        steps: writer.stepsWritten,
        progress: ended.progress,
        backend: options.backend,
        stderr: ended.log,
      });
      await writer.fail(summary, ended.log);
      return summary;
    }
    case 'interrupted':
      throw new Error(`trial ${ended.trial.id} was interrupted; it has no files to write`);
    default:
      throw new Error(`outcome not recognised: ${JSON.stringify(ended.outcome satisfies never)}`);
  }
}
