// Expectations: assertions on results that the experiment states (`expect:`), checked after the trials ran.
//
// checkExpectations is pure: experiment + trials + summaries → one result per (expectation, trial, key).
//   1. normalise `expect` to a list;
//   2. select the trials each expectation applies to (`where`, or all of them);
//   3. check each stated key (train_loss, dev_loss, test_loss, suggested_lr, min_loss_lr, first_loss, status) on each
//      selected trial;
//   4. `best`: find the selected trial with the least final `by` loss and check its losses and values.
// A `where` that selects nothing is itself a miss, so a typo in it cannot silently pass.
import { isDeepStrictEqual } from 'node:util';
import type { Expectation, Experiment, TrialStatus } from '../config/schema.js';
import { suggestedLr } from '../store/summary.js';
import type { Summary, Trial } from '../types.js';
import { describeParams, formatValue } from '../values.js';

/** One checked assertion: which expectation, which trial, what was expected and what was found. */
export interface ExpectationResult {
  expectation: number; // index in experiment.expect (0 when it is a single mapping)
  trial: string; // trial id ('' when the expectation selected no trial)
  params: Record<string, unknown>;
  key: string; // e.g. "dev_loss", "best.params.train.lr"; "where" when the selection itself missed
  expected: string; // e.g. "< 2.5"
  found: string; // e.g. "2.61"
  passed: boolean;
}

type Bound = NonNullable<Expectation['dev_loss']>;
type BoundKey = 'train_loss' | 'dev_loss' | 'test_loss' | 'suggested_lr' | 'min_loss_lr' | 'first_loss';
const BOUND_KEYS: readonly BoundKey[] = ['train_loss', 'dev_loss', 'test_loss', 'suggested_lr', 'min_loss_lr', 'first_loss'];

/** Tolerance of `approx` when `tol` is not given. */
export const DEFAULT_TOL = 0.05;

/** Check the experiment's `expect` against the trials' summaries (pure). Trials without a summary count as missed. */
export function checkExpectations(experiment: Experiment, trials: Trial[], summaries: Map<string, Summary>): ExpectationResult[] {
  const expectations = experiment.expect === undefined ? [] : Array.isArray(experiment.expect) ? experiment.expect : [experiment.expect];
  return expectations.flatMap((expectation, index) => checkOne(expectation, index, trials, summaries));
}

/** The misses, one line each, for the terminal and the report: `dev_loss < 2.5: found 2.61 (trial 3fa2c9e1d0 loss=manual)`. */
export function formatMisses(results: ExpectationResult[]): string {
  return results
    .filter((r) => !r.passed)
    .map(formatResult)
    .join('\n');
}

/** One result as a line (the same wording for a pass and a miss). */
export function formatResult(r: ExpectationResult): string {
  const where = r.trial === '' ? `expect[${r.expectation}]` : `trial ${[r.trial, describeParams(r.params)].filter(Boolean).join(' ')}`;
  return `${r.key} ${r.expected}: found ${r.found} (${where})`;
}

/** Counts for a summary line: "3 of 4 expectations met". */
export function tally(results: ExpectationResult[]): { passed: number; missed: number } {
  const passed = results.filter((r) => r.passed).length;
  return { passed, missed: results.length - passed };
}

function checkOne(expectation: Expectation, index: number, trials: Trial[], summaries: Map<string, Summary>): ExpectationResult[] {
  const where = expectation.where ?? {};
  const selected = trials.filter((t) => Object.entries(where).every(([key, value]) => matches(t, key, value)));
  if (selected.length === 0) return [whereMiss(index, where, trials)];
  const best = expectation.best === undefined ? [] : checkBest(expectation.best, index, selected, summaries);
  return [...selected.flatMap((trial) => {
    const summary = summaries.get(trial.id);
    const base = { expectation: index, trial: trial.id, params: trial.params };
    const results: ExpectationResult[] = [];
    for (const key of BOUND_KEYS) {
      const bound = expectation[key];
      if (bound !== undefined) results.push({ ...base, key, ...checkBound(bound, key, summary) });
    }
    if (expectation.status !== undefined) results.push({ ...base, key: 'status', ...checkStatus(expectation.status, summary) });
    return results;
  }), ...best];
}

