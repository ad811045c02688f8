// Stage 2, validate: the loaded document → an Experiment with every default filled in, or every
// problem at once. (1) finite numbers, (2) defaults, (3) the schema (ajv), (4) grid keys and values,
// (5) the checks the schema cannot express, for the base and for every grid combination.
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { ExperimentSchema, type Distribution, type Experiment } from './schema.js';
import { diagnosticAt, originOf, toValue, type KeyPath, type Source } from './load.js';
import type { Diagnostic } from './diagnostics.js';
import { checkAgainst, fits, type OnProblem } from './schema-errors.js';
import { checkExperiment, checkFinite } from './checks.js';
import { NOT_GRID_KEYS, firstUnknownSegment, inSchemaOrder, schemaAt, settableKeys, suggest, unknownKeyMessage } from './keys.js';
import { MAX_TRIALS, applyParams, canonicalJson, countTrials } from './expand.js';
import { isDistribution, spaceSize, sweepPoints } from './search.js';
import * as msg from './messages.js';

/** The validated experiment (defaults filled in) and every problem found; valid when the list is empty. */
export interface Validated {
  experiment: Experiment;
  diagnostics: Diagnostic[];
}

/** Validate a loaded (and possibly overridden) document against the schema and the semantic checks. */
export function validate(source: Source): Validated {
  const diagnostics: Diagnostic[] = [];
  const nonFinite = new Set<string>();
  const onProblem: OnProblem = (path, message, part) => {
    if (!nonFinite.has(JSON.stringify(path))) diagnostics.push(diagnosticAt(source, path, message, part));
  };
  const value = toValue(source);
  // 1. Numbers YAML allows but no key means (reported once, without the schema's echo).
  checkFinite(value, (path, message) => (onProblem(path, message), nonFinite.add(JSON.stringify(path))));
  // 2. Defaults: TypeBox fills them, including inside the union branch a value picked (cosine warmup).
  const experiment = Value.Default(ExperimentSchema, structuredClone(value)) as Experiment;
  // 3. The schema.
  const schemaValid = checkAgainst(ExperimentSchema, experiment, [], onProblem);
  // 4. Grid keys name real keys; grid values are valid for their key (and get its defaults).
  const gridValid = schemaValid && checkGrid(experiment, onProblem, (path) => originOf(source, path) !== undefined);
  if (schemaValid) checkWhereKeys(experiment, onProblem);
  // 5. What the schema cannot say: on the base, and on every combination once the grid is sound.
  if (gridValid) checkCombinations(experiment, onProblem);
  else checkExperiment(experiment, onProblem);
  return { experiment: inSchemaOrder(ExperimentSchema, experiment) as Experiment, diagnostics };
}

function checkGrid(experiment: Experiment, onProblem: OnProblem, fromOverride: (path: KeyPath) => boolean): boolean {
  let valid = true;
  const fail: OnProblem = (...args) => ((valid = false), onProblem(...args));
  for (const [key, values] of Object.entries(experiment.grid)) {
    const path = key.split('.');
    const schema = gridKeySchema(key, path, fail);
    if (schema === undefined) continue;
    if (isDistribution(values)) {
      checkDistribution(experiment.search.method, key, values, schema, fail);
      continue;
    }
    const seen = new Map<string, number>(); // a value's canonical JSON → its first index
    values.forEach((raw, i) => {
      const v = Value.Default(schema, structuredClone(raw));
      if (!checkAgainst(schema, v, ['grid', key, i], fail)) return;
      values[i] = v;
      const first = seen.get(canonicalJson(v));
      if (first === undefined) seen.set(canonicalJson(v), i);
      else fail(['grid', key, i], msg.duplicateGridValue(raw, first)); // one trial id, trained twice into one folder
    });
  }
  checkSearch(experiment.search, fail);
  if (valid) checkSearchSpace(experiment, fail);
  const count = countTrials(experiment);
  if (count > MAX_TRIALS) fail(tooLargeBlame(experiment, fromOverride), msg.gridTooLarge(MAX_TRIALS, count.toLocaleString('en-US')), 'key');
  return valid;
}

/**
 * Where a plan of too many trials is reported: at the grid in the file when the file alone asks for too many, else at
 * the first `--set` (a grid axis, or repeat) that takes the count past the limit.
 */
function tooLargeBlame(experiment: Experiment, fromOverride: (path: KeyPath) => boolean): KeyPath {
  const factors: { path: KeyPath; size: number }[] = [
    ...(experiment.search.method === 'random'
      ? [{ path: ['search', 'trials'], size: experiment.search.trials ?? 0 }]
      : Object.entries(experiment.grid).map(([key, values]) => ({ path: ['grid', key], size: isDistribution(values) ? 1 : values.length }))),
    { path: ['repeat'], size: experiment.repeat },
  ];
  let count = 1;
  for (const f of factors) if (!fromOverride(f.path)) count *= f.size;
  if (count > MAX_TRIALS) return ['grid'];
  for (const f of factors.filter((f) => fromOverride(f.path))) {
    count *= f.size;
    if (count > MAX_TRIALS) return f.path;
  }
  return ['grid'];
}

