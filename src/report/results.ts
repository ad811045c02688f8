// The stored results of one experiment, as the report sees them, and the few facts derived from them.
import type { Experiment } from '../config/schema.js';
import type { ExpectationResult } from '../expect/index.js';
import type { Progress, RunInfo, Summary, Trial, Weight } from '../types.js';
import type { TrialCurves } from './curves.js';
import type { InsideNet } from './inside.js';
import { formatValue } from '../values.js';

/** One trial as stored: its configuration and, once finished, its summary and outputs. */
export interface TrialResult {
  trial: Trial;
  summary: Summary | null; // null: unfinished (no summary.json yet)
  curves: TrialCurves | null; // reduced from metrics.jsonl for the charts; null for unfinished trials (or no metrics.jsonl)
  samples: string[];
  embedding: Weight | null; // C, only when it has two columns (embed_dim 2)
  inside: InsideNet | null; // diagnostics.jsonl reduced, for a finished trial that took diagnostics
  problem?: string; // damaged: which file and what is wrong (src/store/check-trial.ts); it then counts as not finished
  progress?: Progress; // being trained now (a live report): how far it is; its curves are those of its metrics so far
}

/** What could not be read: a damaged trial whose config.json is unsound, a damaged run.json, or a folder that is no trial. */
export interface UnreadTrial {
  damaged: boolean; // false: not a trial at all (no config.json, none of a trial's files)
  problem: string; // the file (DIR/NAME/trials/ID/…), and what is wrong
}

/**
 * A report written while its run goes on (see src/report/live.ts): when, how often the page reloads itself, how many of
 * the run's trials have ended. Which trials run, and how far, is in each TrialResult's `progress`.
 */
export interface LiveInfo {
  written_at: string; // ISO time this page was written
  started_at: string; // when the run started
  reload_seconds: number; // the page reloads itself after this long (about when the next one is written)
  trials: number; // the trials this run trains (finished ones of earlier runs not counted)
  ended: number; // of them, ended so far
}

/** Everything the report shows, read from DIR/NAME/. */
export interface Results {
  name: string;
  experiment: Experiment;
  experimentYaml: string; // experiment.yaml as stored, shown verbatim (escaped)
  run: RunInfo | null; // null when run.json is missing (e.g. results gathered by hand)
  trials: TrialResult[]; // in expansion order (trial.index); damaged ones whose config.json is sound among them
  unread: UnreadTrial[]; // entries of trials/ that are not in `trials`, and a damaged run.json
  budget: number; // raw points per trial the curves were reduced to (pointBudget of the plan's trials, see load.ts)
  expectations: ExpectationResult[]; // checked expectations; empty when none are stated or they cannot be checked yet
  live?: LiveInfo; // written while the run goes on: the page says so and reloads itself
}

/** Trial status as the report counts it: the stored status, or running (a live report), unfinished, or damaged (and so not finished). */
export type ReportStatus = Summary['status'] | 'running' | 'unfinished' | 'damaged';

/** The status of a trial, counting a missing summary as unfinished (running while a live report says so). */
export function statusOf(t: TrialResult): ReportStatus {
  if (t.problem !== undefined) return 'damaged';
  if (t.summary === null) return t.progress === undefined ? 'unfinished' : 'running';
  return t.summary.status;
}

/** Every damaged result (trials with a problem, then the unread ones), and the folders that are no trial. */
export function damagedResults(results: Pick<Results, 'trials' | 'unread'>): UnreadTrial[] {
  const damaged = results.trials.flatMap((t) => (t.problem === undefined ? [] : [{ damaged: true, problem: t.problem }]));
  return [...damaged, ...results.unread];
}