type Best = NonNullable<Expectation['best']>;

/** `best`: the selected trial with the least final `by` loss (the first of equals, in plan order), and a result per stated bound. */
function checkBest(best: Best, index: number, selected: Trial[], summaries: Map<string, Summary>): ExpectationResult[] {
  const by = best.by ?? 'dev_loss';
  let winner: { trial: Trial; summary: Summary; value: number } | undefined;
  for (const trial of selected) {
    const summary = summaries.get(trial.id);
    const value = summary?.status === 'failed' ? null : summary?.final[by];
    if (typeof value === 'number' && Number.isFinite(value) && (winner === undefined || value < winner.value)) winner = { trial, summary: summary!, value };
  }
  const bounds: [string, Bound, (s: Summary, t: Trial) => unknown][] = [
    ...(['train_loss', 'dev_loss', 'test_loss'] as const).flatMap((k) => (best[k] === undefined ? [] : [[k, best[k]!, (s: Summary) => s.final[k]] as [string, Bound, (s: Summary, t: Trial) => unknown]])),
    ...Object.entries(best.params ?? {}).map(([k, b]) => [`params.${k}`, b, (_s: Summary, t: Trial) => lookup(t, k).value] as [string, Bound, (s: Summary, t: Trial) => unknown]),
  ];
  return bounds.map(([key, bound, valueOf]) => {
    const expected = describeBound(bound);
    if (winner === undefined) {
      return { expectation: index, trial: '', params: {}, key: `best.${key}`, expected, found: `no best trial (no selected trial has a final ${by.replace('_', ' ')})`, passed: false };
    }
    const value = valueOf(winner.summary, winner.trial);
    const base = { expectation: index, trial: winner.trial.id, params: winner.trial.params, key: `best.${key}`, expected };
    if (typeof value !== 'number') return { ...base, found: value === undefined || value === null ? 'no value' : `${formatValue(value)}, not a number`, passed: false };
    return { ...base, found: formatNumber(value), passed: holds(bound, value) };
  });
}

/** A trial matches `key: value` when the key varies in it (params) with that value, else when its resolved config has it. */
function matches(trial: Trial, key: string, value: unknown): boolean {
  const found = lookup(trial, key);
  return found.present && isDeepStrictEqual(found.value, value);
}

function lookup(trial: Trial, key: string): { present: boolean; value?: unknown } {
  if (Object.hasOwn(trial.params, key)) return { present: true, value: trial.params[key] };
  if (key === 'repeat') return { present: true, value: trial.repeat };
  let node: unknown = trial.config;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return { present: false };
    node = (node as Record<string, unknown>)[part];
  }
  return { present: true, value: node };
}

/** Why a `where` selected nothing: a key no trial has, or values no trial takes (with the values there are). */
function whereMiss(index: number, where: Record<string, unknown>, trials: Trial[]): ExpectationResult {
  const expected = `matches at least one trial where ${describeParams(where)}`;
  const base = { expectation: index, trial: '', params: where, key: 'where', expected, passed: false };
  if (trials.length === 0) return { ...base, found: 'no trials at all' };
  const missingKey = Object.keys(where).find((key) => trials.every((t) => !lookup(t, key).present));
  if (missingKey !== undefined) {
    const keys = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
    const varying = keys.length > 0 ? `; the keys that vary are ${keys.join(', ')}` : '';
    return { ...base, found: `no trial has the key ${missingKey}${varying}` };
  }
  const seen = Object.keys(where).map((key) => {
    const values = [...new Set(trials.map((t) => formatValue(lookup(t, key).value)))];
    return `${key} ∈ {${values.join(', ')}}`;
  });
  return { ...base, found: `it matched no trial (the trials have ${seen.join('; ')})` };
}

/** A bound on a final loss or the suggested lr; a failed or unfinished trial, or a value never computed, misses it. */
function checkBound(bound: Bound, key: BoundKey, summary: Summary | undefined): { expected: string; found: string; passed: boolean } {
  const expected = describeBound(bound);
  if (summary === undefined) return { expected, found: 'no result (the trial did not finish)', passed: false };
  if (summary.status === 'failed') return { expected, found: `no value (the trial failed${summary.reason ? `: ${summary.reason}` : ''})`, passed: false };
  const value = valueOf(key, summary);
  if (value === null) return { expected, found: missingValue(key, summary), passed: false };
  return { expected, found: formatFound(value, bound), passed: holds(bound, value) };
}

