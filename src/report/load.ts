// Reading DIR/NAME/ into Results: the only part of the report that reads files. Every trial is checked as it is read,
// by the run's own judge (src/store/check-trial.ts), which streams metrics.jsonl (and diagnostics.jsonl) by twice: to
// count the rows, then to reduce them to the charts' curves, so their size does not matter (see curves.ts, inside.ts).
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Experiment } from '../config/schema.js';
import { checkTrial, formatProblem, readRowsSoFar } from '../store/check-trial.js';
import { readPlanFile } from '../store/files.js';
import type { Progress, RunInfo } from '../types.js';
import { CurveReducer, RowCounter, type RowCounts } from './curves.js';
import { InsideReducer } from './inside.js';
import { pointBudget } from './data.js';
import { isRangeTest } from '../train/schedule.js';
import type { Results, TrialResult, UnreadTrial } from './results.js';

/** How readResults reads: a signal to stop it, the trials running now (a live report), finished trials read before. */
export interface ReadOptions {
  signal?: AbortSignal; // aborted: stop between trials (rejects with its reason)
  running?: ReadonlyMap<string, Progress>; // trials being trained now, by id: their metrics so far are read too
  cache?: ResultCache; // finished trials kept from an earlier read, reused while their summary.json is the same file
}

/**
 * Finished trials as read before, by id, for a reader that reads the same folder again and again while it holds the
 * lock (the live report): a trial whose summary.json is the same file (inode, time, size) is not checked again.
 */
export type ResultCache = Map<string, { identity: string; result: TrialResult; counts: RowCounts | undefined; diagnostics: number; budget: number }>;

