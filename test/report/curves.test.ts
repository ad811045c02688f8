// A trial's curves reduced from its rows as they stream by: bounded by the budget, whatever the number of steps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CurveReducer, RowCounter, curvesOf } from '../../src/report/curves.js';
import { ema, minMaxBuckets, smoothingSpan, stride } from '../../src/report/downsample.js';
import type { MetricRow } from '../../src/types.js';

/** A run's rows: a falling noisy loss, an evaluation of train and dev every `every` steps. */
function rows(steps: number, every: number, smooth = false): MetricRow[] {
  const out: MetricRow[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = 2 + 20 / (1 + step / 50) + ((step * 7919) % 13) / 26;
    out.push(smooth ? { step, lr: 10 ** (-3 + (3 * step) / steps), loss, smooth: loss - 0.1 } : { step, lr: 0.1, loss });
    if ((step + 1) % every === 0) out.push({ step: step + 1, split: 'train', loss: loss - 0.2 }, { step: step + 1, split: 'dev', loss: loss - 0.1 });
  }
  return out;
}

test('the raw curve is the min/max buckets of every step, the smooth curve a stride of the EMA of every step', () => {
  const all = rows(5000, 1000);
  const c = curvesOf(all, 400, false);
  const steps = all.filter((r): r is Extract<MetricRow, { lr: number }> => !('split' in r));
  const points = steps.map((r) => ({ x: r.step, y: r.loss }));
  assert.deepEqual(c.curve.map((p) => ({ x: p.step, y: p.loss })), minMaxBuckets(points, 400));
  const smoothed = ema(steps.map((r) => r.loss), smoothingSpan(steps.length));
  assert.deepEqual(c.smooth, stride(steps.map((r, i) => ({ step: r.step, loss: smoothed[i]! })), 200));
  assert.deepEqual(c.evals.map((e) => `${e.step} ${e.split}`), ['1000 train', '1000 dev', '2000 train', '2000 dev', '3000 train', '3000 dev', '4000 train', '4000 dev', '5000 train', '5000 dev']);
  assert.deepEqual(c.last, { step: 4999, loss: steps.at(-1)!.loss, smooth: smoothed.at(-1)! });
  assert.deepEqual(c.range, [], 'not a range test');
});

test('a range test keeps its own smoothed loss against log10(lr)', () => {
  const c = curvesOf(rows(300, 1000, true), 500, true);
  assert.equal(c.range.length, 300);
  assert.equal(c.range[0]!.log_lr, -3);
  assert.equal(c.range[10]!.smooth, c.range[10]!.loss - 0.1);
});

test('a million steps reduce to at most the budget of points per curve, and evaluations to the budget per split', () => {
  const counter = new RowCounter();
  const n = 1_000_000;
  const row = (step: number): MetricRow => ({ step, lr: 0.1, loss: 3 - step / n });
  for (let step = 0; step < n; step++) {
    counter.push(row(step));
    if (step % 100 === 0) counter.push({ step, split: 'dev', loss: 2 });
  }
  assert.deepEqual(counter.counts, { steps: n, evals: { dev: n / 100 } });
  const reducer = new CurveReducer(counter.counts, 500, false);
  for (let step = 0; step < n; step++) {
    reducer.push(row(step));
    if (step % 100 === 0) reducer.push({ step, split: 'dev', loss: 2 });
  }
  const c = reducer.curves();
  assert.ok(c.curve.length <= 500 && c.curve.length >= 250, `${c.curve.length} raw points`);
  assert.equal(c.smooth.length, 250);
  assert.equal(c.evals.length, 500);
  assert.deepEqual([c.curve[0]!.step, c.curve.at(-1)!.step, c.evals[0]!.step, c.evals.at(-1)!.step], [0, n - 1, 0, n - 100]);
});

test('training rows out of step order are refused', () => {
  assert.throws(() => curvesOf([{ step: 0, lr: 0.1, loss: 3 }, { step: 2, lr: 0.1, loss: 3 }, { step: 1, lr: 0.1, loss: 3 }], 500, false), /expected training rows in step order, found step 1 after step 2/);
});
