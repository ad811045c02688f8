// Early stopping: which trials of a sweep stop before their last step. Pure bookkeeping over the evaluations it is
// told about, in the order it is told: the same order gives the same decisions (with --jobs 1 the order is the plan's).
//
// ASHA (asynchronous successive halving, Li et al. 2018, as Ray Tune's AsyncHyperBandScheduler): rungs at
// grace·eta^k steps. A trial that reaches a rung records its metric there; it goes on when that metric is within the
// best 1/eta of all the values recorded at the rung so far (the 1/eta quantile, numpy's linear interpolation, itself
// included), else it stops. The first trial to reach a rung always goes on: ASHA promotes without waiting for others.
//
// Median stopping rule (Google Vizier, as Ray Tune's MedianStoppingRule): from `grace` steps on, at each evaluation a
// trial stops when its best metric so far is worse than the median of the running averages (up to the same step) of
// the other trials that have been evaluated that far, once at least `min_trials` of them have.
import type { EarlyStop } from '../config/schema.js';
import type { MetricRow, Verdict } from '../types.js';

/** The rule's bookkeeping for one sweep. */
export class EarlyStopper {
  private readonly split: string; // the metric's split: dev_loss → dev
  private readonly evals = new Map<string, Evaluation[]>(); // trial → its evaluations, in step order
  private readonly rungs = new Map<number, Map<string, number>>(); // ASHA: rung step → trial → value there

  constructor(private readonly rule: EarlyStop) {
    this.split = rule.metric.replace(/_loss$/, '');
  }

  /** Take note of a trial's metrics rows (only evaluations of the metric's split count). */
  observe(trial: string, rows: readonly MetricRow[]): void {
    for (const row of rows) {
      if (!('split' in row) || row.split !== this.split) continue;
      const value = Number.isFinite(row.loss) ? row.loss : Infinity; // a blown-up evaluation is the worst there is
      const list = this.evals.get(trial) ?? [];
      const last = list.at(-1);
      if (last !== undefined && last.step >= row.step) continue; // seen already (an earlier run's rows, read twice)
      list.push({ step: row.step, value, sum: (last?.sum ?? 0) + value, best: Math.min(last?.best ?? Infinity, value) });
      this.evals.set(trial, list);
      if (this.rule.method === 'asha' && this.isRung(row.step)) {
        const rung = this.rungs.get(row.step) ?? new Map<string, number>();
        rung.set(trial, value);
        this.rungs.set(row.step, rung);
      }
    }
  }

  /** Drop what was observed of a trial (its rows are being written again, by a new attempt). */
  forget(trial: string): void {
    this.evals.delete(trial);
    for (const rung of this.rungs.values()) rung.delete(trial);
  }

  /** Whether the trial, just evaluated at `step` (observed before), goes on. */
  decide(trial: string, step: number): Verdict {
    const own = this.evals.get(trial) ?? [];
    const at = own[lastUpTo(own, step)];
    if (at === undefined || at.step !== step) return { stop: false }; // not evaluated on the metric's split here
    switch (this.rule.method) {
      case 'asha':
        return this.isRung(step) ? this.asha(step, at.value) : { stop: false };
      case 'median':
        return step >= this.rule.grace ? this.median(trial, step, at.best) : { stop: false };
      default:
        throw new Error(`early_stop.method: expected asha or median, found ${JSON.stringify((this.rule satisfies never as { method: unknown }).method)}: not recognised`);
    }
  }

  /** grace·eta^k for some k ≥ 0. */
  private isRung(step: number): boolean {
    if (this.rule.method !== 'asha') return false;
    for (let r = this.rule.grace; r <= step; r *= this.rule.eta) if (r === step) return true;
    return false;
  }

  private asha(step: number, value: number): Verdict {
    if (this.rule.method !== 'asha') return { stop: false };
    const recorded = [...this.rungs.get(step)!.values()];
    const cutoff = quantile(recorded, 1 / this.rule.eta);
    const blownUp = !Number.isFinite(value) && recorded.some(Number.isFinite); // worse than any finite value, whatever the cutoff
    if (value <= cutoff && !blownUp) return { stop: false };
    const name = this.rule.metric.replace('_', ' ');
    return {
      stop: true,
      reason: `ASHA: ${name} ${fmt(value)} at step ${step} is not in the best 1/${this.rule.eta} of the ${recorded.length} trials that reached it (cutoff ${fmt(cutoff)})`,
    };
  }

  private median(trial: string, step: number, best: number): Verdict {
    if (this.rule.method !== 'median') return { stop: false };
    const averages: number[] = [];
    for (const [other, list] of this.evals) {
      if (other === trial || list.at(-1)!.step < step) continue; // not evaluated this far (yet)
      const i = lastUpTo(list, step);
      averages.push(list[i]!.sum / (i + 1));
    }
    if (averages.length < this.rule.min_trials) return { stop: false };
    const median = quantile(averages, 0.5);
    if (best <= median) return { stop: false };
    const name = this.rule.metric.replace('_', ' ');
    return {
      stop: true,
      reason: `median rule: best ${name} ${fmt(best)} by step ${step} is worse than the median ${fmt(median)} of the running averages of ${averages.length} other trials`,
    };
  }
}

/** One evaluation of a trial, with what the rules need of all its evaluations so far (summed in order, as a reduce would). */
interface Evaluation {
  step: number;
  value: number;
  sum: number; // of the values up to this one: the running average is sum / count
  best: number; // the least value up to this one
}

/** The index of the last evaluation at or before `step` (binary search: the list is in step order), or −1. */
function lastUpTo(list: readonly Evaluation[], step: number): number {
  let lo = 0;
  let hi = list.length; // the first index whose step is past `step`
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.step <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The q-quantile of values by linear interpolation between order statistics (numpy.quantile's default). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  if (lo === hi) return sorted[lo]!;
  const [a, b] = [sorted[lo]!, sorted[hi]!];
  return a === Infinity && b === Infinity ? Infinity : a + (b - a) * (at - lo);
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}
