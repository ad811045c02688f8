import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradient, RangeTest } from '../../src/train/range-test.js';

/** A synthetic range-test curve over x = log10(lr): flat, a sigmoid descent centred at x = −2, then a blow-up. */
const curve = (x: number) => 3 - 1.5 / (1 + Math.exp(-4 * (x + 2))) + 0.5 * Math.exp(3 * (x - 0.5));
const slope = (x: number) => {
  const s = 1 / (1 + Math.exp(-4 * (x + 2)));
  return -6 * s * (1 - s) + 1.5 * Math.exp(3 * (x - 0.5));
};
/** Where f is least on a fine grid of [lo, hi]. */
/** The valley's lr ÷ 10, as summaries stored it before #17 (min_over_10): the assertions below were written for it. */
const tenth = (valley: number | null) => (valley === null ? null : valley / 10);

function argminOn(f: (x: number) => number, lo: number, hi: number): number {
  let best = lo;
  for (let x = lo; x <= hi; x += 1e-4) if (f(x) < f(best)) best = x;
  return best;
}

/** Run a synthetic range test of `steps` points from 10^lo to 10^hi through a RangeTest. */
function run(rt: RangeTest, steps: number, lo = -4, hi = 1, loss = curve): RangeTest {
  for (let i = 0; i < steps; i++) {
    const x = lo + ((hi - lo) * i) / (steps - 1);
    rt.push(10 ** x, loss(x));
  }
  return rt;
}

test('the first smoothed loss is the first loss (de-biased), and later ones weigh the past by beta', () => {
  const rt = new RangeTest(0.98);
  assert.equal(rt.push(0.001, 3.3).smooth, 3.3);
  const second = rt.push(0.002, 2.9).smooth;
  const expected = (0.98 * 0.02 * 3.3 + 0.02 * 2.9) / (1 - 0.98 ** 2);
  assert.ok(Math.abs(second - expected) < 1e-12, `${second} vs ${expected}`);
  const flat = new RangeTest();
  for (let i = 0; i < 300; i++) assert.ok(Math.abs(flat.push(1e-3, 2.5).smooth - 2.5) < 1e-9);
});

test('the smoothed loss diverges when it passes 4 × its best, not at 4 × exactly', async (t) => {
  const cases = [
    { losses: [2, 1, 1, 4], diverged: [false, false, false, false] },
    { losses: [2, 1, 1, 4.001], diverged: [false, false, false, true] },
    { losses: [100, 1], diverged: [false, false] }, // the first step never diverges, however large
    { losses: [1, 5, 3], diverged: [false, true, false] }, // push only reports; the trainer stops at the first
  ];
  for (const { losses, diverged } of cases) {
    await t.test(losses.join(', '), () => {
      const rt = new RangeTest(0); // β = 0: smooth = loss, so the thresholds are exact
      assert.deepEqual(losses.map((l, i) => rt.push(10 ** i, l).diverged), diverged);
    });
  }
});

test('divergence with beta = 0.98 is decided on the smoothed loss against the best before it', () => {
  const rt = new RangeTest();
  let best = Infinity;
  let tripped = -1;
  for (let i = 0; i < 400 && tripped < 0; i++) {
    const loss = i < 200 ? 2 : 2 * 1.08 ** (i - 200); // flat, then a blow-up
    const { smooth, diverged } = rt.push(1e-3 * 1.03 ** i, loss);
    assert.equal(diverged, i > 0 && smooth > 4 * best, `step ${i}`);
    best = Math.min(best, smooth);
    if (diverged) tripped = i;
  }
  assert.ok(tripped > 200 && tripped < 260, `diverged at step ${tripped}`);
});

test('a loss that is not finite diverges at once', () => {
  for (const bad of [NaN, Infinity]) {
    const rt = new RangeTest();
    rt.push(1e-3, 3);
    assert.equal(rt.push(1e-2, bad).diverged, true);
  }
});

