// Tests for src/expect: each expectation key, selection by `where`, and the wording of misses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Experiment, Expectation } from '../../src/config/schema.js';
import { expand } from '../../src/config/expand.js';
import { parseSource } from '../../src/config/load.js';
import { validate } from '../../src/config/validate.js';
import type { Summary, Trial, TrialConfig } from '../../src/types.js';
import { checkExpectations, describeBound, formatMisses, formatNumber, formatResult, holds, tally } from '../../src/expect/index.js';

/** The configuration of a trial with every default (hidden 200, batch 32, lr 0.1, fused), from the config stages themselves. */
const CONFIG: TrialConfig = expand(validate(parseSource('name: defaults', 'defaults.yaml')).experiment, new Map())[0]!.config;

function trial(id: string, params: Record<string, unknown> = {}, config: Partial<TrialConfig> = {}): Trial {
  return { id, index: 0, params, repeat: 0, config: { ...CONFIG, ...config } };
}

function summary(id: string, fields: Partial<Summary> = {}, final: Partial<Summary['final']> = {}): Summary {
  return {
    id,
    status: 'ok',
    steps: 1000,
    steps_planned: 1000,
    final: { train_loss: 2.3, dev_loss: 2.4, test_loss: null, ...final },
    steps_per_s: 1000,
    seconds: 1,
    train_seconds: 1,
    engine: 'kernel',
    backend: 'cpu',
    backend_version: '4.22.0',
    params: 11897,
    seed: 1,
    vocab: '.abcdefghijklmnopqrstuvwxyz',
    words: { train: 8, dev: 1, test: 1 },
    examples: { train: 60, dev: 7, test: 7 },
    reference: { uniform: Math.log(27), bigram: 2.45 },
    started_at: '2026-01-01T00:00:00.000Z',
    finished_at: '2026-01-01T00:00:01.000Z',
    ...fields,
  };
}

function experiment(expect: Expectation | Expectation[] | undefined): Experiment {
  return { expect } as Experiment; // checkExpectations reads only `expect`
}

function check(expect: Expectation | Expectation[] | undefined, trials: Trial[], summaries: Summary[]) {
  return checkExpectations(experiment(expect), trials, new Map(summaries.map((s) => [s.id, s])));
}

test('an experiment without expect yields no results', () => {
  assert.deepEqual(check(undefined, [trial('a')], [summary('a')]), []);
});