/** A found value with four significant digits, or as many decimals as the bound's tol needs to tell a miss from a pass. */
function formatFound(value: number, bound: Bound): string {
  if (bound.approx === undefined || bound.tol === undefined || !Number.isFinite(value)) return formatNumber(value);
  const decimals = Math.min(12, Math.max(0, Math.ceil(-Math.log10(bound.tol))));
  const plain = formatNumber(value);
  const fine = value.toFixed(decimals);
  return fine.replace(/\.?0+$/, '').length > plain.length ? fine : plain;
}

/** Why a value is null: a split not in eval.splits, a trial stopped early, or no range test. */
function missingValue(key: BoundKey, summary: Summary): string {
  if (summary.status === 'diverged') return `not evaluated (the trial diverged at step ${summary.steps}${summary.reason ? `: ${summary.reason}` : ''})`;
  if (summary.status === 'stopped') return `not evaluated (early stopping ended the trial at step ${summary.steps}${summary.reason ? `: ${summary.reason}` : ''})`;
  if (key === 'suggested_lr' || key === 'min_loss_lr') return 'not evaluated (no suggested lr: not an lr range test, or too few steps)';
  if (key === 'first_loss') return 'not recorded (the summary has no first_loss: the trial was finished by an older run-exp; rerun it with --force)';
  return `not evaluated (add ${key.slice(0, -'_loss'.length)} to eval.splits)`;
}

/**
 * The summary's value for a bound key. suggested_lr: the steepest-descent lr, else (no descent) the valley's lr ÷ 10.
 * min_loss_lr: the valley, the lr at the least smoothed loss, where the lecture reads its lr. first_loss: the
 * training loss of step 0, before any update.
 */
function valueOf(key: BoundKey, summary: Summary): number | null {
  switch (key) {
    case 'train_loss':
    case 'dev_loss':
    case 'test_loss':
      return summary.final[key];
    case 'suggested_lr':
      return summary.suggested_lr === undefined ? null : suggestedLr(summary.suggested_lr);
    case 'min_loss_lr':
      return summary.suggested_lr?.valley ?? null;
    case 'first_loss':
      return summary.first_loss ?? null;
    default:
      throw new Error(`bound key not recognised: ${String(key satisfies never)}`);
  }
}

/** Every stated condition must hold; NaN and ±Inf hold none of them. */
export function holds(bound: Bound, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (bound.lt !== undefined && !(value < bound.lt)) return false;
  if (bound.gt !== undefined && !(value > bound.gt)) return false;
  if (bound.approx !== undefined && !(Math.abs(value - bound.approx) <= (bound.tol ?? DEFAULT_TOL))) return false;
  return true;
}

/** "< 2.5", "> 1 and < 2.5", "≈ 2.17 ± 0.05". */
export function describeBound(bound: Bound): string {
  const parts: string[] = [];
  if (bound.gt !== undefined) parts.push(`> ${bound.gt}`);
  if (bound.lt !== undefined) parts.push(`< ${bound.lt}`);
  if (bound.approx !== undefined) parts.push(`≈ ${bound.approx} ± ${bound.tol ?? DEFAULT_TOL}`);
  return parts.length > 0 ? parts.join(' and ') : '(no condition)';
}

function checkStatus(status: TrialStatus | TrialStatus[], summary: Summary | undefined): { expected: string; found: string; passed: boolean } {
  const allowed = Array.isArray(status) ? status : [status];
  const expected = allowed.length === 1 ? `= ${allowed[0]}` : `∈ {${allowed.join(', ')}}`;
  if (summary === undefined) return { expected, found: 'no result (the trial did not finish)', passed: false };
  const found = summary.reason ? `${summary.status} (${summary.reason})` : summary.status;
  return { expected, found, passed: allowed.includes(summary.status) };
}

/** Four significant digits, trailing zeros dropped: 2.6134 → "2.613", 0.000012346 → "0.00001235". */
export function formatNumber(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}

