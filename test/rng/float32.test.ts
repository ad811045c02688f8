import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bitsOf, fmaf, logAvx, sincosAvx } from '../../src/rng/float32.js';

const f = Math.fround;

test('fmaf rounds a·b + c once, also where rounding the double sum to float32 would round twice', () => {
  const a = f(1 + 2 ** -12);
  const tie = 1 + 2 ** -11 + 2 ** -24; // a·a exactly: halfway between the float32 values 1 + 2^-11 and 1 + 2^-11 + 2^-23
  assert.equal(a * a, tie);
  assert.equal(fmaf(a, a, 0), 1 + 2 ** -11); // a true tie: to even
  assert.equal(fmaf(a, a, -(2 ** -24)), 1 + 2 ** -11); // exact, nothing to round
  // Just above the tie: the double sum rounds back onto the tie and fround would then go down to even; fmaf goes up.
  assert.equal(f(tie + 2 ** -80), 1 + 2 ** -11);
  assert.equal(fmaf(a, a, 2 ** -80), 1 + 2 ** -11 + 2 ** -23);
  assert.equal(fmaf(a, a, -(2 ** -80)), 1 + 2 ** -11);
  // Far from any tie it is the plain rounded sum.
  assert.equal(fmaf(f(0.1), f(3), f(0.2)), f(f(0.1) * f(3) + f(0.2)));
});

test('the float32 log and sincos are within 2 ulp of the correctly rounded values over (0, 1] and [0, 2π)', () => {
  const ulps = (found: number, exact: number) => Math.abs(bitsOf(found) - bitsOf(f(exact)));
  let worstLog = 0;
  let worstTrig = 0;
  for (let i = 1; i <= 20000; i++) {
    const u = f(i / 20000);
    if (u !== 1) worstLog = Math.max(worstLog, ulps(logAvx(u), Math.log(u)));
    const theta = f(2 * Math.PI * f((i - 1) / 20000));
    const [s, c] = sincosAvx(theta);
    if (Math.abs(Math.sin(theta)) > 1e-3) worstTrig = Math.max(worstTrig, ulps(s, Math.sin(theta)));
    if (Math.abs(Math.cos(theta)) > 1e-3) worstTrig = Math.max(worstTrig, ulps(c, Math.cos(theta)));
  }
  assert.ok(worstLog <= 2, `log: ${worstLog} ulp`);
  assert.ok(worstTrig <= 2, `sin/cos: ${worstTrig} ulp`);
  assert.equal(logAvx(1), 0);
  assert.ok(Number.isNaN(logAvx(0)) && Number.isNaN(logAvx(-1)));
});