/** Read the stored results of experiment NAME under DIR (experiment.yaml, run.json, trials/*); an aborted signal stops it between trials. */
export async function readResults(out: string, name: string, options: ReadOptions = {}): Promise<Omit<Results, 'expectations'>> {
  const { signal, running, cache } = options;
  const dir = path.join(out, name);
  const yamlFile = path.join(dir, 'experiment.yaml');
  const experimentYaml = await readText(yamlFile, `run the experiment first (no stored results for "${name}" in ${out})`);
  const experiment = parseYaml(experimentYaml) as Experiment;
  if (experiment === null || typeof experiment !== 'object' || typeof experiment.name !== 'string') {
    throw new Error(`${yamlFile}:1:1: expected a resolved experiment (a mapping with "name"), found ${JSON.stringify(experiment)}`);
  }
  const unread: UnreadTrial[] = [];
  const run = await readJsonIfExists<RunInfo>(path.join(dir, 'run.json')).catch((e: Error) => {
    unread.push({ damaged: true, problem: e.message }); // the header then says the time is unknown
    return null;
  });
  const entries = await readdir(path.join(dir, 'trials'), { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  const planned = await readPlanIds(out, name, unread);
  const trials: TrialResult[] = [];
  const earlier: string[] = []; // trials of an earlier plan of the experiment (the grid has changed since)
  const counts = new Map<TrialResult, RowCounts>(); // the first pass's, for the second
  const diagnostics = new Map<TrialResult, number>(); // the rows of finished trials' diagnostics.jsonl, likewise
  const identities = new Map<TrialResult, string>(); // finished trials' summary.json as it was when read (for the cache)
  const soFar = new Map<TrialResult, number>(); // running trials: the bytes of metrics.jsonl the first pass counted
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    signal?.throwIfAborted();
    if (entry.name.startsWith('.')) continue; // hidden: temp files, a file manager's notes
    const trialDir = path.join(dir, 'trials', entry.name);
    if (planned !== undefined && entry.isDirectory() && !planned.has(entry.name) && (await isFile(path.join(trialDir, 'config.json')))) {
      earlier.push(entry.name);
      continue;
    }
    const identity = cache === undefined || !entry.isDirectory() ? undefined : await fileIdentity(path.join(trialDir, 'summary.json'));
    const hit = identity === undefined ? undefined : cache?.get(entry.name);
    if (hit !== undefined && hit.identity === identity) {
      trials.push(hit.result);
      if (hit.counts !== undefined) counts.set(hit.result, hit.counts);
      diagnostics.set(hit.result, hit.diagnostics);
      identities.set(hit.result, identity);
      continue;
    }
    const t = await readTrial(trialDir, entry.isDirectory(), unread, counts, diagnostics);
    if (t === null) continue;
    trials.push(t);
    if (identity !== undefined && t.summary !== null && t.problem === undefined) identities.set(t, identity);
    const progress = t.summary === null && t.problem === undefined ? running?.get(t.trial.id) : undefined;
    if (progress !== undefined) {
      t.progress = progress;
      const counter = new RowCounter();
      soFar.set(t, await readRowsSoFar(path.join(trialDir, 'metrics.jsonl'), (row) => counter.push(row)));
      counts.set(t, counter.counts);
    }
  }
  if (earlier.length > 0) unread.push({ damaged: false, problem: earlierPlanNote(path.join(dir, 'trials'), earlier, planned!.size) });
  trials.sort((a, b) => a.trial.index - b.trial.index);
  // Points per trial from the plan's size where there is one: while a run goes on, trials that have not begun have no
  // folder yet, and a budget that shrank as they began would make every page read every finished trial again.
  const budget = pointBudget(Math.max(trials.length, planned?.size ?? 0));
  for (const t of trials) {
    signal?.throwIfAborted();
    const rows = counts.get(t);
    const cached = cache?.get(t.trial.id);
    const trialDir = path.join(dir, 'trials', t.trial.id);
    if (rows === undefined) {
      // no rows: nothing to draw
    } else if (soFar.has(t)) {
      await readCurvesSoFar(trialDir, t, rows, budget, soFar.get(t)!);
    } else if (cached?.result !== t || cached.budget !== budget) {
      await readCurves(trialDir, t, rows, diagnostics.get(t) ?? 0, budget);
    }
    const identity = identities.get(t);
    if (cache !== undefined && identity !== undefined && t.summary !== null) cache.set(t.trial.id, { identity, result: t, counts: rows, diagnostics: diagnostics.get(t) ?? 0, budget });
  }
  return { name, experiment, experimentYaml, run, trials, unread, budget };
}

/** Which file a path is right now (inode, time, size), or undefined when there is none. */
async function fileIdentity(file: string): Promise<string | undefined> {
  const s = await stat(file, { bigint: true }).catch(() => undefined);
  return s === undefined ? undefined : `${s.ino}:${s.mtimeNs}:${s.size}`;
}

/**
 * A running trial's curves so far: the second pass over the rows the first counted (the first `bytes` of its
 * metrics.jsonl, which grows meanwhile). Rows out of order (the trial restarted in between) leave it without curves.
 */
async function readCurvesSoFar(dir: string, t: TrialResult, counts: RowCounts, budget: number, bytes: number): Promise<void> {
  const reducer = new CurveReducer(counts, budget, isRangeTest(t.trial.config.train.lr), t.trial.config.train.steps);
  try {
    await readRowsSoFar(path.join(dir, 'metrics.jsonl'), (row) => reducer.push(row), bytes);
    t.curves = reducer.curves();
  } catch {
    t.curves = null; // rewritten between the passes: drawn at the next read
  }
}

/**
 * The trial ids of the latest run's plan (plan.json), or undefined when there is none (results written before runs
 * wrote it): then every stored trial is shown. A damaged plan.json is named, and every stored trial is shown.
 */
async function readPlanIds(out: string, name: string, unread: UnreadTrial[]): Promise<Set<string> | undefined> {
  const read = await readPlanFile(out, name);
  if (read.kind === 'damaged') unread.push({ damaged: true, problem: `${read.problem}; every stored trial is shown` });
  return read.kind === 'plan' ? new Set(read.plan.trials) : undefined;
}

/** What the report says of the stored trials that the latest plan does not have. */
function earlierPlanNote(trialsDir: string, ids: string[], planned: number): string {
  const listed = ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
  return `${trialsDir}: ${ids.length} stored trial${ids.length === 1 ? ' is' : 's are'} not in the latest run's plan of ${planned} (an earlier grid or search of the experiment): ${listed}; not shown`;
}

/**
 * One entry of trials/, checked by the run's own judge (src/store/check-trial.ts) while its rows are counted: a
 * finished, unfinished or damaged trial, or null when it is no trial (listed in `unread` unless it is an empty
 * folder: a trial about to be written). A finished trial's counts go to `counts` (its diagnostics rows' to
 * `diagnostics`); its curves are read later.
 */
async function readTrial(
  dir: string,
  isDirectory: boolean,
  unread: UnreadTrial[],
  counts: Map<TrialResult, RowCounts>,
  diagnostics: Map<TrialResult, number>,
): Promise<TrialResult | null> {
  if (!isDirectory) {
    unread.push({ damaged: false, problem: `${dir}: not a trial (a file, not a folder)` });
    return null;
  }
  const counter = new RowCounter();
  let looks = 0; // rows of diagnostics.jsonl
  const stored = await checkTrial(dir, { onMetric: (row) => counter.push(row), onDiagnostics: () => void (looks += 1) });
  const none = { summary: null, curves: null, samples: [], embedding: null, inside: null };
  switch (stored.kind) {
    case 'not-a-trial':
      if (stored.files.length > 0) unread.push({ damaged: false, problem: `${dir}: not a trial (no config.json; it holds ${stored.files.join(', ')})` });
      return null;
    case 'unfinished':
      return { trial: stored.trial, ...none };
    case 'damaged':
      if (stored.trial === null) {
        unread.push({ damaged: true, problem: formatProblem(stored.problem) });
        return null;
      }
      return { trial: stored.trial, ...none, problem: formatProblem(stored.problem) };
    case 'finished': {
      const { trial, summary, samples, weights } = stored;
      const C = weights.find((w) => w.name === 'C' && w.shape.length === 2 && w.shape[1] === 2);
      const t: TrialResult = { trial, summary, curves: null, samples, embedding: trial.config.model.embed_dim === 2 ? (C ?? null) : null, inside: null };
      const { steps, evals } = counter.counts;
      if (steps > 0 || Object.keys(evals).length > 0) counts.set(t, counter.counts); // a failed trial may have no rows
      diagnostics.set(t, looks);
      return t;
    }
    default:
      throw new Error(`stored trial not recognised: ${JSON.stringify(stored satisfies never)}`);
  }
}

/**
 * A finished trial's curves and diagnostics: the second pass over its rows, checked again (without a lock, a run may
 * have begun to rewrite it since the first). When it is no longer finished, it counts as what it is now: unfinished
 * or damaged.
 */
async function readCurves(dir: string, t: TrialResult, counts: RowCounts, diagnostics: number, budget: number): Promise<void> {
  const reducer = new CurveReducer(counts, budget, isRangeTest(t.trial.config.train.lr), t.trial.config.train.steps);
  const inside = new InsideReducer(diagnostics, budget);
  const again = await checkTrial(dir, { onMetric: (row) => reducer.push(row), onDiagnostics: (row) => inside.push(row) });
  if (again.kind === 'finished') {
    t.curves = reducer.curves();
    t.inside = inside.result();
    return;
  }
  Object.assign(t, { summary: null, curves: null, samples: [], embedding: null, inside: null }, again.kind === 'damaged' ? { problem: formatProblem(again.problem) } : {});
}

/** Whether a regular file is there. */
function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

async function readText(file: string, hint: string): Promise<string> {
  const text = await readTextIfExists(file);
  if (text === null) throw new Error(`${file}: not found; ${hint}`);
  return text;
}

async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function readJsonIfExists<T>(file: string): Promise<T | null> {
  const text = await readTextIfExists(file);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${file}:1:1: expected JSON, found ${JSON.stringify(text.slice(0, 60))} (${(e as Error).message})`);
  }
}
