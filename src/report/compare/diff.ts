// The configuration diff of a comparison: each compared trial's resolved configuration (config.json) in dotted keys,
// and the keys whose values are not the same in all of them. A grid point's seeds share their configuration but the
// seed, which becomes the list of their seeds.
import { canonicalJson } from '../../config/canonical-json.js';
import type { TrialConfig } from '../../types.js';

/** A configuration as dotted keys → values (lists are values: eval.splits is one key). */
export function flatten(value: unknown, prefix = '', into: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, into);
  } else if (prefix !== '') {
    into.set(prefix, value);
  }
  return into;
}

/** The configuration of seeds that share everything but their seed: theirs, with `seed` the list of their seeds. */
export function sharedConfig(configs: readonly TrialConfig[]): Map<string, unknown> {
  const flat = flatten(configs[0]);
  if (configs.length > 1) flat.set('seed', configs.map((c) => c.seed));
  return flat;
}

/** One key of the diff: its value in each compared configuration (undefined where it has none). */
export interface DiffRow {
  key: string;
  values: unknown[];
}

/** The keys whose values differ between the configurations (or that some lack), in the order they first appear; and how many are the same. */
export function configDiff(configs: readonly Map<string, unknown>[]): { rows: DiffRow[]; same: DiffRow[] } {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const c of configs) for (const k of c.keys()) if (!seen.has(k)) (seen.add(k), keys.push(k));
  const rows: DiffRow[] = [];
  const same: DiffRow[] = [];
  for (const key of keys) {
    const values = configs.map((c) => c.get(key));
    const texts = new Set(values.map((v) => (v === undefined ? '\u0000absent' : canonicalJson(v))));
    (texts.size > 1 ? rows : same).push({ key, values });
  }
  return { rows, same };
}
