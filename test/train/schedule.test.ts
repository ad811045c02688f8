import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lr } from '../../src/config/schema.js';
import { lrAt, lrTable } from '../../src/train/schedule.js';

/** Equal to 12 significant digits (exact where the schedule promises an exact end point; see EXACT). */
function close(actual: number, expected: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.abs(expected), `${what}: ${actual} ≠ ${expected}`);
}

const cases: { name: string; lr: Lr; steps: number; at: [step: number, lr: number][] }[] = [
  { name: 'a constant', lr: 0.1, steps: 10, at: [[0, 0.1], [5, 0.1], [9, 0.1]] },
  {
    name: "the lecture's step drop",
    lr: { schedule: 'step', start: 0.1, drops: [{ at: 100000, lr: 0.01 }] },
    steps: 200000,
    at: [[0, 0.1], [99999, 0.1], [100000, 0.01], [199999, 0.01]],
  },
  {
    name: 'two step drops',
    lr: { schedule: 'step', start: 0.1, drops: [{ at: 3, lr: 0.05 }, { at: 6, lr: 0.01 }] },
    steps: 10,
    at: [[0, 0.1], [2, 0.1], [3, 0.05], [5, 0.05], [6, 0.01], [9, 0.01]],
  },
  {
    name: 'a drop at step 0 and drops out of order',
    lr: { schedule: 'step', start: 0.1, drops: [{ at: 6, lr: 0.01 }, { at: 0, lr: 0.2 }] },
    steps: 10,
    at: [[0, 0.2], [5, 0.2], [6, 0.01], [9, 0.01]],
  },
  {
    name: 'exponential decay',
    lr: { schedule: 'exponential', start: 0.1, end: 0.001 },
    steps: 3,
    at: [[0, 0.1], [1, 0.01], [2, 0.001]],
  },
  { name: 'exponential decay over one step', lr: { schedule: 'exponential', start: 0.1, end: 0.001 }, steps: 1, at: [[0, 0.1]] },
  {
    name: 'cosine without warm-up',
    lr: { schedule: 'cosine', start: 0.1, end: 0.001, warmup: 0 },
    steps: 11,
    at: [[0, 0.1], [5, 0.0505], [10, 0.001]],
  },
  {
    name: 'cosine after a warm-up of 4 steps',
    lr: { schedule: 'cosine', start: 0.1, end: 0, warmup: 4 },
    steps: 15,
    at: [[0, 0.02], [3, 0.08], [4, 0.1], [9, 0.05], [14, 0]],
  },
  {
    name: 'cosine whose warm-up fills the run',
    lr: { schedule: 'cosine', start: 0.1, end: 0.001, warmup: 5 },
    steps: 5,
    at: [[0, 0.1 / 6], [4, 0.5 / 6]], // the ramp never reaches start: step `warmup` would
  },
  {
    name: 'the range test',
    lr: { schedule: 'range', min: 0.001, max: 1 },
    steps: 1000,
    at: [[0, 0.001], [333, 0.01], [666, 0.1], [999, 1]],
  },
  { name: 'a range test of one step', lr: { schedule: 'range', min: 0.001, max: 1 }, steps: 1, at: [[0, 0.001]] },
];

test('every schedule holds its values at its boundaries', async (t) => {
  for (const { name, lr, steps, at } of cases) {
    await t.test(name, () => {
      for (const [step, expected] of at) close(lrAt(lr, step, steps), expected, `step ${step} of ${steps}`);
    });
  }
});

test('the first and last steps hit the configured ends exactly', () => {
  const EXACT: [Lr, number, number, number][] = [
    [{ schedule: 'range', min: 0.001, max: 1 }, 1000, 0.001, 1],
    [{ schedule: 'range', min: 1e-4, max: 3 }, 777, 1e-4, 3],
    [{ schedule: 'exponential', start: 0.3, end: 0.007 }, 123, 0.3, 0.007],
    [{ schedule: 'cosine', start: 0.3, end: 0.007, warmup: 0 }, 123, 0.3, 0.007],
  ];
  for (const [lr, steps, first, last] of EXACT) {
    assert.equal(lrAt(lr, 0, steps), first);
    assert.equal(lrAt(lr, steps - 1, steps), last);
  }
});

test("the range test's rates are the lecture's 10 ** linspace(-3, 0, 1000)", () => {
  const table = lrTable({ schedule: 'range', min: 0.001, max: 1 }, 1000);
  for (let i = 0; i < 1000; i++) close(table[i]!, 10 ** (-3 + (3 * i) / 999), `step ${i}`);
});

test('exponential and range rates change monotonically; cosine never rises after warm-up', () => {
  const mono = (lr: Lr, steps: number, sign: 1 | -1, from = 0, to = steps) => {
    const table = lrTable(lr, steps);
    for (let i = from + 1; i < to; i++) assert.ok(sign * (table[i]! - table[i - 1]!) >= 0, `step ${i}: ${table[i - 1]} → ${table[i]}`);
  };
  mono({ schedule: 'range', min: 1e-5, max: 10 }, 500, 1);
  mono({ schedule: 'exponential', start: 0.1, end: 0.001 }, 500, -1);
  const cosine: Lr = { schedule: 'cosine', start: 0.1, end: 0.001, warmup: 50 };
  mono(cosine, 500, 1, 0, 51); // the warm-up rises to start at step 50
  mono(cosine, 500, -1, 50);
});

test('lrTable holds lrAt for every step', () => {
  for (const { lr, steps } of cases.filter((c) => c.steps <= 1000)) {
    const table = lrTable(lr, steps);
    assert.equal(table.length, steps);
    table.forEach((v, step) => assert.equal(v, lrAt(lr, step, steps)));
  }
});

test('lrTable of a chunk [from, to) holds the same rates as the whole table at those steps', () => {
  for (const { lr, steps } of cases.filter((c) => c.steps <= 1000)) {
    const whole = lrTable(lr, steps);
    for (const [from, to] of [[0, 1], [0, steps], [Math.floor(steps / 3), Math.floor((2 * steps) / 3)], [steps - 1, steps]] as const) {
      assert.deepEqual(lrTable(lr, steps, from, to), whole.slice(from, to), `steps ${from}..${to} of ${steps}`);
    }
  }
});

test('a step outside the run is refused with the range and the value found', () => {
  assert.throws(() => lrAt(0.1, 10, 10), /step: expected an integer in \[0, 9\], found 10/);
  assert.throws(() => lrAt(0.1, -1, 10), /found -1/);
  assert.throws(() => lrAt(0.1, 0, 0), /steps: expected a positive integer, found 0/);
});

test('an unknown schedule is not recognised', () => {
  assert.throws(() => lrAt({ schedule: 'linear' } as unknown as Lr, 0, 10), /train\.lr\.schedule: .*found "linear": not recognised/);
});
