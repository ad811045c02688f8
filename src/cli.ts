// The command line: parse the arguments, then plan (load → validate → expand) and run, or rebuild a report.
// Bad input or usage prints every problem on stderr and exits 2 before anything is written.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, type Diagnostic } from './config/diagnostics.js';
import { planExperiment } from './config/plan.js';
import { COST_MODEL, estimatePlan } from './launch/estimate.js';
import { planMemory } from './launch/memory.js';
import { formatPlan, planJson } from './terminal/plan.js';
import type { RunOptions } from './run.js';
import { MAX_JOBS_PER_CORE, cores, maxJobs } from './launch/local/jobs.js';
import { releaseBeforeStart } from './signals.js';
import type { ShowOptions } from './terminal/run.js';
import type { Executor } from './config/schema.js';
import type { BackendName } from './types.js';
import { parseSelector, type Selector } from './report/compare/select.js';
import { StoreFault } from './store/fs-errors.js';
import * as msg from './messages.js';

/** The text of `run-exp --help`. */
export const USAGE = `run-exp: turn a YAML experiment into a reproducible study of the makemore MLP.

Usage:
  run-exp FILE.yaml [--set KEY=VALUE]... [--jobs N] [--out DIR] [--backend auto|node|wasm|cpu]
                    [--force] [--dry-run] [--json] [--quiet] [--timeout SECONDS]
                    [--executor local|slurm] [--detach]
  run-exp report NAME [--out DIR]     rebuild DIR/NAME.html (and DIR/index.html) from stored results, no training
  run-exp status NAME [--out DIR] [--json]
                                      each trial's state (pending, running, ok, diverged, stopped, failed; Slurm's)
  run-exp compare A B [C …] [--out DIR] [--json]
                                      one page over experiments of DIR, DIR/compare.A+B.html: each one's best grid
                                      point (seeds aggregated), or the trial NAME@ID names (an id or its first 4+ digits)
  run-exp --help | --version

Options:
  --set KEY=VALUE     override a key by its dotted path, typed by the schema (--set train.lr=0.05,
                      --set train.batch_size=full); KEY=A,B makes the key a grid axis (--set loss=manual,fused)
  --jobs N            trials at once (default: the number of CPU cores, ${cores()} here; at most ${MAX_JOBS_PER_CORE} per core)
  --out DIR           where results and the report go (default: reports)
  --backend NAME      auto (default): tfjs-node if it loads, else wasm, else cpu
  --force             rerun every trial from step 0 (by default finished trials are skipped and unfinished
                      ones go on from their checkpoints)
  --dry-run           validate, expand and print the plan (trials, what varies, steps, estimated time); write nothing
  --json              one JSON document on stdout (the plan with --dry-run, the results otherwise)
  --quiet             no progress bars, only the final lines
  --timeout SECONDS   fail a trial that runs longer than this (any positive number, e.g. 604800 for a week;
                      Slurm: the tasks' time limit, in whole minutes)
  --executor KIND     local (default): worker processes here; slurm: one Slurm job array, one trial per task
                      (wins over the file's executor.kind; with slurm, --jobs N caps the tasks running at once)
  --detach            slurm: submit, print the job id and exit; then \`run-exp status NAME\`, \`run-exp report NAME\`
  -h, --help          this help
  -V, --version       the version

Exit codes: 0 ran (diverged and stopped trials are results), 1 a trial failed, an expectation missed or results
are damaged (compare: some were left out), 2 bad input or usage, another run is using DIR/NAME, or nothing was
written (report, compare: the page could not be written; compare: nothing left to compare), 130 interrupted
(SIGINT, SIGTERM or SIGHUP: what finished is kept, and each running trial writes a checkpoint to go on from).
Internal: \`run-exp task SUBMISSION INDEX\` is what each Slurm array task runs (see its batch.sh).
Time estimates (--dry-run): ${COST_MODEL}.
Keys, defaults and examples: README.md and schema/experiment.schema.json.`;

const BACKENDS: readonly BackendName[] = ['auto', 'node', 'wasm', 'cpu'];
const EXECUTORS: readonly Executor['kind'][] = ['local', 'slurm'];

/** What the command line asks for. */
type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'report'; name: string; out: string }
  | { kind: 'status'; name: string; out: string; json: boolean }
  | { kind: 'compare'; selectors: Selector[]; out: string; json: boolean }
  | { kind: 'task'; submission: string; index: string }
  | { kind: 'run'; file: string; sets: string[]; dryRun: boolean; options: RunOptions & ShowOptions; executor?: Executor['kind']; jobsGiven: boolean };

