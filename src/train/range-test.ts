// The LR range test's bookkeeping, as fastai's LRFinder and Lightning's lr_find keep it: a de-biased EMA of the
// loss, divergence at 4 × the best smoothed loss, and two suggested learning rates.
import type { RangeTestState, SuggestedLr } from '../types.js';

/** How many recorded points the suggestion ignores at each end. */
export interface Skip {
  begin?: number; // default ⌊n/10⌋: fastai's num_it//10, the noisy start
  end?: number; // default 5: fastai's [:-5], the blow-up at the end
}

const DIVERGENCE_FACTOR = 4; // fastai and Lightning stop when the smoothed loss passes 4 × its best

/** Accumulates (lr, loss) one step at a time; push() says when to stop, suggestion() reads the curve. */
export class RangeTest {
  readonly lrs: number[] = [];
  readonly smooth: number[] = [];
  private avg = 0; // the biased EMA, β·avg + (1 − β)·loss
  private best = Infinity; // the best smoothed loss so far

  /** beta: the EMA's weight on the past (0.98 as in fastai and Lightning; 0 means no smoothing). */
  constructor(readonly beta = 0.98) {
    if (!(beta >= 0 && beta < 1)) throw new RangeError(`RangeTest: beta: expected a number in [0, 1), found ${beta}`);
  }

  /** Its bookkeeping as plain data (a checkpoint). */
  getState(): RangeTestState {
    return { avg: this.avg, best: this.best, lrs: Float64Array.from(this.lrs), smooth: Float64Array.from(this.smooth) };
  }

  /** Go on from a state getState() returned. */
  setState(state: RangeTestState): void {
    if (state.lrs.length !== state.smooth.length) throw new RangeError(`RangeTest.setState: expected as many lrs as smoothed losses, found ${state.lrs.length} and ${state.smooth.length}`);
    this.avg = state.avg;
    this.best = state.best;
    this.lrs.length = 0;
    this.smooth.length = 0;
    for (let i = 0; i < state.lrs.length; i++) {
      this.lrs.push(state.lrs[i]!);
      this.smooth.push(state.smooth[i]!);
    }
  }

  /**
   * Record one step. smooth = avg / (1 − β^k) after k steps (de-biased, so the first smooth is the first loss);
   * diverged when the loss is not finite, or from the second step on when smooth > 4 × the best smooth before it.
   */
  push(lr: number, loss: number): { smooth: number; diverged: boolean } {
    const k = this.smooth.length + 1;
    this.avg = this.beta * this.avg + (1 - this.beta) * loss;
    const smooth = this.avg / (1 - Math.pow(this.beta, k));
    const diverged = !Number.isFinite(loss) || !Number.isFinite(smooth) || (k > 1 && smooth > DIVERGENCE_FACTOR * this.best);
    if (smooth < this.best) this.best = smooth;
    this.lrs.push(lr);
    this.smooth.push(smooth);
    return { smooth, diverged };
  }

  /**
   * The suggested learning rates from the smoothed losses, over the recorded points less `skip` at each end and
   * cut at the first non-finite one (fastai): `steepest` is the lr at the most negative d smooth / d log10(lr),
   * by np.gradient's second-order central differences (one-sided at the ends); null with fewer than 2 points or
   * when the loss never falls. `valley` is the lr at the least smoothed loss (fastai's `minimum` is it ÷ 10).
   */
  suggestion(skip: Skip = {}): SuggestedLr {
    const n = this.smooth.length;
    const begin = skip.begin ?? Math.floor(n / 10);
    let end = n - (skip.end ?? 5);
    for (let i = begin; i < end; i++) {
      if (!Number.isFinite(this.smooth[i]!) || !(this.lrs[i]! > 0)) {
        end = i;
        break;
      }
    }
    if (end - begin < 2) return { steepest: null, valley: null };
    const lrs = this.lrs.slice(begin, end);
    const ys = this.smooth.slice(begin, end);
    const grads = gradient(ys, lrs.map(Math.log10));
    const steep = argmin(grads);
    return { steepest: grads[steep]! < 0 ? lrs[steep]! : null, valley: lrs[argmin(ys)]! };
  }
}

/** The first index of the least value. */
function argmin(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! < xs[best]!) best = i;
  return best;
}

/**
 * dy/dx at every point, as numpy.gradient(y, x) with edge_order=1: second-order central differences inside
 * (exact for quadratics, also on uneven spacing), first-order one-sided differences at both ends. Needs ≥ 2 points.
 */
export function gradient(y: readonly number[], x: readonly number[]): number[] {
  const n = y.length;
  if (n < 2 || x.length !== n) throw new RangeError(`gradient: expected ≥ 2 points and as many x as y, found ${n} y and ${x.length} x`);
  const out = new Array<number>(n);
  out[0] = (y[1]! - y[0]!) / (x[1]! - x[0]!);
  out[n - 1] = (y[n - 1]! - y[n - 2]!) / (x[n - 1]! - x[n - 2]!);
  for (let i = 1; i < n - 1; i++) {
    const hs = x[i]! - x[i - 1]!; // spacing behind
    const hd = x[i + 1]! - x[i]!; // spacing ahead
    out[i] = (hs * hs * y[i + 1]! + (hd * hd - hs * hs) * y[i]! - hd * hd * y[i - 1]!) / (hs * hd * (hd + hs));
  }
  return out;
}
