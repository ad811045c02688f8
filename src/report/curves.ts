// A trial's curves for the charts, reduced from its metrics rows as they stream by: what a chart needs of a trial of
// 10^7 steps fits in a few hundred points, and nothing on the way holds more than that.
//
// Given how many rows of each kind there are (a first pass over the file counts them), one pass keeps:
//   curve   the raw training loss, as min/max buckets (spikes survive)
//   smooth  the EMA of every step's loss, then an even stride
//   range   an LR range test's loss and smoothed loss against log10(lr), as min/max buckets
//   evals   the full-split losses, every one (an even stride per split beyond the budget)
//   aligned the EMA (over the planned steps' span) at fixed steps: every `alignedStride` steps from 0, and the last
//           planned step, so that the seeds of a grid point have their points at the same steps (src/report/seeds.ts)
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
  aligned: { step: number; loss: number }[]; // at the steps alignedStride gives for the trial's planned steps
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

/**
 * The steps of the aligned curve of a trial of `planned` steps: every ⌈planned / (budget / 2)⌉ steps from step 0, and
 * the last planned step. Trials of the same planned length (the seeds of a grid point) get the same steps.
 */
export function alignedStride(planned: number, budget: number): number {
  return Math.max(1, Math.ceil(planned / Math.max(1, Math.floor(budget / 2))));
}

type StepPoint = { x: number; y: number; step: number };
type RangePoint = { x: number; y: number; smooth: number };

/** Reduce a trial's rows, pushed in file order, to its curves; `budget` raw points per curve (see pointBudget). */
export class CurveReducer {
  private readonly curve: MinMaxBuckets<StepPoint>;
  private readonly smooth: Stride<{ step: number; loss: number }>;
  private readonly range: MinMaxBuckets<RangePoint> | null;
  private readonly ema: Ema;
  private readonly alignedEma: Ema; // its span from the planned steps: the same smoothing for every seed, however far it got
  private readonly alignedEvery: number;
  private readonly aligned: { step: number; loss: number }[] = [];
  private readonly evals = new Map<SplitName, Stride<{ step: number; split: SplitName; loss: number }>>();
  private last: { step: number; loss: number; smooth: number } | null = null;

  constructor(
    private readonly counts: RowCounts,
    private readonly budget: number,
    rangeTest: boolean,
    private readonly planned = counts.steps, // the trial's train.steps
  ) {
    this.curve = new MinMaxBuckets(counts.steps, budget);
    this.smooth = new Stride(counts.steps, Math.floor(budget / 2));
    this.range = rangeTest ? new MinMaxBuckets(counts.steps, budget) : null;
    this.ema = new Ema(smoothingSpan(counts.steps));
    this.alignedEma = new Ema(smoothingSpan(planned));
    this.alignedEvery = alignedStride(planned, budget);
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
    const alignedLoss = this.alignedEma.push(row.loss);
    if (row.step % this.alignedEvery === 0 || row.step === this.planned - 1) this.aligned.push({ step: row.step, loss: alignedLoss });
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
      aligned: this.aligned,
      last: this.last,
    };
  }
}

/** The curves of rows already in memory (both passes over the array); `planned` defaults to the finite steps. */
export function curvesOf(rows: readonly MetricRow[], budget: number, rangeTest: boolean, planned?: number): TrialCurves {
  const counter = new RowCounter();
  for (const row of rows) counter.push(row);
  const reducer = new CurveReducer(counter.counts, budget, rangeTest, planned ?? counter.counts.steps);
  for (const row of rows) reducer.push(row);
  return reducer.curves();
}