const boundCases: { title: string; expect: Expectation; summary: Summary; passed: boolean; expected: string; found: string }[] = [
  { title: 'a loss under lt passes', expect: { dev_loss: { lt: 2.5 } }, summary: summary('a'), passed: true, expected: '< 2.5', found: '2.4' },
  { title: 'a loss at lt misses (strict)', expect: { dev_loss: { lt: 2.4 } }, summary: summary('a'), passed: false, expected: '< 2.4', found: '2.4' },
  { title: 'a loss over lt misses', expect: { dev_loss: { lt: 2.5 } }, summary: summary('a', {}, { dev_loss: 2.61 }), passed: false, expected: '< 2.5', found: '2.61' },
  { title: 'a loss over gt passes', expect: { train_loss: { gt: 2 } }, summary: summary('a'), passed: true, expected: '> 2', found: '2.3' },
  { title: 'a loss under gt misses', expect: { train_loss: { gt: 2.5 } }, summary: summary('a'), passed: false, expected: '> 2.5', found: '2.3' },
  { title: 'a loss between gt and lt passes', expect: { train_loss: { gt: 2, lt: 2.5 } }, summary: summary('a'), passed: true, expected: '> 2 and < 2.5', found: '2.3' },
  { title: 'approx within the default tol of 0.05 passes', expect: { dev_loss: { approx: 2.44 } }, summary: summary('a'), passed: true, expected: '≈ 2.44 ± 0.05', found: '2.4' },
  { title: 'approx beyond the default tol misses', expect: { dev_loss: { approx: 2.5 } }, summary: summary('a'), passed: false, expected: '≈ 2.5 ± 0.05', found: '2.4' },
  { title: 'approx within an explicit tol passes', expect: { dev_loss: { approx: 2.5, tol: 0.2 } }, summary: summary('a'), passed: true, expected: '≈ 2.5 ± 0.2', found: '2.4' },
  { title: 'approx beyond an explicit tol misses', expect: { dev_loss: { approx: 2.41, tol: 0.001 } }, summary: summary('a'), passed: false, expected: '≈ 2.41 ± 0.001', found: '2.4' },
  { title: 'a NaN loss misses every bound', expect: { dev_loss: { gt: 0 } }, summary: summary('a', { status: 'diverged' }, { dev_loss: NaN }), passed: false, expected: '> 0', found: 'NaN' },
  { title: 'an infinite loss misses lt', expect: { train_loss: { lt: 1e9 } }, summary: summary('a', {}, { train_loss: Infinity }), passed: false, expected: '< 1000000000', found: 'Infinity' },
  {
    title: 'a split that was not evaluated misses with "not evaluated"',
    expect: { test_loss: { lt: 3 } },
    summary: summary('a'),
    passed: false,
    expected: '< 3',
    found: 'not evaluated (add test to eval.splits)',
  },
  {
    title: 'a diverged trial without a final loss says where it stopped',
    expect: { dev_loss: { lt: 3 } },
    summary: summary('a', { status: 'diverged', steps: 17, reason: 'loss became NaN' }, { dev_loss: null }),
    passed: false,
    expected: '< 3',
    found: 'not evaluated (the trial diverged at step 17: loss became NaN)',
  },
  {
    title: 'a failed trial misses every bound, even one its stale losses would meet',
    expect: { dev_loss: { lt: 3 } },
    summary: summary('a', { status: 'failed', reason: 'worker exited with code 137' }),
    passed: false,
    expected: '< 3',
    found: 'no value (the trial failed: worker exited with code 137)',
  },
  {
    title: 'suggested_lr uses the steepest-descent lr',
    expect: { suggested_lr: { gt: 0.05, lt: 0.5 } },
    summary: summary('a', { suggested_lr: { steepest: 0.1, valley: 9 } }),
    passed: true,
    expected: '> 0.05 and < 0.5',
    found: '0.1',
  },
  {
    title: 'suggested_lr falls back to the valley over 10 when there is no steepest descent',
    expect: { suggested_lr: { gt: 0.05, lt: 0.5 } },
    summary: summary('a', { suggested_lr: { steepest: null, valley: 0.312 } }),
    passed: false,
    expected: '> 0.05 and < 0.5',
    found: '0.0312',
  },
  {
    title: 'suggested_lr misses on a trial that is not a range test',
    expect: { suggested_lr: { lt: 1 } },
    summary: summary('a'),
    passed: false,
    expected: '< 1',
    found: 'not evaluated (no suggested lr: not an lr range test, or too few steps)',
  },
  {
    title: 'min_loss_lr is the lr at the least smoothed loss (the valley)',
    expect: { min_loss_lr: { gt: 0.05, lt: 0.5 } },
    summary: summary('a', { suggested_lr: { steepest: 0.0065, valley: 0.159 } }),
    passed: true,
    expected: '> 0.05 and < 0.5',
    found: '0.159',
  },
  {
    title: 'min_loss_lr misses on a trial that is not a range test',
    expect: { min_loss_lr: { gt: 0.05 } },
    summary: summary('a', { suggested_lr: { steepest: null, valley: null } }),
    passed: false,
    expected: '> 0.05',
    found: 'not evaluated (no suggested lr: not an lr range test, or too few steps)',
  },
  {
    title: 'first_loss bounds the loss of step 0, shown with the decimals its tol needs',
    expect: { first_loss: { approx: 17.769711, tol: 0.00005 } },
    summary: summary('a', { first_loss: 17.76970863342285 }),
    passed: true,
    expected: '≈ 17.769711 ± 0.00005',
    found: '17.76971',
  },
  {
    title: 'a first_loss beyond its tol misses, and the found value shows by how much',
    expect: { first_loss: { approx: 17.7697, tol: 0.00005 } },
    summary: summary('a', { first_loss: 17.76989 }),
    passed: false,
    expected: '≈ 17.7697 ± 0.00005',
    found: '17.76989',
  },
  {
    title: 'a summary without first_loss (an older run-exp\'s) misses and says why',
    expect: { first_loss: { lt: 20 } },
    summary: summary('a'),
    passed: false,
    expected: '< 20',
    found: 'not recorded (the summary has no first_loss: the trial was finished by an older run-exp; rerun it with --force)',
  },
  { title: 'a status that matches passes', expect: { status: 'ok' }, summary: summary('a'), passed: true, expected: '= ok', found: 'ok' },
  {
    title: 'a status that differs misses and shows the reason',
    expect: { status: 'diverged' },
    summary: summary('a', { status: 'ok' }),
    passed: false,
    expected: '= diverged',
    found: 'ok',
  },
  {
    title: 'a status in a list passes',
    expect: { status: ['ok', 'diverged'] },
    summary: summary('a', { status: 'diverged', reason: 'loss became Inf at step 12' }),
    passed: true,
    expected: '∈ {ok, diverged}',
    found: 'diverged (loss became Inf at step 12)',
  },
  {
    title: 'a failed trial can be expected by status',
    expect: { status: 'failed' },
    summary: summary('a', { status: 'failed', reason: 'timed out' }),
    passed: true,
    expected: '= failed',
    found: 'failed (timed out)',
  },
];

