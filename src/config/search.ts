// The points of a sweep: every combination of a grid, or the draws of a random search (Bergstra & Bengio 2012).
//
// A random search's draw i of key k comes from its own seeded stream, sha256(search.seed, i, k): it depends on
// nothing else, so raising `trials` from 20 to 30 keeps the first 20 draws (and their trial ids), and adding a key
// changes no other key's values. A list is a categorical choice (each value equally likely); a distribution draws
// log-uniformly, uniformly or an integer. Continuous draws are rounded to 4 significant digits (as precise as any
// hyperparameter needs, and they read well in labels and tables), and kept within [min, max].
import { createHash } from 'node:crypto';
import { Rng } from '../rng/streams.js';
import { canonicalJson } from './canonical-json.js';
import type { Distribution, Experiment } from './schema.js';

/** A grid's or a random search's values of one key: a list, or a distribution. */
export type SweepValues = unknown[] | Distribution;

/** The part of an experiment that says which points it sweeps. */
export type Sweep = Pick<Experiment, 'grid' | 'search'>;

/** True for a distribution (a random search's `{log_uniform: [min, max]}` and the like), false for a list. */
export function isDistribution(values: SweepValues): values is Distribution {
  return !Array.isArray(values);
}

/** How many points the sweep has: the grid's combinations, or the random search's trials (without listing them). */
export function countPoints(sweep: Sweep): number {
  if (sweep.search.method === 'random') return sweep.search.trials ?? 0;
  return Object.values(sweep.grid).reduce<number>((n, values) => n * (isDistribution(values) ? 1 : values.length), 1);
}

/** The sweep's points, in their stable order: grid combinations (first key slowest), or draws 0 … trials−1. */
export function sweepPoints(sweep: Sweep): Record<string, unknown>[] {
  switch (sweep.search.method) {
    case 'grid':
      return gridPoints(sweep.grid as Record<string, unknown[]>);
    case 'random':
      return drawPoints(sweep.grid, sweep.search.trials ?? 0, sweep.search.seed ?? 0);
    default:
      throw new Error(`search.method: expected grid or random, found ${JSON.stringify(sweep.search.method satisfies never)}: not recognised`);
  }
}

/** The grid's combinations: keys in file order, the first key varying slowest, values in given order. */
export function gridPoints(grid: Record<string, unknown[]>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(grid)) points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  return points;
}

/** How often a draw that repeats an earlier point is drawn again before the space counts as used up. */
const REDRAWS = 100;

/**
 * A random search's `trials` points, each distinct: a draw that repeats an earlier point (the same trial, trained twice
 * into one folder) is drawn again from the next attempt's streams. Draw i depends only on draws 0 … i−1, so raising
 * `trials` still keeps the first ones. When a (narrow) space runs out, the repeat is kept: validation reports it.
 */
export function drawPoints(grid: Record<string, SweepValues>, trials: number, seed: number): Record<string, unknown>[] {
  const points: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < trials; i++) {
    let point = drawPoint(grid, i, seed);
    for (let attempt = 1; seen.has(canonicalJson(point)) && attempt <= REDRAWS; attempt++) point = drawPoint(grid, i, seed, attempt);
    seen.add(canonicalJson(point));
    points.push(point);
  }
  return points;
}

/** Draw i (its `attempt`-th try) of a random search: each key's value from its own stream. */
export function drawPoint(grid: Record<string, SweepValues>, i: number, seed: number, attempt = 0): Record<string, unknown> {
  return Object.fromEntries(Object.entries(grid).map(([key, values]) => [key, draw(values, drawStream(seed, i, attempt, key))]));
}

/** The generator of a key in draw i: 32 bits of sha256(seed, i, key), or of sha256(seed, i, attempt, key) when drawn again. */
function drawStream(seed: number, i: number, attempt: number, key: string): Rng {
  const text = attempt === 0 ? `${seed}:${i}:${key}` : `${seed}:${i}:${attempt}:${key}`;
  return new Rng(createHash('sha256').update(text).digest().readUInt32BE(0));
}

/** How many distinct points the space holds: the product of list lengths and integer ranges (a continuous range: unbounded). */
export function spaceSize(grid: Record<string, SweepValues>): number {
  let size = 1;
  for (const values of Object.values(grid)) {
    if (!isDistribution(values)) size *= new Set(values.map(canonicalJson)).size;
    else if (values.int_uniform !== undefined) {
      const [min, max] = values.int_uniform as [number, number];
      size *= max - min + 1;
    }
    else return Infinity;
  }
  return size;
}

/** One value of a key from its generator. */
export function draw(values: SweepValues, rng: Rng): unknown {
  if (!isDistribution(values)) return structuredClone(values[rng.int(values.length)]);
  if (values.log_uniform !== undefined) {
    const [min, max] = values.log_uniform as [number, number];
    return within(round4(Math.exp(Math.log(min) + rng.float() * (Math.log(max) - Math.log(min)))), min, max);
  }
  if (values.uniform !== undefined) {
    const [min, max] = values.uniform as [number, number];
    return within(round4(min + rng.float() * (max - min)), min, max);
  }
  if (values.int_uniform !== undefined) {
    const [min, max] = values.int_uniform as [number, number];
    return min + rng.int(max - min + 1);
  }
  throw new Error(`grid: expected a distribution log_uniform, uniform or int_uniform, found ${JSON.stringify(values)}: not recognised`);
}

/** 4 significant digits. */
function round4(x: number): number {
  return Number(x.toPrecision(4));
}

function within(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}
