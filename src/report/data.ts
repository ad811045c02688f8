// Results → the report's data sets: small, flat rows that every chart shares (each set is embedded once).
import { round5 } from './downsample.js';
import { formatValue } from '../values.js';
import { WEIGHT_MATRICES } from './findings.js';
import { insideRows, insideTrials, type HistogramRow, type RatioRow, type SaturationRow } from './inside.js';
import {
  distributionOf, judgedLoss, shortKeys, statusOf, trialLabel, varyingKeys, type DistributionName, type Results, type TrialResult,
} from './results.js';
import { hasSeeds, meanCurve, meanEvals, seedGroups, summarizeGroup, type BandPoint, type GroupSummary, type SeedGroup } from './seeds.js';

/** A varying parameter as a chart field: p0, p1, … (dotted keys would read as nested fields in Vega-Lite). */
export interface ParamField {
  key: string; // e.g. "train.batch_size"
  field: string; // e.g. "p1"
  short: string; // e.g. "batch_size"
  numeric: boolean; // every value is a number
  values: (string | number)[]; // distinct values in first-seen (grid) order
  distribution: { name: DistributionName; min: number; max: number } | null; // drawn from it (random search); null for a list
  continuous: boolean; // drawn, or too many distinct numbers to read each as a category (see CONTINUOUS_VALUES)
}

/** Beyond this many distinct numbers a key reads as a continuous axis, not one category per value. */
export const CONTINUOUS_VALUES = 20;

/** One row per trial, finished or not. Params are added as p0, p1, … */
export interface TrialRow {
  trial: number; // trial.index: the key every other data set refers to
  id: string;
  label: string;
  status: string;
  reason: string | null;
  steps: number | null; // steps trained (fewer than planned when diverged or stopped)
  steps_planned: number;
  steps_per_s: number | null;
  loss: number | null; // the judged final loss (dev, else train, else test)
  loss_split: string | null;
  train_loss: number | null;
  dev_loss: number | null;
  test_loss: number | null;
  [param: string]: string | number | null;
}

/** A point of a training curve (raw or smoothed). */
export interface CurveRow { trial: number; step: number; loss: number | null }
/** A full-split evaluation. */
export interface EvalRow { trial: number; step: number; split: string; loss: number | null }
/** A step of an LR range test: its lr (log10), its loss and the smoothed loss. */
export interface RangeRow { trial: number; log_lr: number | null; loss: number | null; smooth: number | null }
/**
 * Where a trial ended before its last planned step, and why: a diverged trial at its last finite training loss, a
 * trial stopped by early stopping at the end of its moving average (where its line ends).
 */
export interface StopRow { trial: number; kind: 'diverged' | 'stopped'; step: number; loss: number | null; reason: string }
/** A character at its row of C (embed_dim 2). */
export interface EmbeddingRow { trial: number; label: string; char: string; x: number | null; y: number | null }
/** A reference loss: the uniform guess ln V, or the bigram model on the training split. */
export interface ReferenceRow { name: string; loss: number | null; text: string }

/** A grid point whose trials differ only by repeat (see seeds.ts): its final figures over the seeds. Params as p0, p1, … */
export interface GroupRow {
  group: number; // the group's index: the key the bands and groupEvals refer to
  label: string;
  seeds: number; // its trials
  with_loss: number; // seeds with the judged final loss
  loss: number | null; // mean of the judged final loss (dev, else train, else test)
  loss_sd: number | null; // sample sd (n − 1)
  loss_split: string | null;
  [param: string]: string | number | null;
}
/** A step of a group's mean training curve (the moving average, see seeds.ts), with its min–max band over the seeds. */
export interface BandRow { group: number; step: number; mean: number | null; min: number | null; max: number | null; n: number }
/** A group's evaluations of one split at one step, mean and min–max over the seeds. */
export interface GroupEvalRow extends BandRow { split: string }

