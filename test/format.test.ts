// Durations and losses as the terminal shows them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDurationShort, formatLoss } from '../src/format.js';

test('durations read as 0.8s, 42s, 3m05s and 1h02m, rounded once so no unit shows 60', () => {
  const cases: [number, string][] = [
    [0.84, '0.8s'],
    [9.96, '10.0s'],
    [42.4, '42s'],
    [59.6, '1m00s'],
    [185, '3m05s'],
    [719.6, '12m00s'],
    [3599.7, '1h00m'],
    [3720, '1h02m'],
    [Number.NaN, '-'],
  ];
  for (const [seconds, text] of cases) assert.equal(formatDurationShort(seconds), text, `${seconds} s`);
});

test('a loss has 4 decimals, and none is a dash', () => {
  assert.deepEqual([formatLoss(2.34567), formatLoss(null), formatLoss(undefined), formatLoss(Number.NaN)], ['2.3457', '-', '-', '-']);
});
