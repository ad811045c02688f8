// Early stopping's decisions: ASHA's rungs and cutoffs, the median rule's running averages, both deterministic in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EarlyStop } from '../../src/config/schema.js';
import { EarlyStopper, quantile } from '../../src/launch/early-stop.js';
import type { MetricRow } from '../../src/types.js';

const asha: EarlyStop = { method: 'asha', metric: 'dev_loss', grace: 100, eta: 3 };
const median: EarlyStop = { method: 'median', metric: 'dev_loss', grace: 200, min_trials: 2 };
const dev = (step: number, loss: number): MetricRow => ({ step, split: 'dev', loss });

/** Evaluate `trial` at `step` and ask for the verdict, as the run does. */
function at(s: EarlyStopper, trial: string, step: number, loss: number, extra: MetricRow[] = []) {
  s.observe(trial, [{ step: step - 1, lr: 0.1, loss: 9 }, ...extra, dev(step, loss), { step, split: 'train', loss: 0.1 }]);
  return s.decide(trial, step);
}

describe('quantile', () => {
  it('interpolates between order statistics as numpy.quantile does', () => {
    assert.equal(quantile([3], 1 / 3), 3);
    assert.equal(quantile([1, 2], 1 / 3), 1 + 1 / 3);
    assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7], 1 / 3), 3);
    assert.equal(quantile([1, Infinity, Infinity], 0.5), Infinity);
  });
});

describe('ASHA', () => {
  it('lets the first trial at a rung go on, and stops a later one outside the best 1/eta of those that reached it', () => {
    const s = new EarlyStopper(asha);
    assert.deepEqual(at(s, 'a', 100, 2.5), { stop: false }, 'alone at the rung');
    const b = at(s, 'b', 100, 2.9); // cutoff: the 1/3 quantile of {2.5, 2.9} = 2.6333
    assert.equal(b.stop, true);
    assert.equal(b.stop && b.reason, 'ASHA: dev loss 2.9000 at step 100 is not in the best 1/3 of the 2 trials that reached it (cutoff 2.6333)');
    assert.equal(at(s, 'c', 100, 2.6).stop, true, 'outside the cutoff of {2.5, 2.6, 2.9}: 2.5667');
    assert.deepEqual(at(s, 'd', 100, 2.4), { stop: false }, 'the best so far');
  });

  it('decides only at the rungs grace·eta^k, and only on the metric it judges', () => {
    const s = new EarlyStopper(asha);
    at(s, 'a', 100, 2.0);
    at(s, 'a', 300, 1.9);
    assert.deepEqual(at(s, 'b', 200, 9), { stop: false }, 'step 200 is no rung');
    assert.equal(at(s, 'b', 300, 9).stop, true, 'step 300 is');
    s.observe('c', [{ step: 100, split: 'train', loss: 9 }]);
    assert.deepEqual(s.decide('c', 100), { stop: false }, 'no dev evaluation at that step: nothing to judge');
  });

  it('counts a trial once per rung, also when its rows are seen twice (an earlier run read, then resumed)', () => {
    const s = new EarlyStopper(asha);
    at(s, 'a', 100, 2.0);
    s.observe('a', [dev(100, 2.0)]);
    const b = at(s, 'b', 100, 3.0);
    assert.match(b.stop ? b.reason : '', /of the 2 trials that reached it/);
  });

  it('treats a blown-up evaluation as the worst value', () => {
    const s = new EarlyStopper(asha);
    at(s, 'a', 100, 2.0);
    assert.equal(at(s, 'b', 100, Number.NaN).stop, true);
  });
});

