// Running an experiment's trials in worker processes, and what the user sees of it.
//
// runPlan, in steps: (1) prepare DIR/NAME/ and write experiment.yaml → (2) find finished trials and skip them →
// (3) run the rest in a pool of warm worker processes → (4) write each trial's files as it runs (config.json at its
// start, metrics.jsonl chunk by chunk, summary.json last) → (5) a failure marks only its own trial → (6) SIGINT stops
// everything within 2 s → (7) build the report → (8) check the expectations → (9) print the table and return the
// exit code.
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { checkExpectations, type ExpectationResult } from '../expect/index.js';
import { writeReport } from '../report/index.js';
import type { BackendName, Plan, Summary, Trial } from '../types.js';
import { failedSummary } from './failure.js';
import { workerCount } from './jobs.js';
import { experimentDir, readSummary, removeTempFiles, trialDir, writeFileAtomic } from './files.js';
import { useColor } from './format.js';
import { runPool, type Ended } from './pool.js';
import { createReporter, type Reporter } from './reporter.js';
import { finishRunInfo, startRunInfo } from './runinfo.js';
import { endTable, missedLines, runDocument, type TrialRow } from './table.js';
import { TrialWriter } from './trial-files.js';

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
  writeReport?: (out: string, name: string) => Promise<string>; // default: the report stage (src/report)
  progressIntervalMs?: number; // without a terminal: how often running trials are reported (default 10 s)
}

/** Exit codes of a run (see the design): 0 ran, 1 a trial failed or an expectation missed, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, interrupted: 130 } as const;

const DEFAULT_WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/**
 * Run every trial of the plan, write DIR/NAME/…, build the report, check expectations, print the summary.
 * Resolves to the exit code: 0 ran, 1 a trial failed or an expectation missed, 130 interrupted.
 */
export async function runPlan(plan: Plan, options: RunOptions): Promise<number> {
  const started = new Date();
  const name = plan.experiment.name;
  const dir = experimentDir(options.out, name);
  const final = options.json ? process.stderr : process.stdout; // the table and the report's path
  const color = useColor(final);
  const say = (line: string) => void final.write(line + '\n');

  // 1. Prepare DIR/NAME/: temp files of a killed run go, the resolved experiment is written.
  await mkdir(path.join(dir, 'trials'), { recursive: true });
  await removeTempFiles(dir);
  await writeFileAtomic(path.join(dir, 'experiment.yaml'), stringify(plan.experiment));
  const runInfo = await startRunInfo(name, plan.file, options.argv, started);

  // 2. Finished trials (summary.json exists) are kept unless --force; failed ones run again.
  const { summaries, earlier, retried } = await findFinished(plan, options);
  const toRun = plan.trials.filter((t) => !earlier.has(t.id));
  const reporter = createReporter({ stream: process.stderr, quiet: options.quiet, color: useColor(process.stderr), trials: toRun, intervalMs: options.progressIntervalMs });
  const { workers, warning } = workerCount(options.jobs, toRun.length);
  if (warning !== undefined && toRun.length > 0) reporter.note(`warning: ${warning}`);
  if (earlier.size > 0) reporter.note(`skipping ${earlier.size} of ${plan.trials.length} trials finished by an earlier run in ${dir} (--force runs them again)`);
  if (retried > 0) reporter.note(`running ${retried} trial${retried === 1 ? '' : 's'} that failed in an earlier run again`);

  // 3–6. Run the rest; each trial's files are written as it ends (4), a failure is its trial's only (5), SIGINT stops it all (6).
  const { interrupted, unwritten } = await runTrials(toRun, { ...options, jobs: workers }, name, reporter, summaries);
  const rows: TrialRow[] = plan.trials.map((trial) => ({ trial, summary: summaries.get(trial.id), earlier: earlier.has(trial.id) }));
  if (interrupted) await removeTempFiles(dir);
  await writeFileAtomic(path.join(dir, 'run.json'), JSON.stringify(finishRunInfo(runInfo, new Date()), null, 2) + '\n'); // before the report: its header
  if (interrupted) {
    say(endTable(rows, color));
    say(`interrupted: ${summaries.size} of ${plan.trials.length} trials finished; run the same command again to resume`);
    if (options.json) process.stdout.write(JSON.stringify(runDocument(null, rows, [])) + '\n');
    return EXIT.interrupted;
  }

  // 7. The report; a failure to build it is reported (exit 1), not a crash.
  let report: string | null = null;
  try {
    report = await (options.writeReport ?? writeReport)(options.out, name);
  } catch (error) {
    say(`the report could not be built: ${(error as Error).message}`);
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

/** Step 2: the summaries of trials finished by an earlier run (none with --force); failed ones are only counted. */
async function findFinished(plan: Plan, options: RunOptions) {
  const summaries = new Map<string, Summary>();
  const earlier = new Set<string>();
  let retried = 0;
  if (options.force) return { summaries, earlier, retried };
  for (const trial of plan.trials) {
    const summary = await readSummary(trialDir(options.out, plan.experiment.name, trial.id));
    if (summary?.status === 'failed') retried += 1;
    else if (summary !== undefined) {
      summaries.set(trial.id, summary);
      earlier.add(trial.id);
    }
  }
  return { summaries, earlier, retried };
}

/** Steps 3–6: run the trials in the pool until all have ended or a signal stops them; summaries gain theirs. */
async function runTrials(trials: Trial[], options: RunOptions, name: string, reporter: Reporter, summaries: Map<string, Summary>) {
  const stop = new AbortController();
  const signals = onSignals(stop);
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
        signal: stop.signal,
      },
      {
        start: (trial) => {
          writers.set(trial.id, new TrialWriter(trialDir(options.out, name, trial.id), trial));
          reporter.start(trial);
        },
        progress: (trial, p) => reporter.progress(trial, p),
        metrics: (trial, rows) => writers.get(trial.id)?.metrics(rows),
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
    signals.dispose();
  }
  return { interrupted: stop.signal.aborted, unwritten };
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

/** SIGINT, SIGTERM and SIGHUP (the terminal closed) abort the run (the pool kills its workers at once); a second one exits on the spot. */
function onSignals(stop: AbortController): { dispose(): void } {
  const handler = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(128 + os.constants.signals[signal]);
    stop.abort(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, handler);
  return {
    dispose() {
      for (const signal of signals) process.off(signal, handler);
    },
  };
}
