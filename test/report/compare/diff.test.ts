// The configuration diff: dotted keys, only those whose values differ, a grid point's seeds as a list.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configDiff, flatten, sharedConfig } from '../../../src/report/compare/diff.js';
import { trialConfig, experiment } from '../../e2e/helpers.js';

test('a configuration flattens to dotted keys, lists staying whole', () => {
  const flat = flatten({ train: { lr: { schedule: 'step', start: 0.1, drops: [{ at: 5, lr: 0.01 }] }, steps: 10 }, eval: { splits: ['train', 'dev'] } });
  assert.deepEqual([...flat], [['train.lr.schedule', 'step'], ['train.lr.start', 0.1], ['train.lr.drops', [{ at: 5, lr: 0.01 }]], ['train.steps', 10], ['eval.splits', ['train', 'dev']]]);
});

test('only the keys whose values differ (or that some lack) are rows; the rest are counted as the same', () => {
  const a = trialConfig(experiment('a'), 1);
  const b = { ...trialConfig(experiment('b'), 2), train: { ...a.train, lr: { schedule: 'exponential' as const, start: 0.1, end: 0.01 } } };
  const { rows, same } = configDiff([flatten(a), flatten(b)]);
  assert.deepEqual(rows, [
    { key: 'seed', values: [1, 2] },
    { key: 'train.lr', values: [a.train.lr, undefined] },
    { key: 'train.lr.schedule', values: [undefined, 'exponential'] },
    { key: 'train.lr.start', values: [undefined, 0.1] },
    { key: 'train.lr.end', values: [undefined, 0.01] },
  ]);
  assert.ok(same.some((r) => r.key === 'model.hidden') && !same.some((r) => r.key === 'seed'));
  assert.deepEqual(configDiff([flatten(a), flatten(a)]).rows, [], 'the same configuration: nothing differs');
});

test('the seeds of a grid point share their configuration but the seed, which becomes their list', () => {
  const e = experiment('s');
  const flat = sharedConfig([trialConfig(e, 7), trialConfig(e, 8), trialConfig(e, 9)]);
  assert.deepEqual(flat.get('seed'), [7, 8, 9]);
  assert.equal(sharedConfig([trialConfig(e, 7)]).get('seed'), 7);
});
