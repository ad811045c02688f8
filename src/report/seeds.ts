// Seeds aggregated: the trials of a grid point that differ only by `repeat` (the same values apart from it) form a
// group; its final losses read as mean ± sd over the seeds, its curve as the mean with a min–max band, and "best" ranks
// groups by their mean. Pure functions over the report's trials; the report, the comparison and the index share them.
//
// How a seed without a final loss counts (failed, diverged, unfinished): the group's figures are over the seeds that
// have one (n of N), and a group that lacks any ranks after every group whose seeds all have one. A grid point that
// diverges one time in three is not the best grid point, however good its other two seeds are.
import { canonicalJson } from '../config/canonical-json.js';
import type { SplitName } from '../config/schema.js';
import { judgedLoss, statusOf, trialLabel, type ReportStatus, type TrialResult } from './results.js';

/** Summary statistics of a few numbers: mean, sample standard deviation (n − 1; null below two), min, max, n. */
export interface Stats {
  mean: number;
  sd: number | null;
  min: number;
  max: number;
  n: number;
}

/** The statistics of the finite numbers among `xs`, or null when there are none. */
export function stats(xs: readonly (number | null | undefined)[]): Stats | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length < 2 ? null : Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1));
  return { mean, sd, min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/** The trials of one grid point: its values without `repeat`, its seeds in repeat order. */
export interface SeedGroup {
  index: number; // 0, 1, … in the order of the groups' first trials
  params: Record<string, unknown>; // the trials' values, without repeat
  label: string; // "lr=0.1 batch_size=32"; when nothing but repeat varies, "every seed" (or the id of a lone trial)
  trials: TrialResult[];
}

/** A trial's values without `repeat`. */
function pointOf(params: Record<string, unknown>): Record<string, unknown> {
  const { repeat: _repeat, ...rest } = params;
  return rest;
}

/** Group trials that differ only by repeat, in the order of their first trials; `keys` label the groups (repeat is left out). */
export function seedGroups(trials: readonly TrialResult[], keys: readonly string[]): SeedGroup[] {
  const byPoint = new Map<string, SeedGroup>();
  const labelKeys = keys.filter((k) => k !== 'repeat');
  for (const t of [...trials].sort((a, b) => a.trial.index - b.trial.index)) {
    const params = pointOf(t.trial.params);
    const key = canonicalJson(params);
    let group = byPoint.get(key);
    if (group === undefined) {
      const label = labelKeys.length === 0 ? t.trial.id : trialLabel({ ...t.trial, params }, labelKeys);
      byPoint.set(key, (group = { index: byPoint.size, params, label, trials: [] }));
    }
    group.trials.push(t);
  }
  for (const g of byPoint.values()) {
    g.trials.sort((a, b) => a.trial.repeat - b.trial.repeat);
    if (labelKeys.length === 0 && g.trials.length > 1) g.label = 'every seed';
  }
  return [...byPoint.values()];
}

/** True when some grid point has more than one seed: the report then shows means over seeds. */
export function hasSeeds(groups: readonly SeedGroup[]): boolean {
  return groups.some((g) => g.trials.length > 1);
}

/** A group's final figures over its seeds. */
export interface GroupSummary {
  group: SeedGroup;
  seeds: number; // N: the group's trials
  final: Record<`${SplitName}_loss`, Stats | null>;
  judged: { split: SplitName; stats: Stats } | null; // dev where evaluated, else train, else test (as judgedLoss)
  complete: boolean; // every seed has the judged loss (see the head of this file)
  statuses: Partial<Record<ReportStatus, number>>;
  steps: Stats | null;
  steps_per_s: Stats | null;
  seconds: Stats | null;
}

/** The final figures of a group over its seeds. */
export function summarizeGroup(group: SeedGroup): GroupSummary {
  const summaries = group.trials.map((t) => t.summary);
  const final = {
    train_loss: stats(summaries.map((s) => s?.final.train_loss)),
    dev_loss: stats(summaries.map((s) => s?.final.dev_loss)),
    test_loss: stats(summaries.map((s) => s?.final.test_loss)),
  };
  const split = (['dev', 'train', 'test'] as const).find((sp) => group.trials.some((t) => judgedLoss(t.summary)?.split === sp));
  const judgedStats = split === undefined ? null : final[`${split}_loss`];
  const statuses: Partial<Record<ReportStatus, number>> = {};
  for (const t of group.trials) statuses[statusOf(t)] = (statuses[statusOf(t)] ?? 0) + 1;
  return {
    group,
    seeds: group.trials.length,
    final,
    judged: split === undefined || judgedStats === null ? null : { split, stats: judgedStats },
    complete: judgedStats !== null && judgedStats.n === group.trials.length,
    statuses,
    steps: stats(summaries.map((s) => s?.steps)),
    steps_per_s: stats(summaries.map((s) => (s === null || s.steps_per_s <= 0 ? null : s.steps_per_s))),
    seconds: stats(summaries.map((s) => s?.seconds)),
  };
}

/**
 * The groups with a judged loss, best first: complete groups by their mean, then those missing some seed's loss by
 * the mean of the rest (ties: the earlier group). At most `n`.
 */
export function rankGroups(summaries: readonly GroupSummary[], n = Infinity): GroupSummary[] {
  return summaries
    .filter((g) => g.judged !== null)
    .sort((a, b) => Number(b.complete) - Number(a.complete) || a.judged!.stats.mean - b.judged!.stats.mean || a.group.index - b.group.index)
    .slice(0, n);
}

/** One step of a group's mean curve: the mean over the seeds that have a point there, their min and max, how many. */
export interface BandPoint {
  step: number;
  mean: number;
  min: number;
  max: number;
  n: number;
}

/**
 * A group's mean training curve with its min–max band, from each seed's aligned curve (the same steps for the same
 * planned length, see curves.ts): at each step, over the seeds that reached it.
 */
export function meanCurve(group: SeedGroup): BandPoint[] {
  return aggregateBySteps(group.trials.map((t) => t.curves?.aligned ?? []));
}

/** A group's evaluations of one split, mean and min–max over the seeds at each evaluated step. */
export function meanEvals(group: SeedGroup, split: SplitName): BandPoint[] {
  return aggregateBySteps(group.trials.map((t) => (t.curves?.evals ?? []).filter((e) => e.split === split)));
}

/** Per step, the statistics of the seeds' values there (steps in order). */
function aggregateBySteps(seeds: readonly { step: number; loss: number }[][]): BandPoint[] {
  const at = new Map<number, number[]>();
  for (const points of seeds) {
    for (const p of points) {
      if (!Number.isFinite(p.loss)) continue;
      const xs = at.get(p.step) ?? [];
      xs.push(p.loss);
      at.set(p.step, xs);
    }
  }
  return [...at.entries()]
    .sort(([a], [b]) => a - b)
    .map(([step, xs]) => {
      const s = stats(xs)!;
      return { step, mean: s.mean, min: s.min, max: s.max, n: s.n };
    });
}