/** The parameter keys that vary across trials, in the order of the grid (then "repeat"). */
export function varyingKeys(results: Pick<Results, 'trials' | 'experiment'>): string[] {
  const seen = new Set<string>();
  for (const t of results.trials) for (const k of Object.keys(t.trial.params)) seen.add(k);
  const order = [...Object.keys(results.experiment?.grid ?? {}), 'repeat'];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return [...seen].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Short names for dotted keys: the last segment, unless two keys share it (then the whole key). */
export function shortKeys(keys: string[]): Map<string, string> {
  const last = (k: string) => k.slice(k.lastIndexOf('.') + 1);
  const count = new Map<string, number>();
  for (const k of keys) count.set(last(k), (count.get(last(k)) ?? 0) + 1);
  return new Map(keys.map((k) => [k, count.get(last(k)) === 1 ? last(k) : k]));
}

/** A trial's label: its varying values ("lr=0.1 batch_size=32"), or its id when nothing varies. */
export function trialLabel(t: Trial, keys: string[]): string {
  if (keys.length === 0) return t.id;
  const short = shortKeys(keys);
  return keys.filter((k) => k in t.params).map((k) => `${short.get(k)}=${formatValue(t.params[k])}`).join(' ');
}

/** The final loss a trial is judged by: dev when evaluated, else train, else test (null when none is finite). */
export function judgedLoss(s: Summary | null): { split: 'dev' | 'train' | 'test'; loss: number } | null {
  if (s === null) return null;
  for (const split of ['dev', 'train', 'test'] as const) {
    const v = s.final[`${split}_loss`];
    if (typeof v === 'number' && Number.isFinite(v)) return { split, loss: v };
  }
  return null;
}

/** The kinds of distribution a random search draws a key from (see search in design.md). */
export const DISTRIBUTIONS = ['log_uniform', 'uniform', 'int_uniform'] as const;
export type DistributionName = (typeof DISTRIBUTIONS)[number];

/** The experiment's section `name` as plain data (read defensively: older results lack it, newer ones may add keys). */
function section(results: Results, name: string): Record<string, unknown> | null {
  const v = (results.experiment as unknown as Record<string, unknown>)[name];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The distribution a sweep key is drawn from ({log_uniform: [a, b]} in the grid), or null for a list of values. */
export function distributionOf(results: Results, key: string): { name: DistributionName; min: number; max: number } | null {
  const spec = (results.experiment.grid as Record<string, unknown> | undefined)?.[key];
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return null;
  const name = DISTRIBUTIONS.find((d) => d in spec);
  const bounds = name === undefined ? undefined : (spec as Record<string, unknown>)[name];
  if (name === undefined || !Array.isArray(bounds) || typeof bounds[0] !== 'number' || typeof bounds[1] !== 'number') return null;
  return { name, min: bounds[0], max: bounds[1] };
}

/** How the trials were chosen: a grid (the default), or a random search of `trials` draws with its seed. */
export function searchOf(results: Results): { method: 'grid' } | { method: 'random'; trials: number | null; seed: number | null } {
  const s = section(results, 'search');
  if (s?.['method'] !== 'random') return { method: 'grid' };
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return { method: 'random', trials: num(s['trials']), seed: num(s['seed']) };
}

/** What early stopping did: the rule (as configured, null when none is), how many trials it stopped, the steps it saved. */
export interface EarlyStopping {
  rule: Record<string, unknown> | null; // the experiment's early_stop section, e.g. {method: 'asha', grace: 250, eta: 3}
  stopped: number; // trials with status stopped
  trials: number; // every trial of the experiment
  saved: number; // Σ over stopped trials of (steps_planned − steps)
  planned: number; // Σ over every trial of its planned steps
}

/** Early stopping's effect, or null when no rule is configured and no trial was stopped. */
export function earlyStopping(results: Results): EarlyStopping | null {
  const rule = section(results, 'early_stop');
  let stopped = 0;
  let saved = 0;
  let planned = 0;
  for (const t of results.trials) {
    const s = t.summary;
    planned += s?.steps_planned ?? t.trial.config.train.steps;
    if (s?.status !== 'stopped') continue;
    stopped += 1;
    saved += Math.max(0, s.steps_planned - s.steps);
  }
  if (rule === null && stopped === 0) return null;
  return { rule, stopped, trials: results.trials.length, saved, planned };
}

/** How many trials the "best trials" section lists. */
export const BEST_TRIALS = 5;

/** The trials with the lowest judged loss, best first (ties: the earlier trial), at most `n`. */
export function bestTrials(results: Results, n = BEST_TRIALS): TrialResult[] {
  return results.trials
    .flatMap((t) => {
      const judged = judgedLoss(t.summary);
      return judged === null ? [] : [{ t, loss: judged.loss }];
    })
    .sort((a, b) => a.loss - b.loss || a.t.trial.index - b.t.trial.index)
    .slice(0, n)
    .map((x) => x.t);
}
