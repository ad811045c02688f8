// Stage 3, expand: a resolved experiment → its trials (the sweep's points × repeat, see search.ts), in a stable order.
// A trial's id is a short hash of its resolved configuration; its seed comes from the base seed, the repeat
// index and the part of the configuration that fixes the initial weights and the data (data, model), so adding
// a grid value changes no other trial's id or seed, and arms that differ only in how they train (loss, lr,
// batch size, steps) start from the same weights: a controlled comparison, as in the lecture.
// With `rng: torch` the seed is the experiment's own (plus the repeat index), as the lecture's manual_seed(2147483647).
import { createHash } from 'node:crypto';
import type { Experiment, Model } from './schema.js';
import { canonicalJson } from './canonical-json.js';
import { countPoints, sweepPoints, type Sweep } from './search.js';

export { canonicalJson };
import type { ResolvedData, Trial, TrialConfig } from './trial.js';

/** More trials than this is a mistake, not a study: refused before anything runs. */
export const MAX_TRIALS = 10_000;

/** Hex digits of the trial id (40 bits: collisions are negligible for any sane sweep). */
const ID_LENGTH = 10;

/** Number of trials: the sweep's points (grid combinations, or a random search's draws) × repeat, without listing them. */
export function countTrials(experiment: Sweep & Pick<Experiment, 'repeat'>): number {
  return countPoints(experiment) * experiment.repeat;
}

/**
 * One grid point's experiment: a copy of the experiment without its `grid` and `expect` (they describe the study,
 * not a trial, and copying them for every point would make planning quadratic in the number of trials), with each
 * dotted key of `params` set to its value.
 */
export function applyParams<T extends object>(experiment: T, params: Record<string, unknown>): Omit<T, 'grid' | 'expect'> {
  const { grid: _grid, expect: _expect, ...trialPart } = experiment as Record<string, unknown>;
  const copy = structuredClone(trialPart);
  for (const [dotted, value] of Object.entries(params)) {
    const keys = dotted.split('.');
    let node = copy;
    for (const key of keys.slice(0, -1)) {
      if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1)!] = structuredClone(value);
  }
  return copy as Omit<T, 'grid' | 'expect'>;
}

/**
 * Every trial of a resolved experiment (data.file absolute; `hashes` maps each such file to the
 * sha256 of its content). Pure: the same experiment and hashes give the same trials, ids and seeds.
 */
export function expand(experiment: Experiment, hashes: ReadonlyMap<string, string>): Trial[] {
  const trials: Trial[] = [];
  for (const point of sweepPoints(experiment)) {
    const exp = applyParams(experiment, point);
    const base = trialBase(exp, hashes);
    const initHash = sha256(canonicalJson(seedView(base)));
    for (let repeat = 0; repeat < experiment.repeat; repeat++) {
      // exp: `seed` and `rng` may be grid keys
      const seed = exp.rng === 'torch' ? torchSeed(exp.seed, repeat) : trialSeed(exp.seed, initHash, repeat);
      const config: TrialConfig = { seed, ...base };
      const id = sha256(canonicalJson({ ...idView(base), seed, repeat })).slice(0, ID_LENGTH);
      const params = experiment.repeat > 1 ? { ...point, repeat } : { ...point };
      trials.push({ id, index: trials.length, params, repeat, config });
    }
  }
  return trials;
}

/** The seed of one trial: 32 unsigned bits of sha256(base seed, hash of its data and model, repeat index). */
function trialSeed(baseSeed: number, configHash: string, repeat: number): number {
  return createHash('sha256').update(`${baseSeed}:${configHash}:${repeat}`).digest().readUInt32BE(0);
}

/**
 * The seed of a trial in torch mode: the experiment's seed itself, as the lecture's manual_seed, plus the repeat index
 * (a repeat is another run of the lecture's code with the next seed), modulo 2^32 as manual_seed keeps the low 32 bits.
 */
function torchSeed(baseSeed: number, repeat: number): number {
  return (baseSeed + repeat) % 2 ** 32;
}

function trialBase(exp: Omit<Experiment, 'grid' | 'expect'>, hashes: ReadonlyMap<string, string>): Omit<TrialConfig, 'seed'> {
  const { model, loss, engine, train, eval: evaluation, sample, rng, diagnostics } = exp;
  return { rng, data: resolvedData(exp.data, hashes), model, loss, engine, train, eval: evaluation, sample, ...(diagnostics === undefined ? {} : { diagnostics }) };
}

function resolvedData(data: Experiment['data'], hashes: ReadonlyMap<string, string>): ResolvedData {
  const { builtin, file, ...rest } = data;
  if (file === undefined) return { ...rest, builtin: builtin ?? 'names' };
  const digest = hashes.get(file);
  if (digest === undefined) throw new Error(`expand: no content hash for ${file} (resolve the data files first)`);
  return { ...rest, file, sha256: digest };
}

/**
 * What the id covers: the configuration with the data file named by its content, not its path; `rng` only when it is
 * not the default, `engine` only when it is kernel, and `model.init` only with a factor other than 1 (diagnostics only
 * when asked for: absent, the key is not in the JSON), so trials planned before these keys existed (streams, trained
 * by tfjs) keep their ids (and a re-run finds them finished), while the kernel's trials are trials of their own.
 */
function idView(base: Omit<TrialConfig, 'seed'>): Record<string, unknown> {
  const { file: _file, ...data } = base.data;
  const { rng, engine, model, ...rest } = base;
  const view = { ...rest, model: modelView(model), data };
  return { ...view, ...(rng === 'streams' ? {} : { rng }), ...(engine === 'tfjs' ? {} : { engine }) };
}

/** The model as ids see it: `init` without its factors of 1, and without `init` when nothing is left (the default). */
function modelView(model: Model): Model {
  const { init, ...shape } = model;
  const scaled = Object.entries(init ?? {}).filter(([, factor]) => factor !== 1);
  return scaled.length === 0 ? shape : { ...shape, init: Object.fromEntries(scaled) };
}

/**
 * What the seed covers: the data (by content) and the model's shape, not how the model is trained, nor `model.init`:
 * inits differ by their factors on the same draws (the lecture's part 3 compares them so).
 */
function seedView(base: Omit<TrialConfig, 'seed'>): Record<string, unknown> {
  const { data } = idView(base);
  const { init: _init, ...shape } = base.model;
  return { data, model: shape };
}


/** The sha256 of a text, as hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
