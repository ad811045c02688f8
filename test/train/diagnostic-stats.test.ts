// The statistics of a diagnostics row as defined: torch's unbiased std, |h| > 0.97 against float32(0.97), 50 bins over
// [−1, 1], dead units, grad:data and log10 update:data (and null where a ratio is not finite).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HIST_BINS, paramStats, tanhStats } from '../../src/train/diagnostic-stats.js';

describe('tanhStats', () => {
  it('counts |h| > 0.97 as saturated, and a unit saturated on every example as dead', () => {
    // 3 examples × 4 units: unit 0 is saturated everywhere (either sign), unit 1 on two examples, 0.97 itself is not
    // (as torch compares: h's float32 against 0.97 rounded to float32).
    const h = new Float32Array([0.99, 0.98, 0.97, 0, -1, -0.99, 0.5, 0.1, 0.975, 0.2, -0.97, -0.2]);
    const s = tanhStats(h, 3, 4);
    assert.equal(s.saturated, 5 / 12);
    assert.equal(s.dead, 1);
    const mean = h.reduce((a, b) => a + b, 0) / 12;
    assert.ok(Math.abs(s.mean! - mean) < 1e-12);
    assert.ok(Math.abs(s.std! - Math.sqrt(h.reduce((a, b) => a + (b - mean) ** 2, 0) / 11)) < 1e-12); // n − 1
  });

  it('bins h into 50 equal bins over [−1, 1], −1 in the first and 1 in the last', () => {
    const s = tanhStats(new Float32Array([-1, -0.95, 0, 0.039, 0.05, 1]), 1, 6);
    assert.equal(s.hist.length, HIST_BINS);
    const at = (i: number) => s.hist[i];
    assert.deepEqual([at(0), at(1), at(25), at(26), at(49)], [1, 1, 2, 1, 1]); // bins 0.04 wide: 0.039 in [0, 0.04), 0.05 in [0.04, 0.08)
    assert.equal(s.hist.reduce((a, b) => a + b, 0), 6);
  });
});

describe('paramStats', () => {
  it('gives grad:data and log10 of update:data', () => {
    const s = paramStats(new Float32Array([1, -1, 1, -1]), new Float32Array([0.01, -0.01, 0.01, -0.01]), 0.1);
    assert.ok(Math.abs(s.grad_data! - 0.01) < 1e-9);
    assert.ok(Math.abs(s.update_data! - -3) < 1e-7); // lr 0.1 × 0.01: the lecture's 1e-3
  });

  it('gives null, not ∞, where the data has no spread (b2 · 0 at step 0)', () => {
    const s = paramStats(new Float32Array([0, -0, 0]), new Float32Array([0.5, -0.2, 0.1]), 0.1);
    assert.deepEqual([s.data_std, s.grad_data, s.update_data], [0, null, null]);
    assert.ok(s.grad_std! > 0);
  });
});