/** A random search's distribution: only under search.method random, bounds in order and valid for the key, integers for integer keys. */
function checkDistribution(method: Experiment['search']['method'], key: string, values: Distribution, schema: TSchema, onProblem: OnProblem): void {
  const [kind, bounds] = Object.entries(values)[0] as [keyof Distribution, [number, number]];
  const at: KeyPath = ['grid', key, kind];
  if (method !== 'random') return onProblem(['grid', key], msg.distributionInGrid(kind));
  const [min, max] = bounds;
  if (!(min < max)) return onProblem([...at, 1], msg.distributionOrder(min, max));
  const inRange = [checkAgainst(schema, min, [...at, 0], onProblem), checkAgainst(schema, max, [...at, 1], onProblem)];
  if (!inRange.every(Boolean) || kind === 'int_uniform') return;
  // A continuous draw lands between integers: a key that takes only integers wants int_uniform.
  const between = Math.floor(min) + 0.5 > min && Math.floor(min) + 0.5 < max ? Math.floor(min) + 0.5 : (min + max) / 2;
  if (Number.isInteger(between) || !fits(schema, between)) onProblem(['grid', key], msg.distributionNotInteger(kind));
}

/** search: a random search says how many trials it draws; a grid takes neither a number of trials nor a seed of draws. */
function checkSearch(search: Experiment['search'], onProblem: OnProblem): void {
  if (search.method === 'random' && search.trials === undefined) onProblem(['search', 'trials'], msg.randomNeedsTrials());
  if (search.method === 'grid') {
    for (const key of ['trials', 'seed'] as const) if (search[key] !== undefined) onProblem(['search', key], msg.gridTakesNo(key), 'key');
  }
}

/**
 * A random search draws distinct points (a repeated draw is drawn again, see search.ts), so it cannot ask for more
 * trials than its space holds: lists and integer ranges have a size, continuous ranges are taken as unbounded here
 * (a narrow one that runs out is caught when the points are drawn, in checkCombinations).
 */
function checkSearchSpace(experiment: Experiment, onProblem: OnProblem): void {
  const trials = experiment.search.trials;
  if (experiment.search.method !== 'random' || trials === undefined) return;
  const size = spaceSize(experiment.grid);
  if (trials > size) onProblem(['search', 'trials'], msg.searchSpaceTooSmall(size, trials, spaceWords(experiment.grid)));
}

/** How the space is described in a message: its keys, or that there are none. */
function spaceWords(grid: Experiment['grid']): string {
  const keys = Object.keys(grid);
  return keys.length === 0 ? 'a search with no grid keys to draw' : `the values of ${keys.join(', ')}`;
}

function gridKeySchema(key: string, path: string[], onProblem: OnProblem): TSchema | undefined {
  if (NOT_GRID_KEYS.includes(path[0]!)) {
    onProblem(['grid', key], msg.gridKeyNotAllowed(key), 'key');
    return undefined;
  }
  const unknown = firstUnknownSegment(path);
  if (unknown >= 0) {
    onProblem(['grid', key], unknownKeyMessage(path, unknown), 'key');
    return undefined;
  }
  return schemaAt(path);
}

/** `expect[].where` selects trials by dotted keys, and `expect[].best.params` bounds them: a misspelt one would select or bound nothing. */
function checkWhereKeys(experiment: Experiment, onProblem: OnProblem): void {
  const list = experiment.expect === undefined ? [] : Array.isArray(experiment.expect) ? experiment.expect : [experiment.expect];
  const known = [...settableKeys(), 'repeat'];
  list.forEach((expectation, i) => {
    const base: KeyPath = Array.isArray(experiment.expect) ? ['expect', i] : ['expect'];
    const keyed: [KeyPath, Record<string, unknown>][] = [
      [[...base, 'where'], expectation.where ?? {}],
      [[...base, 'best', 'params'], expectation.best?.params ?? {}],
    ];
    for (const [at, map] of keyed) {
      for (const key of Object.keys(map)) if (!known.includes(key)) onProblem([...at, key], msg.unknownWhereKey(suggest(key, known)), 'key');
    }
  });
}

/** Each combination must pass the checks too (e.g. a warm-up from one axis, steps from another). */
function checkCombinations(experiment: Experiment, onProblem: OnProblem): void {
  const keys = Object.keys(experiment.grid);
  const points = sweepPoints(experiment);
  const distinct = new Set(points.map(canonicalJson)).size;
  if (distinct < points.length) onProblem(['search', 'trials'], msg.searchSpaceTooSmall(distinct, points.length, `${spaceWords(experiment.grid)} (drawn to 4 significant digits)`));
  const found = new Map<string, { path: KeyPath; message: string; part?: 'key' | 'value'; points: Record<string, unknown>[] }>();
  for (const point of points) {
    checkExperiment(applyParams(experiment, point), (path, message, part) => {
      const blamed = gridPath(keys, point, experiment.grid, path);
      const key = JSON.stringify([blamed, message, part]);
      const entry = found.get(key) ?? { path: blamed, message, ...(part === undefined ? {} : { part }), points: [] };
      entry.points.push(point);
      found.set(key, entry);
    });
  }
  for (const { path, message, part, points: where } of found.values()) {
    // A problem of the base that only some combinations have: say which.
    const some = where.length < points.length && !(path[0] === 'grid');
    onProblem(path, some ? msg.inCombination(message, where[0]!, where.length) : message, part);
  }
}

/** Where a problem of one trial's key is reported: at the grid value the trial took, when the key varies, else at the key. */
export function blamePath(experiment: Experiment, params: Record<string, unknown>, path: KeyPath): KeyPath {
  return gridPath(Object.keys(experiment.grid), params, experiment.grid, path);
}

/** Blame the grid value a problem comes from, when it comes from one. */
function gridPath(keys: string[], point: Record<string, unknown>, grid: Experiment['grid'], path: KeyPath): KeyPath {
  const dotted = path.join('.');
  for (const key of keys) {
    if (dotted === key || dotted.startsWith(key + '.')) {
      const values = grid[key]!;
      if (isDistribution(values)) return ['grid', key]; // a drawn value: the distribution it came from
      return ['grid', key, values.indexOf(point[key]), ...path.slice(key.split('.').length)];
    }
  }
  return path;
}