for (const c of boundCases) {
  test(c.title, () => {
    const results = check(c.expect, [trial('a')], [c.summary]);
    assert.equal(results.length, 1);
    const [r] = results;
    assert.equal(r.passed, c.passed);
    assert.equal(r.expected, c.expected);
    assert.equal(r.found, c.found);
    assert.equal(r.trial, 'a');
  });
}

test('a trial without a summary misses every bound and status', () => {
  const results = check({ dev_loss: { lt: 3 }, status: 'ok' }, [trial('a')], []);
  assert.deepEqual(
    results.map((r) => [r.key, r.passed, r.found]),
    [
      ['dev_loss', false, 'no result (the trial did not finish)'],
      ['status', false, 'no result (the trial did not finish)'],
    ],
  );
});

test('one expectation yields one result per stated key per trial, in key order', () => {
  const results = check({ status: 'ok', dev_loss: { lt: 3 }, train_loss: { lt: 3 } }, [trial('a'), trial('b')], [summary('a'), summary('b')]);
  assert.deepEqual(
    results.map((r) => `${r.trial}:${r.key}`),
    ['a:train_loss', 'a:dev_loss', 'a:status', 'b:train_loss', 'b:dev_loss', 'b:status'],
  );
});

test('a list of expectations numbers each result by its index', () => {
  const results = check([{ dev_loss: { lt: 3 } }, { train_loss: { lt: 1 } }], [trial('a')], [summary('a')]);
  assert.deepEqual(
    results.map((r) => [r.expectation, r.key, r.passed]),
    [
      [0, 'dev_loss', true],
      [1, 'train_loss', false],
    ],
  );
});

const trials = [
  trial('m1', { loss: 'manual', 'train.lr': 0.1 }, { loss: 'manual' }),
  trial('f1', { loss: 'fused', 'train.lr': 0.1 }),
  trial('m2', { loss: 'manual', 'train.lr': 20 }, { loss: 'manual', train: { ...CONFIG.train, lr: 20 } }),
  trial('f2', { loss: 'fused', 'train.lr': 20 }, { train: { ...CONFIG.train, lr: 20 } }),
];
const summaries = trials.map((t) => summary(t.id));

const whereCases: { title: string; where: Record<string, unknown>; ids: string[] }[] = [
  { title: 'where on one grid key selects the trials with that value', where: { loss: 'manual' }, ids: ['m1', 'm2'] },
  { title: 'where on two grid keys selects their intersection', where: { loss: 'fused', 'train.lr': 20 }, ids: ['f2'] },
  { title: 'where on a key that does not vary matches the resolved config', where: { 'model.hidden': 200 }, ids: ['m1', 'f1', 'm2', 'f2'] },
  { title: 'where on a nested config key narrows by the resolved value', where: { 'train.batch_size': 32, loss: 'manual' }, ids: ['m1', 'm2'] },
  { title: 'an empty where selects every trial', where: {}, ids: ['m1', 'f1', 'm2', 'f2'] },
];

for (const c of whereCases) {
  test(c.title, () => {
    const results = check({ where: c.where, status: 'ok' }, trials, summaries);
    assert.deepEqual(
      results.map((r) => r.trial),
      c.ids,
    );
  });
}

test('where compares values by type: the string "20" does not match the number 20', () => {
  const [r] = check({ where: { 'train.lr': '20' }, status: 'ok' }, trials, summaries);
  assert.equal(r.key, 'where');
  assert.equal(r.passed, false);
});

test('a where key that no trial has is a miss that names the key and the keys that vary', () => {
  const results = check({ where: { 'train.batchsize': 32 }, dev_loss: { lt: 3 } }, trials, summaries);
  assert.equal(results.length, 1);
  assert.equal(results[0].passed, false);
  assert.equal(results[0].key, 'where');
  assert.equal(results[0].trial, '');
  assert.equal(results[0].expected, 'matches at least one trial where train.batchsize=32');
  assert.equal(results[0].found, 'no trial has the key train.batchsize; the keys that vary are loss, train.lr');
});

test('a where value that no trial takes is a miss that lists the values there are', () => {
  const [r] = check({ where: { 'train.lr': 0.5 }, status: 'ok' }, trials, summaries);
  assert.equal(r.passed, false);
  assert.equal(r.found, 'it matched no trial (the trials have train.lr ∈ {0.1, 20})');
});

