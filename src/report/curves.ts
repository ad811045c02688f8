// A trial's curves for the charts, reduced from its metrics rows as they stream by: what a chart needs of a trial of
// 10^7 steps fits in a few hundred points, and nothing on the way holds more than that.
//
// Given how many rows of each kind there are (a first pass over the file counts them), one pass keeps:
//   curve   the raw training loss, as min/max buckets (spikes survive)
//   smooth  the EMA of every step's loss, then an even stride
//   range   an LR range test's loss and smoothed loss against log10(lr), as min/max buckets
//   evals   the full-split losses, every one (an even stride per split beyond the budget)
//   last    the last training row, with its moving average (where a diverged or stopped trial ended)
import type { SplitName } from '../config/schema.js';
import type { MetricRow } from '../types.js';
import { Ema, MinMaxBuckets, Stride, smoothingSpan } from './downsample.js';

/** A trial's reduced curves (losses as read: the report rounds them when it builds its data sets). */
export interface TrialCurves {
  curve: { step: number; loss: number }[];
  smooth: { step: number; loss: number }[];
  range: { log_lr: number; loss: number; smooth: number }[];
  evals: { step: number; split: SplitName; loss: number }[];
  last: { step: number; loss: number; smooth: number } | null; // smooth: the moving average at that step
}

/** How many rows of each kind a trial's metrics hold: training steps with a finite loss, and evaluations per split. */
export interface RowCounts {
  steps: number;
  evals: Partial<Record<SplitName, number>>;
}

/** Count the rows a reducer will be given (the first of the two passes). */
export class RowCounter {
  readonly counts: RowCounts = { steps: 0, evals: {} };
  push(row: MetricRow): void {
    if ('split' in row) this.counts.evals[row.split] = (this.counts.evals[row.split] ?? 0) + 1;
    else if (Number.isFinite(row.loss)) this.counts.steps += 1;
  }
}

type StepPoint = { x: number; y: number; step: number };
type RangePoint = { x: number; y: number; smooth: number };

/** Reduce a trial's rows, pushed in file order, to its curves; `budget` raw points per curve (see pointBudget). */
export class CurveReducer {
  private readonly curve: MinMaxBuckets<StepPoint>;
  private readonly smooth: Stride<{ step: number; loss: number }>;
  private readonly range: MinMaxBuckets<RangePoint> | null;
  private readonly ema: Ema;
  private readonly evals = new Map<SplitName, Stride<{ step: number; split: SplitName; loss: number }>>();
  private last: { step: number; loss: number; smooth: number } | null = null;

  constructor(
    private readonly counts: RowCounts,
    private readonly budget: number,
    rangeTest: boolean,
  ) {
    this.curve = new MinMaxBuckets(counts.steps, budget);
    this.smooth = new Stride(counts.steps, Math.floor(budget / 2));
    this.range = rangeTest ? new MinMaxBuckets(counts.steps, budget) : null;
    this.ema = new Ema(smoothingSpan(counts.steps));
  }

  push(row: MetricRow): void {
    if ('split' in row) {
      let kept = this.evals.get(row.split);
      if (kept === undefined) this.evals.set(row.split, (kept = new Stride(this.counts.evals[row.split] ?? 0, this.budget)));
      kept.push({ step: row.step, split: row.split, loss: row.loss });
      return;
    }
    if (!Number.isFinite(row.loss)) return;
    if (this.last !== null && row.step <= this.last.step) throw new Error(`expected training rows in step order, found step ${row.step} after step ${this.last.step}`);
    const smoothed = this.ema.push(row.loss);
    this.curve.push({ x: row.step, y: row.loss, step: row.step });
    this.smooth.push({ step: row.step, loss: smoothed });
    // The range test's own smoothing (written by the trainer) when there is one; else the EMA.
    this.range?.push({ x: Math.log10(row.lr), y: row.loss, smooth: row.smooth ?? smoothed });
    this.last = { step: row.step, loss: row.loss, smooth: smoothed };
  }

  /** The curves (call after the last row). */
  curves(): TrialCurves {
    return {
      curve: this.curve.points().map((p) => ({ step: p.step, loss: p.y })),
      smooth: this.smooth.points(),
      range: (this.range?.points() ?? []).map((p) => ({ log_lr: p.x, loss: p.y, smooth: p.smooth })),
      evals: [...this.evals.values()].flatMap((s) => s.points()).sort((a, b) => a.step - b.step),
      last: this.last,
    };
  }
}

/** The curves of rows already in memory (both passes over the array). */
export function curvesOf(rows: readonly MetricRow[], budget: number, rangeTest: boolean): TrialCurves {
  const counter = new RowCounter();
  for (const row of rows) counter.push(row);
  const reducer = new CurveReducer(counter.counts, budget, rangeTest);
  for (const row of rows) reducer.push(row);
  return reducer.curves();
}
