// summary.json as it is read back: an older run-exp's form (suggested_lr.min_over_10, the valley ÷ 10; no engine, as
// every trial trained on TensorFlow.js before #18) reads as the current one, and the report and the expectations built
// from it are those of the current form.
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeReport } from '../../src/report/index.js';
import { checkTrial } from '../../src/store/check-trial.js';
import { readSummary } from '../../src/store/files.js';
import { keptAsFinished, suggestedLr, upgradeSummary } from '../../src/store/summary.js';
import type { Experiment } from '../../src/config/schema.js';
import type { Summary } from '../../src/types.js';
import { withDir, writeFixtureResults } from '../report/fixture-results.js';

describe('upgradeSummary', () => {
  it('reads suggested_lr.min_over_10 (written before #17) as the valley, multiplied back', () => {
    const old = { id: 'a', engine: 'kernel', suggested_lr: { steepest: 0.0062, min_over_10: 0.012738113231864781 } };
    assert.deepEqual(upgradeSummary(old), { id: 'a', engine: 'kernel', suggested_lr: { steepest: 0.0062, valley: 0.012738113231864781 * 10 } });
    assert.deepEqual(upgradeSummary({ id: 'b', engine: 'tfjs', suggested_lr: { steepest: null, min_over_10: null } }), { id: 'b', engine: 'tfjs', suggested_lr: { steepest: null, valley: null } });
  });

  it('reads a summary without an engine (written before #18, when TensorFlow.js trained every trial) as engine: tfjs', () => {
    assert.deepEqual(upgradeSummary({ id: 'a', backend: 'wasm' }), { id: 'a', backend: 'wasm', engine: 'tfjs' });
    assert.deepEqual(upgradeSummary({ id: 'b', suggested_lr: { steepest: 0.1, min_over_10: 0.05 } }), { id: 'b', engine: 'tfjs', suggested_lr: { steepest: 0.1, valley: 0.5 } });
  });

  it('leaves a summary of the current form, one without suggested lrs and anything that is no summary as they are', () => {
    const current = { id: 'a', engine: 'kernel', suggested_lr: { steepest: 0.1, valley: 0.5 } };
    for (const value of [current, { id: 'b', engine: 'tfjs' }, null, 'text', [1], { engine: 'kernel', suggested_lr: 3 }]) assert.equal(upgradeSummary(value), value);
  });
});

describe('suggestedLr', () => {
  it('is the steepest descent, else the valley ÷ 10 (fastai\'s minimum), else none', () => {
    assert.equal(suggestedLr({ steepest: 0.006, valley: 0.13 }), 0.006);
    assert.equal(suggestedLr({ steepest: null, valley: 0.13 }), 0.13 / 10);
    assert.equal(suggestedLr({ steepest: null, valley: null }), null);
  });
});

describe('keptAsFinished', () => {
  const rule = { early_stop: { method: 'asha', metric: 'dev_loss', grace: 200, eta: 3 } } as unknown as Experiment;
  const without = {} as Experiment;
  const cases: [Summary['status'], Experiment, boolean][] = [
    ['ok', without, true],
    ['diverged', without, true],
    ['failed', rule, false],
    ['stopped', rule, true],
    ['stopped', without, false],
  ];
  for (const [status, experiment, kept] of cases) {
    it(`${kept ? 'keeps' : 'runs again'} a ${status} trial ${experiment.early_stop === undefined ? 'without' : 'with'} early_stop`, () => {
      assert.equal(keptAsFinished({ status } as Summary, experiment), kept);
    });
  }
});

describe('results stored before #17', () => {
  it('give the same check, the same report and the same expectations as the current form', () =>
    withDir(async (out) => {
      const expect = [{ suggested_lr: { gt: 0.05 }, min_loss_lr: { gt: 0.1, lt: 1 } }];
      await writeFixtureResults(out, { name: 'range', lr: { schedule: 'range', min: 0.001, max: 1 }, steps: 300, grid: { 'model.hidden': [50, 100] }, expect });
      const current = await readFile(await writeReport(out, 'range'), 'utf8');
      const trialsDir = path.join(out, 'range', 'trials');
      for (const id of await readdir(trialsDir)) {
        const file = path.join(trialsDir, id, 'summary.json');
        const summary = JSON.parse(await readFile(file, 'utf8')) as Summary;
        const { steepest, valley } = summary.suggested_lr!;
        await writeFile(file, JSON.stringify({ ...summary, suggested_lr: { steepest, min_over_10: valley === null ? null : valley / 10 } }, null, 2) + '\n');
        const stored = await checkTrial(path.join(trialsDir, id));
        assert.equal(stored.kind, 'finished', JSON.stringify(stored));
        assert.deepEqual(stored.kind === 'finished' && stored.summary.suggested_lr, { steepest, valley });
        assert.deepEqual((await readSummary(path.join(trialsDir, id)))?.suggested_lr, { steepest, valley });
      }
      const old = await readFile(await writeReport(out, 'range'), 'utf8');
      assert.match(current, /min\/10: /, 'the table shows the valley ÷ 10');
      assert.match(current, /expectation checks/);
      assert.equal(old, current);
    }));
});

describe('trials stored before #18 (no engine in config.json or summary.json)', () => {
  it('are finished trials of engine: tfjs, and the report says so', () =>
    withDir(async (out) => {
      await writeFixtureResults(out, { name: 'old', grid: { 'train.lr': [0.05, 0.1] } });
      const trialsDir = path.join(out, 'old', 'trials');
      for (const id of await readdir(trialsDir)) {
        for (const name of ['config.json', 'summary.json']) {
          const file = path.join(trialsDir, id, name);
          const value = JSON.parse(await readFile(file, 'utf8')) as { engine?: string; config?: { engine?: string } };
          if (name === 'config.json') delete value.config!.engine;
          else delete value.engine;
          await writeFile(file, JSON.stringify(value, null, 2) + '\n');
        }
        const stored = await checkTrial(path.join(trialsDir, id));
        assert.equal(stored.kind, 'finished', JSON.stringify(stored));
        assert.equal(stored.kind === 'finished' && stored.trial.config.engine, 'tfjs');
        assert.equal(stored.kind === 'finished' && stored.summary.engine, 'tfjs');
        assert.equal((await readSummary(path.join(trialsDir, id)))?.engine, 'tfjs');
      }
      const html = await readFile(await writeReport(out, 'old'), 'utf8');
      assert.match(html, /<dt>engine<\/dt><dd>tfjs <small>\(TensorFlow\.js, one step after another\)<\/small><\/dd>/);
    }));
});