/** Bad usage: the message goes to stderr and the exit code is 2. */
class UsageError extends Error {}

/** Run the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError) && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true) throw error;
    return usage((error as Error).message);
  }
  // Only a run, a report and a comparison handle signals (src/signals.ts); the other commands keep their default action.
  if (command.kind !== 'run' && command.kind !== 'report' && command.kind !== 'compare') releaseBeforeStart();
  switch (command.kind) {
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    case 'version':
      process.stdout.write(version() + '\n');
      return 0;
    case 'report':
      return report(command.out, command.name);
    case 'status': {
      const { showStatus } = await import('./terminal/status.js');
      return showStatus(command.out, command.name, command.json);
    }
    case 'task': {
      const { runTask } = await import('./launch/slurm/task.js');
      return runTask(command.submission, command.index);
    }
    case 'compare':
      return compare(command.out, command.selectors, command.json);
    case 'run':
      return run(command);
    default:
      throw new Error(`command ${JSON.stringify(command satisfies never)} not recognised`);
  }
}

/** Parse argv into a command; throws UsageError (or parseArgs' own error) for bad usage. */
export function parseCommandLine(argv: string[]): Command {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      set: { type: 'string', multiple: true, default: [] },
      jobs: { type: 'string' },
      out: { type: 'string', default: 'reports' },
      backend: { type: 'string', default: 'auto' },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      executor: { type: 'string' },
      detach: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'V', default: false },
    },
  });
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values.out === '') throw new UsageError('--out: expected a directory, got an empty string');
  if (positionals[0] === 'report') {
    if (positionals.length !== 2) throw new UsageError(`report: expected one experiment NAME, got ${positionals.length - 1}`);
    const extra = argv.filter((a) => a.startsWith('-') && !a.startsWith('--out'));
    if (extra.length > 0) throw new UsageError(`report: expected only --out DIR, got ${extra.join(' ')}`);
    return { kind: 'report', name: positionals[1]!, out: values.out };
  }
  if (positionals[0] === 'status') {
    if (positionals.length !== 2) throw new UsageError(`status: expected one experiment NAME, got ${positionals.length - 1}`);
    const extra = argv.filter((a) => a.startsWith('-') && !a.startsWith('--out') && a !== '--json');
    if (extra.length > 0) throw new UsageError(`status: expected only --out DIR and --json, got ${extra.join(' ')}`);
    return { kind: 'status', name: positionals[1]!, out: values.out, json: values.json };
  }
  if (positionals[0] === 'compare') {
    const extra = argv.filter((a) => a.startsWith('-') && !a.startsWith('--out') && a !== '--json');
    if (extra.length > 0) throw new UsageError(`compare: expected only --out DIR and --json, got ${extra.join(' ')}`);
    const names = positionals.slice(1);
    if (names.length < 2) throw new UsageError(`compare: expected two or more experiments (NAME, or NAME@ID for one of its trials), got ${names.length === 0 ? 'none' : names.join(' ')}`);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new UsageError(`compare: ${twice} is named twice`);
    const selectors = names.map(parseSelector);
    const bad = selectors.find((x): x is string => typeof x === 'string');
    if (bad !== undefined) throw new UsageError(`compare: ${bad}`);
    return { kind: 'compare', selectors: selectors as Selector[], out: values.out, json: values.json };
  }
  if (positionals[0] === 'task') {
    if (positionals.length !== 3) throw new UsageError(`task: expected SUBMISSION INDEX (what a Slurm array task runs), got ${positionals.slice(1).join(' ') || 'nothing'}`);
    return { kind: 'task', submission: positionals[1]!, index: positionals[2]! };
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'expected an experiment FILE.yaml' : `expected one experiment file, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  if (!BACKENDS.includes(values.backend as BackendName)) throw new UsageError(`--backend: expected ${BACKENDS.join(', ')}, got ${JSON.stringify(values.backend)}`);
  // The per-core limit on --jobs waits for the executor (the file may name it): on Slurm, --jobs is the array's parallelism.
  const jobs = values.jobs === undefined ? cores() : positiveInteger('--jobs', values.jobs);
  const timeoutSeconds = values.timeout === undefined ? undefined : positiveNumber('--timeout', values.timeout);
  if (values.executor !== undefined && !EXECUTORS.includes(values.executor as Executor['kind'])) {
    throw new UsageError(`--executor: expected ${EXECUTORS.join(' or ')}, got ${JSON.stringify(values.executor)}`);
  }
  const options: RunOptions & ShowOptions = {
    out: values.out,
    jobs,
    backend: values.backend as BackendName,
    force: values.force,
    quiet: values.quiet,
    json: values.json,
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    argv,
    detach: values.detach,
  };
  const executor = values.executor as Executor['kind'] | undefined;
  return { kind: 'run', file: positionals[0]!, sets: values.set, dryRun: values['dry-run'], options, ...(executor === undefined ? {} : { executor }), jobsGiven: values.jobs !== undefined };
}

async function run(command: Extract<Command, { kind: 'run' }>): Promise<number> {
  // --executor wins over the file's executor.kind, and on Slurm --jobs and --timeout set the array's parallelism and
  // time limit: resolved with the rest of the configuration, so what ran is what experiment.yaml says.
  const { options } = command;
  let planned;
  try {
    const commandLine = { executor: command.executor, jobs: command.jobsGiven ? options.jobs : undefined, timeoutSeconds: options.timeoutSeconds };
    planned = await planExperiment(command.file, command.sets, commandLine);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return printProblems(error.diagnostics, options.json);
  }
  const { plan, files, locate } = planned;
  const local = plan.experiment.executor.kind === 'local';
  // Locally, --jobs is worker processes on this machine's cores (on Slurm, the array's parallelism: no per-core limit).
  if (local) {
    if (options.detach === true) return usage('--detach: expected the Slurm executor (--executor slurm, or executor.kind: slurm in the file); a local run cannot outlive its command');
    if (options.jobs > maxJobs()) return usage(`--jobs: expected at most ${maxJobs()} (${MAX_JOBS_PER_CORE} per CPU core; this machine has ${cores()}), got ${options.jobs}: more workers than that only make each trial slower`);
  }
  // Memory: a trial that cannot fit is refused at the key that makes it too large; fewer workers run when not all fit.
  const memory = planMemory(plan, files, { jobs: options.jobs, backend: options.backend });
  if (memory.problems.length > 0) return printProblems(memory.problems.map((p) => locate(p.trial, p.path, p.message)), options.json);
  const jobs = local ? memory.workers : options.jobs;
  const estimate = estimatePlan(plan, files, jobs);
  if (command.dryRun) {
    const warnings = [...memory.warnings, ...estimate.warnings];
    process.stdout.write((options.json ? JSON.stringify(planJson(plan, estimate, memory, warnings), null, 2) : formatPlan(plan, estimate, memory, warnings)) + '\n');
    return 0;
  }
  for (const warning of memory.warnings) process.stderr.write(`warning: ${warning}\n`);
  const { runAndShow } = await import('./terminal/run.js'); // loaded only to run: --help, --dry-run and errors stay quick
  return runAndShow(plan, { ...options, jobs, estimate });
}

/**
 * `run-exp report NAME`: rebuild DIR/NAME.html from what is stored, without the run's lock. It writes the report whole,
 * and, for a Slurm run, the failed summaries of tasks Slurm ended without one, unless a live run holds the lock (that
 * run watches the same tasks and writes them itself). Damaged results are named on stderr and left out, and the exit
 * code is then 1; a signal leaves the old report as it was (130); a report that cannot be built says why (1), never
 * with a stack trace.
 */
async function report(out: string, name: string): Promise<number> {
  if (!existsSync(path.join(out, name))) {
    process.stderr.write(`run-exp report: no results for ${JSON.stringify(name)}: expected a folder ${path.join(out, name)} (run the experiment first, or pass --out DIR)\n`);
    return 2;
  }
  const [{ writeReport }, { writeIndex }, { onInterrupt, INTERRUPTED }, { describeHolder }, { settleForReport, watchingRun }] = await Promise.all([
    import('./report/index.js'),
    import('./report/overview/index.js'),
    import('./signals.js'),
    import('./store/lock.js'),
    import('./launch/status.js'),
  ]);
  const interrupts = onInterrupt();
  const file = path.join(out, `${name}.html`);
  let damaged = 0;
  try {
    const running = await watchingRun(path.join(out, name));
    for (const line of await settleForReport(out, name, running === undefined)) process.stderr.write(`run-exp report: ${line}\n`); // tasks Slurm ended without a summary are failed trials first, by the run if one holds the lock
    if (running?.record && running.holder.state === 'alive') {
      process.stderr.write(`run-exp report: a run is writing these results (${describeHolder(running.record)}); the report shows what has finished so far\n`);
    }
    process.stderr.write(`run-exp report: building ${file} from ${path.join(out, name)} …\n`);
    const onUnread = (u: { damaged: boolean; problem: string }) => {
      if (u.damaged) damaged += 1;
      process.stderr.write(`run-exp report: ${u.damaged ? 'damaged results, left out' : 'not shown'}: ${u.problem}\n`);
    };
    process.stdout.write((await writeReport(out, name, { signal: interrupts.signal, onUnread })) + '\n');
    await writeIndex(out).catch((error: Error) => process.stderr.write(`run-exp report: the index ${path.join(out, 'index.html')} could not be written: ${error.message}\n`));
  } catch (error) {
    if (interrupts.signal.aborted) {
      process.stderr.write(`run-exp report: interrupted (${interrupts.received()}): ${file} was not written (an earlier one is left as it was); the results in ${path.join(out, name)} are untouched\n`);
      return INTERRUPTED;
    }
    if (error instanceof StoreFault) {
      process.stderr.write(`run-exp report: ${msg.pageNotWritten('the report', error.message)}\n`);
      return 2;
    }
    process.stderr.write(`run-exp report: ${msg.reportFailed((error as Error).message)}\n`);
    return 1;
  } finally {
    interrupts.dispose();
  }
  if (damaged === 0) return 0;
  process.stderr.write(`run-exp report: ${damaged} damaged result${damaged === 1 ? '' : 's'} left out of ${file}; they count as not finished: run the experiment again to train them again\n`);
  return 1;
}

/**
 * `run-exp compare A B …`: DIR/compare.A+B.html over what each argument names (its path on stdout, or with --json the
 * comparison as one JSON document there). An argument that names nothing to compare is said on stderr and on the page:
 * exit 1; nothing left to compare at all: exit 2, nothing written; a signal: 130, nothing written.
 */
async function compare(out: string, selectors: Selector[], json: boolean): Promise<number> {
  const [{ readComparison, writeComparison, comparisonDocument }, { onInterrupt, INTERRUPTED }] = await Promise.all([import('./report/compare/index.js'), import('./signals.js')]);
  const interrupts = onInterrupt();
  try {
    const comparison = await readComparison(out, selectors, interrupts.signal);
    for (const l of comparison.leftOut) process.stderr.write(`run-exp compare: ${l.text} is left out: ${l.reason}\n`);
    for (const n of comparison.notes) process.stderr.write(`run-exp compare: ${n}\n`);
    if (comparison.items.length === 0) {
      process.stderr.write('run-exp compare: nothing left to compare; nothing was written\n');
      if (json) process.stdout.write(JSON.stringify(comparisonDocument(comparison, null), null, 2) + '\n');
      return 2;
    }
    const file = await writeComparison(out, selectors, comparison, interrupts.signal);
    process.stdout.write((json ? JSON.stringify(comparisonDocument(comparison, file), null, 2) : file) + '\n');
    return comparison.leftOut.length > 0 ? 1 : 0;
  } catch (error) {
    if (interrupts.signal.aborted) {
      process.stderr.write(`run-exp compare: interrupted (${interrupts.received()}): nothing was written\n`);
      return INTERRUPTED;
    }
    if (error instanceof StoreFault) {
      process.stderr.write(`run-exp compare: ${msg.pageNotWritten('the comparison', error.message)}\n`);
      return 2;
    }
    process.stderr.write(`run-exp compare: the comparison could not be built: ${(error as Error).message}\n`);
    return 1;
  } finally {
    interrupts.dispose();
  }
}

/** Every problem on stderr (and, with --json, as one JSON document on stdout); exit code 2. */
function printProblems(diagnostics: Diagnostic[], json: boolean): number {
  const text = new ConfigError(diagnostics).message;
  const count = diagnostics.length;
  process.stderr.write(`${text}\n${count} problem${count === 1 ? '' : 's'}; nothing was run or written.\n`);
  if (json) process.stdout.write(JSON.stringify({ errors: diagnostics }, null, 2) + '\n');
  return 2;
}

function positiveInteger(option: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option}: expected a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

/** Bad usage found after planning: the message on stderr, exit code 2. */
function usage(message: string): number {
  process.stderr.write(`run-exp: ${message}\nRun \`run-exp --help\` for usage.\n`);
  return 2;
}

function positiveNumber(option: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || text.trim() === '') throw new UsageError(`${option}: expected a positive number of seconds, got ${JSON.stringify(text)}`);
  return n;
}

/** The package's version, from package.json (two levels above dist/src/). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