test('the suggestion lands at the steepest descent and a tenth of the minimum of a valley', () => {
  const rt = run(new RangeTest(0), 501); // no smoothing: the curve itself, one point per 0.01 decade
  const { steepest, valley } = rt.suggestion();
  const min_over_10 = tenth(valley);
  const xSteep = argminOn(slope, -3.5, 0.95);
  const xMin = argminOn(curve, -3.5, 0.95);
  assert.ok(Math.abs(xSteep + 2) < 0.01 && xMin > -1 && xMin < 0.5, `analytic: steepest ${xSteep}, min ${xMin}`);
  assert.ok(steepest !== null && Math.abs(Math.log10(steepest) - xSteep) <= 0.011, `steepest at 10^${Math.log10(steepest!)}`);
  assert.ok(min_over_10 !== null && Math.abs(Math.log10(min_over_10 * 10) - xMin) <= 0.011, `minimum at 10^${Math.log10(min_over_10! * 10)}`);
});

test('with beta = 0.98 the suggestion trails the valley by about the EMA lag', () => {
  const steps = 5001; // 0.001 decade per step, so the lag of ~1/(1 − β) = 50 steps is 0.05 decade
  const { steepest, valley } = run(new RangeTest(), steps).suggestion();
  const min_over_10 = tenth(valley);
  const lag = 50 * (5 / (steps - 1));
  const xSteep = argminOn(slope, -4, 1) + lag;
  const xMin = argminOn(curve, -4, 1) + lag;
  assert.ok(steepest !== null && Math.abs(Math.log10(steepest) - xSteep) < 0.05, `steepest at 10^${Math.log10(steepest!)}, expected 10^${xSteep}`);
  assert.ok(min_over_10 !== null && Math.abs(Math.log10(min_over_10 * 10) - xMin) < 0.05, `minimum at 10^${Math.log10(min_over_10! * 10)}, expected 10^${xMin}`);
});

test('the first tenth of the points is skipped, as fastai does', () => {
  // A cliff at x = −3.8 (inside the first tenth of [−4, 1]) is steeper than the valley at −2.
  const cliff = (x: number) => curve(x) + 3 / (1 + Math.exp(40 * (x + 3.8)));
  const rt = run(new RangeTest(0), 501, -4, 1, cliff);
  assert.ok(Math.abs(Math.log10(rt.suggestion().steepest!) + 2) < 0.05, 'default skip: the valley');
  assert.ok(Math.abs(Math.log10(rt.suggestion({ begin: 0 }).steepest!) + 3.8) < 0.05, 'no skip: the cliff');
});

test('points after a non-finite loss are ignored, and too few points give no suggestion', () => {
  const rt = new RangeTest(0);
  const losses = [3, 3, 2.9, 2.5, 2.0, 1.9, 1.8, 2.2, NaN, 1.0, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1];
  losses.forEach((l, i) => rt.push(10 ** (-3 + i * 0.2), l));
  const { steepest, valley } = rt.suggestion({ begin: 0, end: 0 });
  const min_over_10 = tenth(valley);
  assert.ok(Math.abs(Math.log10(steepest!) - (-3 + 0.2 * 3)) < 1e-9, `steepest ${steepest}`); // central slope at i = 3
  assert.ok(Math.abs(Math.log10(min_over_10! * 10) - (-3 + 0.2 * 6)) < 1e-9, `min ${min_over_10}`);
  assert.deepEqual(new RangeTest().suggestion(), { steepest: null, valley: null });
  assert.deepEqual(run(new RangeTest(), 6).suggestion(), { steepest: null, valley: null }); // 6 − 0 − 5 = 1 point
});

test('a loss that never falls suggests no steepest descent', () => {
  const rt = run(new RangeTest(0), 100, -3, 0, (x) => 2 + (x + 3) ** 2);
  const { steepest, valley } = rt.suggestion();
  const min_over_10 = tenth(valley);
  assert.equal(steepest, null);
  assert.ok(Math.abs(min_over_10! - rt.lrs[10]! / 10) < 1e-15, 'the minimum is the first point kept');
});

test('gradient matches numpy.gradient on uneven spacing', () => {
  // numpy.gradient([0, 1, 9], [0, 1, 3]) == [1, 2, 4]; [1, 4, 9, 16] on x = [1, 2, 3, 4] → [3, 4, 6, 7]
  assert.deepEqual(gradient([0, 1, 9], [0, 1, 3]), [1, 2, 4]);
  assert.deepEqual(gradient([1, 4, 9, 16], [1, 2, 3, 4]), [3, 4, 6, 7]);
  assert.throws(() => gradient([1], [1]), /expected ≥ 2 points/);
});

test('beta outside [0, 1) is refused', () => {
  for (const beta of [1, -0.1, NaN]) assert.throws(() => new RangeTest(beta), /beta: expected a number in \[0, 1\)/);
});
