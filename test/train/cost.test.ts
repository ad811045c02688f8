// The planned cost of a step, and the default checkpoint interval that comes from it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkpointInterval, stepSeconds } from '../../src/train/cost.js';

const LECTURE = { block_size: 3, embed_dim: 10, hidden: 200 };

describe('stepSeconds', () => {
  it('plans the lecture\'s network at 2,000 steps a second on tfjs, 12,500 in the kernel (the calibration)', () => {
    assert.ok(Math.abs(1 / stepSeconds(LECTURE, 32, 27, 'tfjs') - 2000) < 1e-6);
    assert.ok(Math.abs(1 / stepSeconds(LECTURE, 32, 27, 'kernel') - 12_500) < 1e-6);
  });

  it('plans a wide net in the kernel by its arithmetic: hidden 1000 about a fifth of the lecture\'s speed', () => {
    const ratio = stepSeconds({ ...LECTURE, hidden: 1000 }, 32, 27, 'kernel') / stepSeconds(LECTURE, 32, 27, 'kernel');
    assert.ok(ratio > 4.5 && ratio < 5.1, `${ratio}`);
  });
});

describe('checkpointInterval', () => {
  const cases: [string, Parameters<typeof checkpointInterval>, number | null][] = [
    ['auto: a minute at the planned speed, for the lecture\'s network 120,000 steps', ['auto', LECTURE, 32, 27, 'tfjs', 500], 120_000],
    ['auto in the kernel: a minute at its planned 12,500 steps/s, 750,000 steps', ['auto', LECTURE, 32, 27, 'kernel', 500], 750_000],
    ['auto in whole chunks: batch 512 plans 4.25 ms a step, 14,118 steps a minute, 14,000', ['auto', LECTURE, 512, 27, 'tfjs', 500], 14_000],
    ['auto: at least one chunk, however slow a step (160 s here)', ['auto', { ...LECTURE, hidden: 1_000_000 }, 4096, 27, 'kernel', 1], 1],
    ['auto in a range test\'s chunks of 25 steps: lr-sweep.yaml\'s network plans 186,122 steps a minute, 186,125', ['auto', { block_size: 3, embed_dim: 2, hidden: 100 }, 32, 27, 'tfjs', 25], 186_125],
    ['a number: as given (taken at the first chunk boundary from each multiple)', [300, LECTURE, 32, 27, 'kernel', 500], 300],
    ['never: none', ['never', LECTURE, 32, 27, 'kernel', 500], null],
  ];
  for (const [what, args, expected] of cases) it(what, () => assert.equal(checkpointInterval(...args), expected));
});
