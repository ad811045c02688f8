// Every experiment in DIR at a glance, for the index page: what each folder's files say, read defensively. A folder
// with damaged or partial results, one that a live run is writing, results written before the index existed: each is
// listed with what could be read, and what could not is said, never thrown. Trials are judged by their config.json and
// summary.json only (the report checks every file; the index must stay quick over thousands of trials).
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Experiment } from '../../config/schema.js';
import { checkTrial, formatProblem } from '../../store/check-trial.js';
import { readPlanFile } from '../../store/files.js';
import { judgeLock, lockFile, readLock } from '../../store/lock.js';
import type { RunInfo } from '../../types.js';
import { statusOf, varyingKeys, type ReportStatus, type TrialResult } from '../results.js';
import { rankGroups, seedGroups, summarizeGroup, type GroupSummary } from '../seeds.js';

/** One experiment folder of DIR as the index lists it. */
export interface ExperimentEntry {
  name: string; // the folder's name
  description: string | null;
  ran: { started_at: string; finished_at: string | null; seconds: number | null } | null; // run.json: the last run
  running: { since: string; pid: number; host: string } | null; // a live run holds run.lock now
  trials: number;
  statuses: Partial<Record<ReportStatus, number>>;
  best: GroupSummary | null; // the best grid point (a single trial when repeat is 1), as the report ranks them
  seeds: boolean; // some grid point has several seeds: `best` is a mean over them
  steps: number; // trained, over every trial
  planned: number;
  seconds: number; // the trials' own time, summed
  report: string | null; // NAME.html when it exists (a path relative to DIR)
  problems: string[]; // what could not be read, each with its file
}

/** DIR at a glance: its experiments, the comparisons written there, and what could not be read at all. */
export interface Overview {
  dir: string;
  experiments: ExperimentEntry[];
  comparisons: string[]; // compare.*.html files (relative to DIR)
  problems: string[];
}

/** Compare pages in DIR are named compare.A+B.html (see src/report/compare/): never an experiment's NAME.html. */
export const COMPARISON = /^compare\..+\.html$/;

/** The folders of DIR that hold an experiment's results (experiment.yaml, trials/ or run.lock), read one by one. */
export async function scanResults(out: string): Promise<Overview> {
  const overview: Overview = { dir: out, experiments: [], comparisons: [], problems: [] };
  let entries;
  try {
    entries = await readdir(out, { withFileTypes: true });
  } catch (error) {
    overview.problems.push(`${out}: ${(error as Error).message}`);
    return overview;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isFile() && COMPARISON.test(entry.name)) overview.comparisons.push(entry.name);
    if (!entry.isDirectory()) continue;
    const dir = path.join(out, entry.name);
    const holds = await Promise.all(['experiment.yaml', 'trials', 'run.lock'].map((f) => exists(path.join(dir, f))));
    if (!holds.some(Boolean)) continue; // not an experiment's folder
    overview.experiments.push(await readEntry(out, entry.name));
  }
  return overview;
}

/** One experiment's entry; whatever cannot be read is a problem of the entry, not an error. */
async function readEntry(out: string, name: string): Promise<ExperimentEntry> {
  const dir = path.join(out, name);
  const entry: ExperimentEntry = {
    name, description: null, ran: null, running: null, trials: 0, statuses: {}, best: null, seeds: false, steps: 0, planned: 0, seconds: 0, report: null, problems: [],
  };
  const problem = (file: string, e: unknown) => entry.problems.push(`${file}: ${(e as Error).message}`);
  const yamlFile = path.join(dir, 'experiment.yaml');
  let experiment: Partial<Experiment> = {};
  try {
    const value = parseYaml(await readFile(yamlFile, 'utf8')) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a resolved experiment (a mapping)');
    experiment = value as Partial<Experiment>;
    entry.description = typeof experiment.description === 'string' ? experiment.description : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') problem(yamlFile, e);
    else entry.problems.push(`${yamlFile}: missing (a run writes it first: this one may be starting)`);
  }
  const runFile = path.join(dir, 'run.json');
  try {
    const run = JSON.parse(await readFile(runFile, 'utf8')) as Partial<RunInfo>;
    if (typeof run.started_at !== 'string') throw new Error('expected run.json with started_at');
    entry.ran = { started_at: run.started_at, finished_at: typeof run.finished_at === 'string' ? run.finished_at : null, seconds: typeof run.seconds === 'number' ? run.seconds : null };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') problem(runFile, e);
  }
  try {
    const lock = await readLock(lockFile(dir));
    if (lock?.record !== undefined && lock.record !== null && (await judgeLock(lock.record)).state === 'alive') {
      entry.running = { since: lock.record.started_at, pid: lock.record.pid, host: lock.record.host };
    }
  } catch (e) {
    problem(lockFile(dir), e);
  }
  const trials = await readTrials(out, name, entry);
  entry.trials = trials.length;
  for (const t of trials) {
    const status = statusOf(t);
    entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
    entry.steps += t.summary?.steps ?? 0;
    entry.planned += t.summary?.steps_planned ?? t.trial.config.train.steps;
    entry.seconds += t.summary?.seconds ?? 0;
  }
  const groups = seedGroups(trials, varyingKeys({ trials, experiment: experiment as Experiment }));
  entry.seeds = groups.some((g) => g.trials.length > 1);
  entry.best = rankGroups(groups.map(summarizeGroup), 1)[0] ?? null;
  if (await exists(path.join(out, `${name}.html`))) entry.report = `${name}.html`;
  return entry;
}

/** The trials of the latest plan (plan.json; every stored one without it), each judged by config.json and summary.json. */
async function readTrials(out: string, name: string, entry: ExperimentEntry): Promise<TrialResult[]> {
  const trialsDir = path.join(out, name, 'trials');
  const read = await readPlanFile(out, name);
  if (read.kind === 'damaged') entry.problems.push(`${read.problem}; every stored trial is listed`);
  const planned = read.kind === 'plan' ? new Set(read.plan.trials) : undefined;
  const ids = await readdir(trialsDir).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') entry.problems.push(`${trialsDir}: ${e.message}`);
    return [] as string[];
  });
  const trials: TrialResult[] = [];
  let damaged = 0;
  for (const id of ids.sort()) {
    if (id.startsWith('.') || (planned !== undefined && !planned.has(id))) continue;
    try {
      const stored = await checkTrial(path.join(trialsDir, id), { summaryOnly: true });
      const none = { curves: null, samples: [], embedding: null, inside: null };
      if (stored.kind === 'finished') trials.push({ trial: stored.trial, summary: stored.summary, ...none });
      else if (stored.kind === 'unfinished') trials.push({ trial: stored.trial, summary: null, ...none });
      else if (stored.kind === 'damaged') {
        damaged += 1;
        if (stored.trial !== null) trials.push({ trial: stored.trial, summary: null, ...none, problem: formatProblem(stored.problem) });
        if (damaged <= 3) entry.problems.push(formatProblem(stored.problem));
      }
    } catch (e) {
      entry.problems.push(`${path.join(trialsDir, id)}: ${(e as Error).message}`);
    }
  }
  if (damaged > 3) entry.problems.push(`and ${damaged - 3} more damaged trials (\`run-exp report ${name}\` names each)`);
  return trials.sort((a, b) => a.trial.index - b.trial.index);
}

function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}
