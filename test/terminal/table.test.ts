// The end of a run as text and as data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endTable, missedLines, runDocument, type TrialRow } from '../../src/terminal/table.js';
import type { Summary } from '../../src/types.js';
import { fixturePlan } from '../e2e/helpers.js';

const plan = fixturePlan('table', [{ behave: 'ok' }, { behave: 'sleep', ms: 10 }, { behave: 'hang' }]);
const summary = (id: string, status: Summary['status'], seconds: number, steps = 20, engine: Summary['engine'] = 'kernel', fallback?: string) =>
  ({ id, status, steps, engine, ...(fallback === undefined ? {} : { engine_fallback: fallback }), final: { train_loss: 2.123456, dev_loss: null, test_loss: null }, steps_per_s: 900, seconds }) as Summary;
const rows: TrialRow[] = [
  { trial: plan.trials[0]!, summary: summary('t0-ok', 'ok', 1.25), earlier: true },
  { trial: plan.trials[1]!, summary: summary('t1-sleep', 'failed', 75, 7, 'tfjs', 'no WebAssembly SIMD'), earlier: false },
  { trial: plan.trials[2]!, summary: undefined, earlier: false },
];

describe('endTable', () => {
  it('lines up id, the values that vary, status, losses and time, and marks earlier results', () => {
    assert.equal(
      endTable(rows, false),
      [
        'id        behave  ms  status   engine  steps   train  dev   time',
        't0-ok     ok          ok       kernel     20  2.1235    -  1.3s*',
        't1-sleep  sleep   10  failed   tfjs     7/20  2.1235    -  1m15s',
        't2-hang   hang        pending  kernel      -       -    -      -',
        '* finished by an earlier run (--force runs it again)',
      ].join('\n'),
    );
  });

  it('shows a grid over engine in the engine column: the engine that trained the trial, or will', () => {
    const grid = fixturePlan('engines', [{ behave: 'ok' }, { behave: 'ok' }]).trials.map((t, i) => ({ ...t, params: { engine: i === 0 ? 'kernel' : 'tfjs' }, config: { ...t.config, engine: i === 0 ? ('kernel' as const) : ('tfjs' as const) } }));
    const table = endTable([{ trial: grid[0]!, summary: undefined, earlier: false }, { trial: grid[1]!, summary: summary(grid[1]!.id, 'ok', 2, 20, 'tfjs'), earlier: false }], false);
    assert.match(table, /^id +status +engine +steps/);
    assert.match(table.split('\n')[1]!, /pending +kernel/);
    assert.match(table.split('\n')[2]!, /ok +tfjs/);
  });

  it('colours the status only when asked', () => {
    assert.doesNotMatch(endTable(rows, false), /\x1b\[/);
    assert.match(endTable(rows, true), /\x1b\[31mfailed\x1b\[39m/);
  });
});

describe('runDocument', () => {
  it('gives each trial id, params, status, steps trained and planned, engine, final losses, steps/s, seconds and the step it resumed from; null where not finished', () => {
    const resumed: TrialRow[] = [{ ...rows[0]!, summary: { ...rows[0]!.summary!, resumed_from: 12 } }, ...rows.slice(1)];
    const doc = runDocument('reports/table.html', resumed, []);
    assert.equal(doc.report, 'reports/table.html');
    assert.deepEqual(doc.trials[0], { id: 't0-ok', params: { behave: 'ok' }, status: 'ok', steps: 20, steps_planned: 20, engine: 'kernel', final: rows[0]!.summary!.final, steps_per_s: 900, seconds: 1.25, resumed_from: 12 });
    const fallback = { engine: 'tfjs', engine_fallback: 'no WebAssembly SIMD' };
    assert.deepEqual(doc.trials[1], { id: 't1-sleep', params: { behave: 'sleep', ms: 10 }, status: 'failed', steps: 7, steps_planned: 20, ...fallback, final: rows[1]!.summary!.final, steps_per_s: 900, seconds: 75, resumed_from: null });
    assert.deepEqual(doc.trials[2], { id: 't2-hang', params: { behave: 'hang' }, status: 'pending', steps: null, steps_planned: 20, engine: null, final: { train_loss: null, dev_loss: null, test_loss: null }, steps_per_s: null, seconds: null, resumed_from: null });
  });
});

describe('missedLines', () => {
  it('names the expectation, the trial, its values, the key, what was expected and what was found', () => {
    const lines = missedLines([
      { expectation: 0, trial: 't0-ok', params: { behave: 'ok' }, key: 'dev_loss', expected: '< 2.5', found: '2.61', passed: false },
      { expectation: 1, trial: 't0-ok', params: {}, key: 'status', expected: 'ok', found: 'ok', passed: true },
    ]);
    assert.deepEqual(lines, ['expectation 1 missed: trial t0-ok (behave=ok): dev_loss expected < 2.5, found 2.61']);
  });
});
