// --set KEY=VALUE: typed by the schema, a grid axis for KEY=A,B, errors located at the --set.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES } from '../paths.js';
import { planExperiment } from '../../src/config/plan.js';
import { ConfigError } from '../../src/config/diagnostics.js';
import { parseOverride } from '../../src/config/overrides.js';

const SWEEP = path.join(FIXTURES, 'config', 'good', 'sweep.yaml'); // grid: loss × train.batch_size, repeat 2

describe('an override replaces a key, typed by the schema', () => {
  const cases: { set: string[]; key: (e: Record<string, any>) => unknown; expected: unknown }[] = [
    { set: ['train.steps=50'], key: (e) => e.train.steps, expected: 50 },
    { set: ['train.batch_size=full'], key: (e) => e.train.batch_size, expected: 'full' },
    { set: ['model.hidden=200'], key: (e) => e.model.hidden, expected: 200 },
    { set: ['train.lr=0.05'], key: (e) => e.train.lr, expected: 0.05 },
    { set: ['train.lr={schedule: range, min: 0.001, max: 1}'], key: (e) => e.train.lr, expected: { schedule: 'range', min: 0.001, max: 1 } },
    { set: ['train.lr={schedule: cosine, start: 0.1, end: 0}'], key: (e) => e.train.lr, expected: { schedule: 'cosine', start: 0.1, end: 0, warmup: 0 } },
    { set: ['eval.splits=[train, test]'], key: (e) => e.eval.splits, expected: ['train', 'test'] },
    { set: ['name=2024'], key: (e) => e.name, expected: '2024' }, // a string key keeps digits as text
    { set: ['description=a, b, c'], key: (e) => e.description, expected: 'a, b, c' }, // no axis for description
    { set: ['data.file=words.txt'], key: (e) => e.data.file, expected: path.join(FIXTURES, 'config', 'good', 'words.txt') },
    { set: ['seed=7', 'seed=8'], key: (e) => e.seed, expected: 8 }, // the last one wins
  ];
  for (const { set, key, expected } of cases) {
    it(`applies --set ${set.join(' --set ')}`, async () => {
      const { plan } = await planExperiment(SWEEP, set);
      assert.deepEqual(key(plan.experiment), expected);
    });
  }

  it('ends a grid axis when the key is given one value', async () => {
    const { plan } = await planExperiment(SWEEP, ['loss=manual']);
    assert.deepEqual(plan.experiment.grid, { 'train.batch_size': [32, 'full'] });
    assert.equal(plan.experiment.loss, 'manual');
    assert.equal(plan.trials.length, 4);
  });
});

describe('an override with commas adds a grid axis', () => {
  it('adds a new axis after the file\'s axes, values typed by the schema', async () => {
    const { plan } = await planExperiment(SWEEP, ['model.hidden=100,200']);
    assert.deepEqual(Object.keys(plan.experiment.grid), ['loss', 'train.batch_size', 'model.hidden']);
    assert.deepEqual(plan.experiment.grid['model.hidden'], [100, 200]);
    assert.equal(plan.trials.length, 16);
  });

  it('replaces an axis of the file', async () => {
    const { plan } = await planExperiment(SWEEP, ['train.batch_size=16,full']);
    assert.deepEqual(plan.experiment.grid['train.batch_size'], [16, 'full']);
  });
});

describe('a bad override is an error located at its --set', () => {
  const cases: { set: string; error: string }[] = [
    { set: 'train.batch_size=-4', error: '--set train.batch_size=-4 train.batch_size: expected a positive integer or "full", got -4' },
    { set: 'modle.hidden=3', error: '--set modle.hidden=3 modle.hidden: unknown key; did you mean `model`?' },
    { set: 'train.stesp=3', error: '--set train.stesp=3 train.stesp: unknown key; did you mean `train.steps`?' },
    { set: 'train.steps.x=1', error: '--set train.steps.x=1 train.steps.x: unknown key; `train.steps` takes a value, not keys' },
    { set: 'train.lr', error: '--set train.lr: expected KEY=VALUE, e.g. --set train.lr=0.05 or --set loss=manual,fused' },
    { set: 'train.lr=[1', error: '--set train.lr=[1 train.lr: expected a YAML value, got a syntax error (Flow sequence must end with a ])' },
    { set: 'grid.loss=fused', error: '--set grid.loss=fused grid.loss: cannot be set with --set; add a grid axis with --set KEY=A,B instead' },
    { set: 'loss=manual,fuse', error: '--set loss=manual,fuse grid.loss[1]: expected "fused" or "manual", got "fuse"; did you mean `fused`?' },
    { set: 'train.lr=fast', error: '--set train.lr=fast train.lr: expected a positive number or {schedule: step|exponential|cosine|range, …}, got "fast"' },
  ];
  for (const { set, error } of cases) {
    it(`rejects --set ${set}`, async () => {
      await assert.rejects(planExperiment(SWEEP, [set]), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.message, error);
        return true;
      });
    });
  }

  it('reports override errors together with the file\'s own', async () => {
    const bad = path.join(FIXTURES, 'config', 'bad', 'loss-typo.yaml');
    await assert.rejects(planExperiment(bad, ['train.steps=0']), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(
        e.message.split('\n').map((l) => l.replace(bad, 'loss-typo.yaml')),
        ['loss-typo.yaml:2:7 loss: expected "fused" or "manual", got "fuse"; did you mean `fused`?', '--set train.steps=0 train.steps: expected an integer from 1 to 1,000,000,000, got 0'],
      );
      return true;
    });
  });
});

describe('parseOverride', () => {
  it('keeps a flow collection whole even with commas inside', () => {
    assert.deepEqual(parseOverride('eval.splits=[train,dev]'), { text: '--set eval.splits=[train,dev]', key: 'eval.splits', path: ['eval', 'splits'], value: ['train', 'dev'] });
  });
  it('takes a flow list for a key that takes no list as an axis: values with commas of their own', () => {
    assert.deepEqual(parseOverride('model.init=[{}, {W2: 0.01, b2: 0}]'), {
      text: '--set model.init=[{}, {W2: 0.01, b2: 0}]',
      key: 'model.init',
      path: ['model', 'init'],
      axis: [{}, { W2: 0.01, b2: 0 }],
    });
  });

  it('splits plain values at commas into an axis', () => {
    assert.deepEqual(parseOverride('train.batch_size=32,full'), { text: '--set train.batch_size=32,full', key: 'train.batch_size', path: ['train', 'batch_size'], axis: [32, 'full'] });
  });
});
