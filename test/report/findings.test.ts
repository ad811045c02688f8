// Each reading of the numbers inside the net fires when its numbers cross its threshold, and only then.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deadFinding, findings, firstLossFinding, median, saturationFinding, THRESHOLDS, updateFindings, updateMedian } from '../../src/report/findings.js';
import { insideOf, type InsideNet } from '../../src/report/inside.js';
import type { Model } from '../../src/config/schema.js';
import type { DiagnosticsRow, Summary } from '../../src/types.js';

const LN27 = Math.log(27);
const MODEL: Model = { block_size: 3, embed_dim: 10, hidden: 200 };

/** A diagnostics row with the given saturation, dead units, lr and update:data of every parameter. */
function row(step: number, o: { saturated?: number; dead?: number; lr?: number; update?: number; w2?: number } = {}): DiagnosticsRow {
  const stats = (u: number) => ({ grad_std: 1, data_std: 1, grad_data: 10 ** u / (o.lr ?? 0.1), update_data: u });
  const u = o.update ?? -3;
  return {
    step,
    lr: o.lr ?? 0.1,
    tanh: { mean: 0, std: 0.5, saturated: o.saturated ?? 0.05, dead: o.dead ?? 0, hist: new Array(50).fill(128) },
    params: { C: stats(u), W1: stats(u), b1: stats(u), W2: stats(o.w2 ?? u), b2: stats(u) },
  };
}

const inside = (rows: DiagnosticsRow[]): InsideNet => insideOf(rows, 500)!;

describe('the first loss', () => {
  it("fires at 27.9 where ln 27 is 3.30, the lecture's confidently wrong logits", () => {
    const f = firstLossFinding(27.88, LN27, 27);
    assert.equal(f?.text, 'The first loss is 27.9 at step 0 where a uniform guess over 27 characters costs ln 27 = 3.30: the logits start confidently wrong; scale W2 down (the lecture: W2 · 0.01, b2 · 0).');
  });
  it('does not fire near ln V, nor just below twice it, nor without a first loss', () => {
    assert.equal(firstLossFinding(3.31, LN27, 27), null);
    assert.equal(firstLossFinding(THRESHOLDS.firstLoss * LN27 - 1e-9, LN27, 27), null);
    assert.equal(firstLossFinding(undefined, LN27, 27), null);
  });
});

describe('saturation', () => {
  it('fires when a third or more of h is beyond ±0.97 at step 0, with the end beside it', () => {
    const f = saturationFinding(inside([row(0, { saturated: 0.7 }), row(1000, { saturated: 0.84 })]));
    assert.match(f!.text, /^70 % of the tanh outputs are beyond ±0\.97 at step 0 \(84 % at step 1,000\), where tanh passes at most 5\.9 % of the gradient: the layer starts saturated/);
  });
  it("does not fire for kaiming's 20 % at step 0, however saturated the trained layer ends", () => {
    assert.equal(saturationFinding(inside([row(0, { saturated: 0.195 }), row(1000, { saturated: 0.9 })])), null);
  });
});

describe('dead units', () => {
  it('fires for one unit dead on its whole minibatch, naming the step with the most', () => {
    const f = deadFinding(inside([row(0), row(100, { dead: 3 }), row(200, { dead: 1 })]), 200, 32);
    assert.match(f!.text, /^3 of 200 tanh units were dead at step 100 \(beyond ±0\.97 on all 32 examples of its minibatch\): less than 5\.9 % of the gradient reached their incoming weights in that step; 1 at the last diagnostics step, 200\.$/);
  });
  it('does not fire when no unit was dead at any diagnostics step', () => {
    assert.equal(deadFinding(inside([row(0), row(100)]), 200, 32), null);
  });
});

describe('update:data', () => {
  it('fires for a weight matrix a decade or more above 10^-3, saying when its init scaled it down', () => {
    const f = updateFindings(inside([row(0, { w2: -1.5 }), row(100, { w2: -1.5 })]), { ...MODEL, init: { W2: 0.01, b2: 0 } });
    assert.deepEqual(f.map((x) => x.text), [
      "update:data of W2 is 10^-1.5 (the median over 2 diagnostics steps at the main rate), 32 times the lecture's 10^-3: each step moves W2 by a large part of its size (its values start small: N(0, 1) · 0.01 at init, as the lecture's last layer).",
    ]);
  });
  it('fires a decade or more below, for C, W1 and W2 alike', () => {
    const f = updateFindings(inside([row(0, { update: -4.5 })]), MODEL);
    assert.deepEqual(f.map((x) => x.text.slice(0, 30)), ['update:data of C is 10^-4.5 (t', 'update:data of W1 is 10^-4.5 (', 'update:data of W2 is 10^-4.5 (']);
    assert.match(f[0]!.text, /32 times below the lecture's 10\^-3: C learns slowly\.$/);
  });
  it('does not fire within a decade of 10^-3, nor for the biases', () => {
    assert.deepEqual(updateFindings(inside([row(0, { update: -2.5 }), row(1, { update: -3.9 }), row(2, { update: -3 })]), MODEL), []);
  });
  it('judges the ratios at the main rate: a decay to lr/10 (a decade lower) does not drag the median down', () => {
    const rows = [...[0, 1, 2].map((s) => row(s, { update: -2.5 })), ...[3, 4, 5, 6].map((s) => row(s, { lr: 0.01, update: -4.5 }))];
    assert.equal(updateMedian(inside(rows), 'W1'), -2.5);
    assert.deepEqual(updateFindings(inside(rows), MODEL), []);
  });
});

describe('findings', () => {
  const summary = (firstLoss: number) => ({ first_loss: firstLoss, vocab: '.abcdefghijklmnopqrstuvwxyz', reference: { uniform: LN27, bigram: 2.45 } }) as Summary;
  it("reads the lecture's part-2 init: a confidently wrong start, a saturated layer, dead units", () => {
    const found = findings(summary(27.88), inside([row(0, { saturated: 0.7 }), row(100, { saturated: 0.8, dead: 2 })]), MODEL, 32);
    assert.deepEqual(found.map((f) => f.kind), ['first-loss', 'saturated', 'dead']);
  });
  it('finds nothing in a healthy start, and only the first loss without diagnostics', () => {
    assert.deepEqual(findings(summary(3.31), inside([row(0), row(100)]), MODEL, 32), []);
    assert.deepEqual(findings(summary(27.88), null, MODEL, 32).map((f) => f.kind), ['first-loss']);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the middle two', () => {
    assert.deepEqual([median([3, 1, 2]), median([4, 1, 3, 2]), median([])], [2, 2.5, null]);
  });
});
