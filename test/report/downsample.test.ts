// Downsampling long curves for the charts: min/max buckets keep spikes, strides keep ends, the EMA is de-biased.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ema, MinMaxBuckets, Stride, ema, minMaxBuckets, round5, smoothingSpan, stride } from '../../src/report/downsample.js';
import { pointBudget } from '../../src/report/data.js';

const curve = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => ({ x: i, y: f(i) }));

test('a curve within the budget is kept whole', () => {
  const c = curve(100, (i) => i);
  assert.equal(minMaxBuckets(c, 500), c);
});

test('10,000 points become at most the budget, in step order, keeping the first and the last bucket', () => {
  const c = curve(10_000, (i) => Math.sin(i / 50) + 3);
  const d = minMaxBuckets(c, 500);
  assert.ok(d.length <= 500 && d.length >= 250, `${d.length} points`);
  for (let i = 1; i < d.length; i++) assert.ok(d[i]!.x > d[i - 1]!.x, 'steps increase');
  assert.ok(d[0]!.x < 20 && d.at(-1)!.x > 9_980);
});

test('a single-step spike and a single-step dip survive downsampling', () => {
  const c = curve(10_000, () => 2.5);
  c[4321]!.y = 40;
  c[7777]!.y = 0.1;
  const d = minMaxBuckets(c, 200);
  assert.ok(d.some((p) => p.x === 4321 && p.y === 40));
  assert.ok(d.some((p) => p.x === 7777 && p.y === 0.1));
});

test('an even stride keeps the first and the last point', () => {
  const xs = Array.from({ length: 1001 }, (_, i) => i);
  const s = stride(xs, 11);
  assert.deepEqual(s, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
});

test('the de-biased EMA of a constant is that constant from the first step', () => {
  assert.deepEqual(ema([2, 2, 2, 2], 10).map((v) => Number(v.toFixed(12))), [2, 2, 2, 2]);
});

test('the EMA follows a step change within a few spans', () => {
  const ys = [...Array(100).fill(3), ...Array(100).fill(2)] as number[];
  const m = ema(ys, 5);
  assert.ok(Math.abs(m[99]! - 3) < 1e-9 && Math.abs(m[199]! - 2) < 1e-6);
});

const spans: [number, number][] = [[10, 5], [1000, 20], [100_000, 500], [1_000_000, 500]];
for (const [n, span] of spans) {
  test(`a ${n}-step curve is smoothed over ${span} steps`, () => assert.equal(smoothingSpan(n), span));
}

const budgets: [number, number][] = [[1, 500], [40, 500], [80, 250], [100, 200], [1000, 100]];
for (const [trials, budget] of budgets) {
  test(`${trials} trial(s) get ${budget} raw points each`, () => assert.equal(pointBudget(trials), budget));
}

test('numbers are rounded to 5 significant digits and non-finite ones become null', () => {
  assert.deepEqual([2.345678912, 12345.678, 0.000123456789, Number.NaN, Infinity].map(round5), [2.3457, 12346, 0.00012346, null, null]);
});

test('the streaming MinMaxBuckets, Stride and Ema keep exactly what the array versions keep', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31); // a fixed sequence with ties and spikes
  for (const n of [0, 1, 2, 99, 100, 101, 499, 500, 501, 1000, 10_007]) {
    const c = curve(n, () => Math.round(random() * 40) / 4); // quarter steps: many equal values
    for (const budget of [2, 3, 100, 500]) {
      const buckets = new MinMaxBuckets<{ x: number; y: number }>(n, budget);
      const strided = new Stride<{ x: number; y: number }>(n, budget);
      for (const p of c) (buckets.push(p), strided.push(p));
      assert.deepEqual(buckets.points(), minMaxBuckets(c, budget), `min/max buckets, n ${n}, budget ${budget}`);
      assert.deepEqual(strided.points(), stride(c, budget), `stride, n ${n}, budget ${budget}`);
    }
    const average = new Ema(smoothingSpan(n));
    assert.deepEqual(c.map((p) => average.push(p.y)), ema(c.map((p) => p.y), smoothingSpan(n)));
  }
});

test('a stream of more points than it was told to expect is refused', () => {
  const buckets = new MinMaxBuckets<{ x: number; y: number }>(1, 10);
  buckets.push({ x: 0, y: 1 });
  assert.throws(() => buckets.push({ x: 1, y: 1 }), /expected 1 points, got more/);
});
