// Learning-rate schedules as pure functions of the step: lrAt(lr, step, steps), step ∈ [0, steps).
import type { Lr } from '../config/schema.js';

/** Whether the schedule is an LR range test (one log-spaced lr per step, from min to max): the one place that says so. */
export function isRangeTest(lr: Lr): boolean {
  return typeof lr === 'object' && lr.schedule === 'range';
}

/** a·(b/a)^t for t ∈ [0, 1]: a at t = 0 and exactly b at t = 1 (no rounding drift at the ends). */
function geometric(a: number, b: number, t: number): number {
  return t >= 1 ? b : a * Math.pow(b / a, t);
}

/** Where `step` lies in [first, last], as a fraction in [0, 1] (0 when the interval is a single step). */
function progress(step: number, first: number, last: number): number {
  return last > first ? (step - first) / (last - first) : 0;
}

/**
 * The learning rate of SGD step `step` (0-based) of `steps`:
 * - a number: constant;
 * - step: `start`, then each drop's lr from its `at` on;
 * - exponential: geometric from `start` at step 0 to `end` at step steps−1;
 * - cosine: linear warm-up start·(step+1)/(warmup+1) for step < warmup (nanoGPT's, so step 0 is not wasted),
 *   then end + (start−end)·½(1 + cos(π·p)) with p from 0 at step `warmup` to 1 at step steps−1;
 * - range (the LR range test): min·(max/min)^(step/(steps−1)), min at step 0 and max at the last step.
 */
export function lrAt(lr: Lr, step: number, steps: number): number {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`lrAt: steps: expected a positive integer, found ${steps}`);
  if (!Number.isInteger(step) || step < 0 || step >= steps) {
    throw new RangeError(`lrAt: step: expected an integer in [0, ${steps - 1}], found ${step}`);
  }
  if (typeof lr === 'number') return lr;
  const last = steps - 1;
  switch (lr.schedule) {
    case 'step': {
      let rate = lr.start;
      let at = -1;
      for (const drop of lr.drops) if (drop.at <= step && drop.at >= at) ({ at, lr: rate } = drop); // latest drop reached
      return rate;
    }
    case 'exponential':
      return geometric(lr.start, lr.end, progress(step, 0, last));
    case 'cosine': {
      const warmup = lr.warmup ?? 0;
      if (step < warmup) return (lr.start * (step + 1)) / (warmup + 1);
      const p = progress(step, warmup, last);
      return p >= 1 ? lr.end : lr.end + (lr.start - lr.end) * 0.5 * (1 + Math.cos(Math.PI * p));
    }
    case 'range':
      return geometric(lr.min, lr.max, progress(step, 0, last));
    default: {
      const found = JSON.stringify((lr satisfies never as { schedule: unknown }).schedule);
      throw new Error(`train.lr.schedule: expected step, exponential, cosine or range, found ${found}: not recognised`);
    }
  }
}

/** lrAt for the steps [from, to) of a run of `steps` (a chunk's rates: the trainer never holds a whole run's table). */
export function lrTable(lr: Lr, steps: number, from = 0, to = steps): Float64Array {
  const table = new Float64Array(Math.max(0, to - from));
  for (let step = from; step < to; step++) table[step - from] = lrAt(lr, step, steps);
  return table;
}