/** All data sets of one report. */
export interface ReportData {
  keys: ParamField[];
  trials: TrialRow[];
  curve: CurveRow[]; // training loss, downsampled (min/max buckets)
  smooth: CurveRow[]; // smoothed training loss (EMA of every step, then an even stride)
  evals: EvalRow[]; // full-split losses
  range: RangeRow[]; // LR range tests: loss against log10(lr)
  stops: StopRow[]; // where diverged trials and trials stopped early ended
  embedding: EmbeddingRow[]; // 2-D character embeddings of the best few trials
  reference: ReferenceRow[]; // uniform guess and bigram loss
  groups: GroupRow[]; // grid points over their seeds: only when some grid point has more than one (repeat > 1)
  bands: BandRow[]; // their mean curves with min–max bands
  groupEvals: GroupEvalRow[]; // their mean evaluations
  summaries: GroupSummary[]; // the groups' figures, in group order (every group, also when none has two seeds)
  insideTrials: number[]; // the trials whose diagnostics "Inside the network" shows (indexes; the best few where many)
  histogram: HistogramRow[]; // their tanh histograms at the first and the last diagnostics step
  saturation: SaturationRow[]; // their saturated share and dead units by diagnostics step
  ratios: RatioRow[]; // their weight matrices' update:data and grad:data by diagnostics step
  budget: number; // raw points per trial in `curve`
}

/** Raw points per trial: 500, fewer beyond 40 trials (about 20,000 in all, at least 100 each): 100 trials open in seconds. */
export function pointBudget(trials: number): number {
  return Math.max(100, Math.min(500, Math.floor(20000 / Math.max(1, trials))));
}

/** How many trials the embedding chart shows at most (the best first). */
export const EMBEDDING_TRIALS = 6;

/** Build every data set from the results (pure). */
export function buildData(results: Results): ReportData {
  const keys = paramFields(results);
  const names = keys.map((k) => k.key);
  const groups = seedGroups(results.trials, names);
  const summaries = groups.map(summarizeGroup);
  const shown = insideTrials(results);
  const data: ReportData = {
    keys, trials: [], curve: [], smooth: [], evals: [], range: [], stops: [], embedding: [], reference: [], groups: [], bands: [], groupEvals: [], summaries,
    insideTrials: shown.map((t) => t.trial.index), ...insideRows(shown, WEIGHT_MATRICES), budget: results.budget,
  };
  for (const t of results.trials) {
    data.trials.push(trialRow(t, names, keys));
    addCurves(data, t);
  }
  if (hasSeeds(groups)) addGroups(data, summaries, keys.filter((k) => k.key !== 'repeat'));
  data.embedding = embeddingRows(results.trials, names);
  data.reference = referenceRows(results.trials);
  return data;
}

/** The grid points' rows, mean curves and mean evaluations (the report shows them when some point has several seeds). */
function addGroups(data: ReportData, summaries: GroupSummary[], keys: ParamField[]): void {
  for (const s of summaries) {
    const row = groupRow(s);
    for (const k of keys) row[k.field] = k.key in s.group.params ? paramValue(s.group.params[k.key], k.numeric) : null;
    data.groups.push(row);
    addBands(data, s.group);
  }
}

/** A group's row: its label, seeds, and the mean and sd of its judged final loss. */
export function groupRow(s: GroupSummary, index = s.group.index, label = s.group.label): GroupRow {
  return {
    group: index,
    label,
    seeds: s.seeds,
    with_loss: s.judged?.stats.n ?? 0,
    loss: s.judged === null ? null : round5(s.judged.stats.mean),
    loss_sd: s.judged?.stats.sd == null ? null : round5(s.judged.stats.sd),
    loss_split: s.judged?.split ?? null,
  };
}

/** A group's mean training curve and mean evaluations, as rows of `bands` and `groupEvals` under `index`. */
export function addBands(data: Pick<ReportData, 'bands' | 'groupEvals'>, group: SeedGroup, index = group.index): void {
  const row = (p: BandPoint): BandRow => ({ group: index, step: p.step, mean: round5(p.mean), min: round5(p.min), max: round5(p.max), n: p.n });
  for (const p of meanCurve(group)) data.bands.push(row(p));
  const splits = [...new Set(group.trials.flatMap((t) => t.trial.config.eval.splits))];
  for (const split of splits) for (const p of meanEvals(group, split)) data.groupEvals.push({ ...row(p), split });
}

function paramFields(results: Results): ParamField[] {
  const keys = varyingKeys(results);
  const short = shortKeys(keys);
  return keys.map((key, i) => {
    const given = results.trials.filter((t) => key in t.trial.params).map((t) => t.trial.params[key]);
    const numeric = given.every((v) => typeof v === 'number');
    const values = [...new Set(given.map((v) => paramValue(v, numeric)))];
    const distribution = distributionOf(results, key);
    const continuous = numeric && (distribution !== null || values.length > CONTINUOUS_VALUES);
    return { key, field: `p${i}`, short: short.get(key)!, numeric, values, distribution, continuous };
  });
}

