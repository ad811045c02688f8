// What the report keeps of a trial's diagnostics.jsonl for "Inside the network", reduced as the rows stream by (the
// count known from a first pass, as curves.ts does for metrics): the first and the last row whole (their histograms),
// an even stride of the rest as a few numbers each, and the most dead units at any one step.
import type { DiagnosticsRow } from '../types.js';
import { HIST_BINS } from '../train/diagnostic-stats.js';
import { PARAM_NAMES, type ParamName } from '../train/shapes.js';
import { Stride, round5 } from './downsample.js';
import { BEST_TRIALS, bestTrials, type Results, type TrialResult } from './results.js';

/** One diagnostics step as the charts draw it: the tanh layer's saturation and the ratios per parameter. */
export interface InsidePoint {
  step: number;
  lr: number;
  saturated: number;
  dead: number;
  update_data: Record<ParamName, number | null>; // log10
  grad_data: Record<ParamName, number | null>;
}

/** A trial's diagnostics, reduced. */
export interface InsideNet {
  rows: number; // diagnostics steps taken
  first: DiagnosticsRow; // step 0's
  last: DiagnosticsRow; // the last one taken
  series: InsidePoint[]; // every step's, or an even stride of them (first and last kept) beyond the budget
  mostDead: { dead: number; step: number }; // the most dead units at one step, and the first step with that many
}

/** Reduce a trial's diagnostics rows, pushed in file order (`rows` of them), keeping `budget` points of each series. */
export class InsideReducer {
  private readonly series: Stride<InsidePoint>;
  private first: DiagnosticsRow | null = null;
  private last: DiagnosticsRow | null = null;
  private mostDead = { dead: 0, step: 0 };
  private seen = 0;

  constructor(
    private readonly rows: number,
    budget: number,
  ) {
    this.series = new Stride(rows, budget);
  }

  push(row: DiagnosticsRow): void {
    this.first ??= row;
    this.last = row;
    this.seen += 1;
    if (row.tanh.dead > this.mostDead.dead) this.mostDead = { dead: row.tanh.dead, step: row.step };
    const ratio = (key: 'update_data' | 'grad_data') => Object.fromEntries(PARAM_NAMES.map((p) => [p, row.params[p][key]])) as Record<ParamName, number | null>;
    this.series.push({ step: row.step, lr: row.lr, saturated: row.tanh.saturated, dead: row.tanh.dead, update_data: ratio('update_data'), grad_data: ratio('grad_data') });
  }

  /** The reduced diagnostics (call after the last row); null when there were none. */
  result(): InsideNet | null {
    if (this.first === null || this.last === null) return null;
    if (this.seen !== this.rows) throw new Error(`InsideReducer: expected ${this.rows} rows, got ${this.seen}`);
    return { rows: this.seen, first: this.first, last: this.last, series: this.series.points(), mostDead: this.mostDead };
  }
}

/** A trial's diagnostics reduced from rows already in memory. */
export function insideOf(rows: readonly DiagnosticsRow[], budget: number): InsideNet | null {
  const reducer = new InsideReducer(rows.length, budget);
  for (const row of rows) reducer.push(row);
  return reducer.result();
}

/** The trials the section shows: every one with diagnostics, or the best few (by final loss) where there are more. */
export function insideTrials(results: Pick<Results, 'trials'>): TrialResult[] {
  const all = results.trials.filter((t) => t.inside !== null);
  if (all.length <= BEST_TRIALS) return all;
  return bestTrials({ trials: all } as Results, BEST_TRIALS);
}

/** A bin of the tanh histogram at the first or the last diagnostics step: its centre and its share of h. */
export interface HistogramRow { trial: number; when: 'first' | 'last'; step: number; x: number; share: number | null }
/** The tanh layer at a diagnostics step. */
export interface SaturationRow { trial: number; step: number; saturated: number | null; dead: number }
/** A weight matrix's ratios at a diagnostics step. */
export interface RatioRow { trial: number; step: number; param: ParamName; update_data: number | null; grad_data: number | null }

/** The section's data sets for the trials shown. */
export function insideRows(shown: TrialResult[], params: readonly ParamName[]): { histogram: HistogramRow[]; saturation: SaturationRow[]; ratios: RatioRow[] } {
  const histogram: HistogramRow[] = [];
  const saturation: SaturationRow[] = [];
  const ratios: RatioRow[] = [];
  for (const t of shown) {
    const inside = t.inside!;
    const trial = t.trial.index;
    for (const [when, row] of [['first', inside.first], ['last', inside.last]] as const) {
      const total = row.tanh.hist.reduce((a, b) => a + b, 0);
      row.tanh.hist.forEach((count, i) => histogram.push({ trial, when, step: row.step, x: round5(-1 + (2 * (i + 0.5)) / HIST_BINS)!, share: round5(count / total) }));
    }
    for (const s of inside.series) {
      saturation.push({ trial, step: s.step, saturated: round5(s.saturated), dead: s.dead });
      for (const p of params) ratios.push({ trial, step: s.step, param: p, update_data: roundOrNull(s.update_data[p]), grad_data: roundOrNull(s.grad_data[p]) });
    }
  }
  return { histogram, saturation, ratios };
}

function roundOrNull(v: number | null): number | null {
  return v === null ? null : round5(v);
}
