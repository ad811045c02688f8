// Fewer points for long curves: the charts get a few hundred points per trial, metrics.jsonl keeps them all.
//
// Raw losses: min/max buckets. The steps are cut into budget/2 equal buckets and each keeps its lowest and
// its highest loss, in step order, so spikes and the start of a divergence survive (an average would hide
// them, and LTTB keeps the shape but may drop a lone spike's partner). Smoothed curves are smooth by
// construction, so an even stride keeps them.

/** A point of a curve. */
export interface Point {
  x: number;
  y: number;
}

/** At most `budget` points of a curve sorted by x: each of budget/2 buckets keeps its min and its max y. */
export function minMaxBuckets<T extends Point>(points: T[], budget: number): T[] {
  if (points.length <= budget) return points;
  const buckets = Math.max(1, Math.floor(budget / 2));
  const out: T[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * points.length) / buckets);
    const hi = Math.floor(((b + 1) * points.length) / buckets);
    let min = lo;
    let max = lo;
    for (let i = lo + 1; i < hi; i++) {
      if (points[i]!.y < points[min]!.y) min = i;
      if (points[i]!.y > points[max]!.y) max = i;
    }
    if (min === max) out.push(points[min]!);
    else out.push(points[Math.min(min, max)]!, points[Math.max(min, max)]!);
  }
  return out;
}

/** At most `budget` points taken at an even stride, always keeping the first and the last. */
export function stride<T>(points: T[], budget: number): T[] {
  if (points.length <= budget || budget < 2) return points;
  const out: T[] = [];
  for (let i = 0; i < budget; i++) out.push(points[Math.round((i * (points.length - 1)) / (budget - 1))]!);
  return out;
}

/** De-biased exponential moving average (as in Adam's moments): no pull towards 0 at the start. */
export function ema(values: number[], span: number): number[] {
  const beta = 1 - 2 / (span + 1);
  const out: number[] = [];
  let m = 0;
  let t = 0;
  for (const v of values) {
    t += 1;
    m = beta * m + (1 - beta) * v;
    out.push(m / (1 - beta ** t));
  }
  return out;
}

/** The EMA span for a curve of n steps: about n/50, at least 5 and at most 500 steps. */
export function smoothingSpan(n: number): number {
  return Math.min(500, Math.max(5, Math.round(n / 50)));
}

/** A number with 5 significant digits (enough for a chart, a third of the bytes); non-finite → null. */
export function round5(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toPrecision(5)) : null;
}
