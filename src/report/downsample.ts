// Fewer points for long curves: the charts get a few hundred points per trial, metrics.jsonl keeps them all.
// Each reduction comes twice: over an array, and as a stream (points pushed one at a time, the count known up front),
// which gives the same points while holding only what it keeps, so a trial of 10^7 steps is read in bounded memory.
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

/** minMaxBuckets as a stream: push the `n` points in order, then `points()` holds what minMaxBuckets(all, budget) gives. */
export class MinMaxBuckets<T extends Point> {
  private readonly kept: T[] = [];
  private readonly buckets: number;
  private bucket = 0; // the bucket being filled
  private end: number; // index where it ends
  private i = 0; // index of the next point
  private min: T | undefined;
  private max: T | undefined;
  private minAt = 0;
  private maxAt = 0;

  constructor(
    private readonly n: number,
    private readonly budget: number,
  ) {
    this.buckets = Math.max(1, Math.floor(budget / 2));
    this.end = this.bucketEnd(0);
  }

  push(p: T): void {
    const i = this.i++;
    if (i >= this.n) throw new RangeError(`MinMaxBuckets: expected ${this.n} points, got more`);
    if (this.n <= this.budget) return void this.kept.push(p);
    if (this.min === undefined || p.y < this.min.y) [this.min, this.minAt] = [p, i];
    if (this.max === undefined || p.y > this.max.y) [this.max, this.maxAt] = [p, i];
    if (i + 1 === this.end) this.close();
  }

  /** The kept points, in order (call after the last push). */
  points(): T[] {
    return this.kept;
  }

  private close(): void {
    const min = this.min!;
    const max = this.max!;
    if (this.minAt === this.maxAt) this.kept.push(min);
    else this.kept.push(...(this.minAt < this.maxAt ? [min, max] : [max, min]));
    this.min = this.max = undefined;
    this.bucket += 1;
    this.end = this.bucketEnd(this.bucket);
  }

  private bucketEnd(b: number): number {
    return Math.floor(((b + 1) * this.n) / this.buckets);
  }
}

/** At most `budget` points taken at an even stride, always keeping the first and the last. */
export function stride<T>(points: T[], budget: number): T[] {
  if (points.length <= budget || budget < 2) return points;
  const out: T[] = [];
  for (let i = 0; i < budget; i++) out.push(points[Math.round((i * (points.length - 1)) / (budget - 1))]!);
  return out;
}

/** stride as a stream: push the `n` points in order, then `points()` holds what stride(all, budget) gives. */
export class Stride<T> {
  private readonly kept: T[] = [];
  private i = 0; // index of the next point
  private k = 0; // the next kept point's rank

  constructor(
    private readonly n: number,
    private readonly budget: number,
  ) {}

  push(p: T): void {
    const i = this.i++;
    if (this.n <= this.budget || this.budget < 2) return void this.kept.push(p);
    if (this.k < this.budget && i === Math.round((this.k * (this.n - 1)) / (this.budget - 1))) {
      this.kept.push(p);
      this.k += 1;
    }
  }

  /** The kept points, in order (call after the last push). */
  points(): T[] {
    return this.kept;
  }
}

/** De-biased exponential moving average (as in Adam's moments): no pull towards 0 at the start. */
export function ema(values: number[], span: number): number[] {
  const average = new Ema(span);
  return values.map((v) => average.push(v));
}

/** ema as a stream: push each value, get the average so far. */
export class Ema {
  private readonly beta: number;
  private m = 0;
  private t = 0;

  constructor(span: number) {
    this.beta = 1 - 2 / (span + 1);
  }

  push(v: number): number {
    this.t += 1;
    this.m = this.beta * this.m + (1 - this.beta) * v;
    return this.m / (1 - this.beta ** this.t);
  }
}

/** The EMA span for a curve of n steps: about n/50, at least 5 and at most 500 steps. */
export function smoothingSpan(n: number): number {
  return Math.min(500, Math.max(5, Math.round(n / 50)));
}

/** A number with 5 significant digits (enough for a chart, a third of the bytes); non-finite → null. */
export function round5(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toPrecision(5)) : null;
}