/** A parameter value as a chart value: numbers when every value of the key is one, else text ([32, "full"] → "32", "full"). */
function paramValue(v: unknown, numeric: boolean): string | number {
  return numeric && typeof v === 'number' ? v : formatValue(v);
}

function trialRow(t: TrialResult, names: string[], keys: ParamField[]): TrialRow {
  const s = t.summary;
  const judged = judgedLoss(s);
  const row: TrialRow = {
    trial: t.trial.index,
    id: t.trial.id,
    label: trialLabel(t.trial, names),
    status: statusOf(t),
    reason: s?.reason ?? null,
    steps: s?.steps ?? null,
    steps_planned: s?.steps_planned ?? t.trial.config.train.steps,
    steps_per_s: s === null ? null : round5(s.steps_per_s),
    loss: judged === null ? null : round5(judged.loss),
    loss_split: judged?.split ?? null,
    train_loss: finite(s?.final.train_loss),
    dev_loss: finite(s?.final.dev_loss),
    test_loss: finite(s?.final.test_loss),
  };
  for (const k of keys) row[k.field] = k.key in t.trial.params ? paramValue(t.trial.params[k.key], k.numeric) : null;
  return row;
}

function finite(v: number | null | undefined): number | null {
  return typeof v === 'number' ? round5(v) : null;
}

function addCurves(data: ReportData, t: TrialResult): void {
  const trial = t.trial.index;
  const c = t.curves;
  if (c === null) return;
  for (const r of c.evals) data.evals.push({ trial, step: r.step, split: r.split, loss: round5(r.loss) });
  if (c.last === null) return;
  const s = t.summary;
  if (s?.status === 'diverged') data.stops.push({ trial, kind: 'diverged', step: c.last.step, loss: round5(c.last.loss), reason: s.reason ?? 'diverged' });
  if (s?.status === 'stopped') data.stops.push({ trial, kind: 'stopped', step: c.last.step, loss: round5(c.last.smooth), reason: s.reason ?? 'stopped early' });
  for (const p of c.curve) data.curve.push({ trial, step: p.step, loss: round5(p.loss) });
  for (const p of c.smooth) data.smooth.push({ trial, step: p.step, loss: round5(p.loss) });
  for (const p of c.range) data.range.push({ trial, log_lr: round5(p.log_lr), loss: round5(p.loss), smooth: round5(p.smooth) });
}

function embeddingRows(trials: TrialResult[], names: string[]): EmbeddingRow[] {
  const withC = trials
    .filter((t) => t.embedding !== null && t.summary !== null && t.summary.status !== 'failed')
    .sort((a, b) => (judgedLoss(a.summary)?.loss ?? Infinity) - (judgedLoss(b.summary)?.loss ?? Infinity))
    .slice(0, EMBEDDING_TRIALS);
  const rows: EmbeddingRow[] = [];
  for (const t of withC) {
    const c = t.embedding!;
    const label = trialLabel(t.trial, names);
    const vocab = t.summary!.vocab;
    for (let i = 0; i < c.shape[0]!; i++) {
      rows.push({ trial: t.trial.index, label, char: vocab[i] ?? `#${i}`, x: round5(c.values[2 * i]!), y: round5(c.values[2 * i + 1]!) });
    }
  }
  return rows;
}

/** The reference losses (uniform guess, bigram) of the trials, each distinct one once. */
export function referenceRows(trials: readonly TrialResult[]): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  const seen = new Set<string>();
  for (const t of trials) {
    const s = t.summary;
    if (s === null || s.status === 'failed' || s.reference === undefined) continue;
    const v = [...s.vocab].length;
    const candidates: ReferenceRow[] = [
      { name: 'uniform', loss: round5(s.reference.uniform), text: `uniform guess ln ${v} = ${s.reference.uniform.toFixed(3)}` },
      { name: 'bigram', loss: round5(s.reference.bigram), text: `bigram (train) = ${s.reference.bigram.toFixed(3)}` },
    ];
    for (const r of candidates) {
      if (r.loss === null || seen.has(r.text)) continue;
      seen.add(r.text);
      rows.push(r);
    }
  }
  return rows;
}
