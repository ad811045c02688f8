// Stage 2, validate: the loaded document → an Experiment with every default filled in, or every
// problem at once. (1) finite numbers, (2) defaults, (3) the schema (ajv), (4) grid keys and values,
// (5) the checks the schema cannot express, for the base and for every grid combination.
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { ExperimentSchema, type Experiment } from './schema.js';
import { diagnosticAt, originOf, toValue, type KeyPath, type Source } from './load.js';
import type { Diagnostic } from './diagnostics.js';
import { checkAgainst, type Report } from './schema-errors.js';
import { checkExperiment, checkFinite } from './checks.js';
import { NOT_GRID_KEYS, firstUnknownSegment, inSchemaOrder, schemaAt, settableKeys, suggest, unknownKeyMessage } from './keys.js';
import { MAX_TRIALS, applyParams, countTrials, gridPoints } from './expand.js';
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
  const report: Report = (path, message, part) => {
    if (!nonFinite.has(JSON.stringify(path))) diagnostics.push(diagnosticAt(source, path, message, part));
  };
  const value = toValue(source);
  // 1. Numbers YAML allows but no key means (reported once, without the schema's echo).
  checkFinite(value, (path, message) => (report(path, message), nonFinite.add(JSON.stringify(path))));
  // 2. Defaults: TypeBox fills them, including inside the union branch a value picked (cosine warmup).
  const experiment = Value.Default(ExperimentSchema, structuredClone(value)) as Experiment;
  // 3. The schema.
  const schemaValid = checkAgainst(ExperimentSchema, experiment, [], report);
  // 4. Grid keys name real keys; grid values are valid for their key (and get its defaults).
  const gridValid = schemaValid && checkGrid(experiment, report, (path) => originOf(source, path) !== undefined);
  if (schemaValid) checkWhereKeys(experiment, report);
  // 5. What the schema cannot say: on the base, and on every combination once the grid is sound.
  if (gridValid) checkCombinations(experiment, report);
  else checkExperiment(experiment, report);
  return { experiment: inSchemaOrder(ExperimentSchema, experiment) as Experiment, diagnostics };
}

function checkGrid(experiment: Experiment, report: Report, fromOverride: (path: KeyPath) => boolean): boolean {
  let valid = true;
  const fail: Report = (...args) => ((valid = false), report(...args));
  for (const [key, values] of Object.entries(experiment.grid)) {
    const path = key.split('.');
    const schema = gridKeySchema(key, path, fail);
    if (schema === undefined) continue;
    values.forEach((raw, i) => {
      const v = Value.Default(schema, structuredClone(raw));
      if (checkAgainst(schema, v, ['grid', key, i], fail)) values[i] = v;
    });
  }
  const count = countTrials(experiment.grid, experiment.repeat);
  if (count > MAX_TRIALS) fail(tooLargeBlame(experiment, fromOverride), msg.gridTooLarge(MAX_TRIALS, count.toLocaleString('en-US')), 'key');
  return valid;
}

/**
 * Where a plan of too many trials is reported: at the grid in the file when the file alone asks for too many, else at
 * the first `--set` (a grid axis, or repeat) that takes the count past the limit.
 */
function tooLargeBlame(experiment: Experiment, fromOverride: (path: KeyPath) => boolean): KeyPath {
  const factors: { path: KeyPath; size: number }[] = [
    ...Object.entries(experiment.grid).map(([key, values]) => ({ path: ['grid', key], size: values.length })),
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

function gridKeySchema(key: string, path: string[], report: Report): TSchema | undefined {
  if (NOT_GRID_KEYS.includes(path[0]!)) {
    report(['grid', key], msg.gridKeyNotAllowed(key), 'key');
    return undefined;
  }
  const unknown = firstUnknownSegment(path);
  if (unknown >= 0) {
    report(['grid', key], unknownKeyMessage(path, unknown), 'key');
    return undefined;
  }
  return schemaAt(path);
}

/** `expect[].where` selects trials by dotted keys: a misspelt one would select nothing. */
function checkWhereKeys(experiment: Experiment, report: Report): void {
  const list = experiment.expect === undefined ? [] : Array.isArray(experiment.expect) ? experiment.expect : [experiment.expect];
  const known = [...settableKeys(), 'repeat'];
  list.forEach((expectation, i) => {
    const at: KeyPath = Array.isArray(experiment.expect) ? ['expect', i, 'where'] : ['expect', 'where'];
    for (const key of Object.keys(expectation.where ?? {})) {
      if (!known.includes(key)) report([...at, key], msg.unknownWhereKey(suggest(key, known)), 'key');
    }
  });
}

/** Each combination must pass the checks too (e.g. a warm-up from one axis, steps from another). */
function checkCombinations(experiment: Experiment, report: Report): void {
  const keys = Object.keys(experiment.grid);
  const points = gridPoints(experiment.grid);
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
    report(path, some ? msg.inCombination(message, where[0]!, where.length) : message, part);
  }
}

/** Blame the grid value a problem comes from, when it comes from one. */
function gridPath(keys: string[], point: Record<string, unknown>, grid: Record<string, unknown[]>, path: KeyPath): KeyPath {
  const dotted = path.join('.');
  for (const key of keys) {
    if (dotted === key || dotted.startsWith(key + '.')) {
      const index = grid[key]!.indexOf(point[key]);
      return ['grid', key, index, ...path.slice(key.split('.').length)];
    }
  }
  return path;
}