describe('the median stopping rule', () => {
  it('waits for grace steps and for min_trials others that have been evaluated as far', () => {
    const s = new EarlyStopper(median);
    at(s, 'a', 100, 2.0);
    at(s, 'a', 200, 1.8);
    assert.deepEqual(at(s, 'x', 100, 5), { stop: false }, 'before grace');
    assert.deepEqual(at(s, 'x', 200, 5), { stop: false }, 'one other trial: fewer than min_trials');
    at(s, 'b', 100, 2.4);
    at(s, 'b', 200, 2.2);
    const x = at(s, 'x', 200, 5); // best 5 > median of the running averages {1.9, 2.3} = 2.1
    assert.equal(x.stop && x.reason, 'median rule: best dev loss 5.0000 by step 200 is worse than the median 2.1000 of the running averages of 2 other trials');
  });

  it('compares the best loss so far, not the last one, with the others\' averages up to the same step', () => {
    const s = new EarlyStopper(median);
    for (const t of ['a', 'b']) {
      at(s, t, 100, 3.0);
      at(s, t, 200, 2.0);
      at(s, t, 300, 1.0); // their averages up to 200: 2.5; up to 300: 2.0
    }
    at(s, 'x', 100, 2.4);
    assert.deepEqual(at(s, 'x', 200, 2.6), { stop: false }, 'best 2.4 ≤ 2.5');
    assert.equal(at(s, 'x', 300, 2.6).stop, true, 'best 2.4 > 2.0');
  });
});

describe('the median rule at scale', () => {
  /** The rule as written down (Vizier's, with every other trial evaluated as far), recomputed from all the evaluations each time. */
  function naive(evals: Map<string, { step: number; value: number }[]>, trial: string, step: number, rule: Extract<EarlyStop, { method: 'median' }>): boolean {
    const own = evals.get(trial)!.filter((e) => e.step <= step);
    const best = Math.min(...own.map((e) => e.value));
    const averages: number[] = [];
    for (const [other, list] of evals) {
      if (other === trial || list.at(-1)!.step < step) continue;
      const upTo = list.filter((e) => e.step <= step);
      averages.push(upTo.reduce((sum, e) => sum + e.value, 0) / upTo.length);
    }
    return step >= rule.grace && averages.length >= rule.min_trials && best > quantile(averages, 0.5);
  }

  it('decides as the rule recomputed from every evaluation does, over 40 trials of 50 evaluations in an interleaved order', () => {
    const rule: Extract<EarlyStop, { method: 'median' }> = { method: 'median', metric: 'dev_loss', grace: 300, min_trials: 3 };
    const s = new EarlyStopper(rule);
    const evals = new Map<string, { step: number; value: number }[]>();
    let x = 12345;
    const noise = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 0.5;
    const stopped = new Set<string>();
    let stops = 0;
    for (let k = 1; k <= 50; k++) {
      for (let t = 0; t < 40; t++) {
        const n = (t * 7 + k) % 40; // a different order at every round, as parallel workers give
        const trial = `t${n}`;
        if (stopped.has(trial)) continue;
        const step = 100 * k;
        const value = 2 + 3 / k + ((n * 13) % 40) / 40 + noise(); // each trial its own level, plus noise
        evals.set(trial, [...(evals.get(trial) ?? []), { step, value }]);
        const v = at(s, trial, step, value);
        assert.equal(v.stop, naive(evals, trial, step, rule), `${trial} at ${step}`);
        if (v.stop) (stopped.add(trial), (stops += 1));
      }
    }
    assert.ok(stops > 5 && stops < 40, `${stops} trials stopped`);
  });
});

describe('decisions', () => {
  it('are the same every time for the same order of evaluations', () => {
    const decisions = () => {
      const s = new EarlyStopper(asha);
      const out: string[] = [];
      for (const [t, losses] of [['a', [2.5, 2.2]], ['b', [2.9, 2.8]], ['c', [2.4, 2.6]], ['d', [2.45, 2.1]]] as const) {
        for (const [k, loss] of losses.entries()) {
          const v = at(s, t, 100 * 3 ** k, loss);
          out.push(`${t}@${100 * 3 ** k}:${v.stop ? 'stop' : 'go'}`);
          if (v.stop) break;
        }
      }
      return out;
    };
    assert.deepEqual(decisions(), ['a@100:go', 'a@300:go', 'b@100:stop', 'c@100:go', 'c@300:stop', 'd@100:go', 'd@300:go']);
    assert.deepEqual(decisions(), decisions());
  });
});
