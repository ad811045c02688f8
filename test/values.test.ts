// How a trial's values read as text: the same in the terminal, the plan and the report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeParams, formatValue } from '../src/values.js';

describe('formatValue', () => {
  for (const [value, text] of [
    ['manual', 'manual'],
    [0.1, '0.1'],
    [1e-3, '0.001'],
    [true, 'true'],
    [null, 'null'],
    [{ schedule: 'step', values: [0.1, 0.01] }, '{schedule: step, values: [0.1, 0.01]}'],
    [[32, 'full'], '[32, full]'],
    [{ W1: 'kaiming', b1: 0.01, W2: 0.01, b2: 0 }, '{W1: kaiming, b1: 0.01, W2: 0.01, b2: 0}'],
    [{}, '{}'],
    [['a b', 'true', '1', 'x:y'], '["a b", "true", "1", "x:y"]'],
    [undefined, 'undefined'],
  ] as [unknown, string][]) {
    it(`shows ${JSON.stringify(value) ?? 'undefined'} as ${text}`, () => assert.equal(formatValue(value), text));
  }
});

describe('describeParams', () => {
  it('joins the varying values as key=value, in their order', () => {
    assert.equal(describeParams({ loss: 'manual', 'train.lr': 0.1, 'train.batch_size': 'full' }), 'loss=manual train.lr=0.1 train.batch_size=full');
  });
  it('is empty when nothing varies', () => assert.equal(describeParams({}), ''));
});