test('an expectation over no trials at all is a miss', () => {
  const [r] = check({ status: 'ok' }, [], []);
  assert.equal(r.passed, false);
  assert.equal(r.found, 'no trials at all');
});

test('formatMisses lists only misses, one line each, naming the trial and what varies in it', () => {
  const s = [summary('m1', {}, { dev_loss: 2.61 }), summary('f1'), summary('m2', { status: 'diverged', reason: 'loss became NaN' }), summary('f2')];
  const results = check([{ dev_loss: { lt: 2.5 } }, { where: { loss: 'manual', 'train.lr': 20 }, status: 'diverged' }], trials, s);
  assert.equal(formatMisses(results), 'dev_loss < 2.5: found 2.61 (trial m1 loss=manual train.lr=0.1)');
  assert.deepEqual(tally(results), { passed: 4, missed: 1 });
});

test('formatResult words a where miss by its expectation index', () => {
  const [r] = check([{ status: 'ok' }, { where: { loss: 'other' }, status: 'ok' }], [trial('a', { loss: 'fused' })], [summary('a')]).slice(1);
  assert.equal(formatResult(r), 'where matches at least one trial where loss=other: found it matched no trial (the trials have loss ∈ {fused}) (expect[1])');
});

const numberCases: [number, string][] = [
  [2.6134, '2.613'],
  [2.61, '2.61'],
  [0.000012346, '0.00001235'],
  [1234567, '1235000'],
  [NaN, 'NaN'],
  [-Infinity, '-Infinity'],
];
for (const [x, s] of numberCases) {
  test(`formatNumber writes ${x} as ${s}`, () => assert.equal(formatNumber(x), s));
}

test('holds and describeBound agree on a bound with every condition', () => {
  const bound = { gt: 1, lt: 3, approx: 2, tol: 0.5 };
  assert.equal(describeBound(bound), '> 1 and < 3 and ≈ 2 ± 0.5');
  assert.equal(holds(bound, 2.4), true);
  assert.equal(holds(bound, 2.6), false);
  assert.equal(holds(bound, 0.9), false);
});

test('best: the trial with the least final dev loss is checked, its losses and its values', () => {
  const trials = [trial('a', { 'train.lr': 0.01 }), trial('b', { 'train.lr': 0.12 }), trial('c', { 'train.lr': 0.9 })];
  const summaries = [summary('a', {}, { dev_loss: 2.6 }), summary('b', { status: 'stopped' }, { dev_loss: 2.21 }), summary('c', {}, { dev_loss: 2.4 })];
  const results = check({ best: { by: 'dev_loss', dev_loss: { lt: 2.3 }, params: { 'train.lr': { gt: 0.05, lt: 0.5 } } } }, trials, summaries);
  assert.deepEqual(results.map((r) => [r.trial, r.key, r.expected, r.found, r.passed]), [
    ['b', 'best.dev_loss', '< 2.3', '2.21', true],
    ['b', 'best.params.train.lr', '> 0.05 and < 0.5', '0.12', true],
  ]);
  assert.equal(formatResult(results[1]!), 'best.params.train.lr > 0.05 and < 0.5: found 0.12 (trial b train.lr=0.12)');
});

test('best: ranks by the loss it is told, among the trials where selects, and misses when the best is not good enough', () => {
  const trials = [trial('a', { loss: 'manual' }), trial('b', { loss: 'fused' }), trial('c', { loss: 'fused' })];
  const summaries = [summary('a', {}, { train_loss: 1.0 }), summary('b', {}, { train_loss: 2.0, dev_loss: 2.0 }), summary('c', {}, { train_loss: 1.5, dev_loss: 2.9 })];
  const results = check({ where: { loss: 'fused' }, best: { by: 'train_loss', dev_loss: { lt: 2.5 } } }, trials, summaries);
  assert.deepEqual(results.map((r) => [r.trial, r.found, r.passed]), [['c', '2.9', false]]);
});

test('best: failed and unfinished trials never win, and a selection without a final loss is a miss that says so', () => {
  const trials = [trial('a'), trial('b'), trial('c')];
  const summaries = [summary('a', { status: 'failed' }, { dev_loss: 1.0 }), summary('b', {}, { dev_loss: null })];
  const results = check({ best: { by: 'dev_loss', dev_loss: { lt: 3 } } }, trials, summaries);
  assert.deepEqual(results.map((r) => [r.trial, r.key, r.found, r.passed]), [['', 'best.dev_loss', 'no best trial (no selected trial has a final dev loss)', false]]);
});
