// The keys an experiment can hold, walked from the schema: sub-schemas by dotted path, allowed keys,
// and "did you mean" suggestions by edit distance.
import type { TSchema } from '@sinclair/typebox';
import { ExperimentSchema } from './schema.js';
import * as msg from './messages.js';

type Json = Record<string, unknown>;

/** Top-level keys that describe the study, or how it runs, rather than a trial: they cannot be grid keys. */
export const NOT_GRID_KEYS = ['name', 'description', 'grid', 'search', 'early_stop', 'repeat', 'expect', 'executor'];

/** The named properties of a schema, looking through unions into their object branches. */
function propertiesOf(schema: TSchema): Record<string, TSchema> {
  const out: Record<string, TSchema> = {};
  for (const b of branchesOf(schema)) {
    const props = (b as Json).properties as Record<string, TSchema> | undefined;
    for (const [key, sub] of Object.entries(props ?? {})) out[key] ??= sub;
  }
  return out;
}

/** The branches of a union (nested unions flattened), or the schema itself. */
function branchesOf(schema: TSchema): TSchema[] {
  const anyOf = (schema as Json).anyOf;
  return Array.isArray(anyOf) ? msg.flattenUnion(anyOf as TSchema[]) : [schema];
}

/** The sub-schema at a key path (["train", "lr"]), or undefined if there is no such key. */
export function schemaAt(path: string[], root: TSchema = ExperimentSchema): TSchema | undefined {
  let node: TSchema | undefined = root;
  for (const key of path) {
    node = node === undefined ? undefined : propertiesOf(node)[key];
    if (node === undefined) return undefined;
  }
  return node;
}

/** Where a dotted key stops being a known key: the index of the first unknown segment, or -1. */
export function firstUnknownSegment(path: string[]): number {
  let node: TSchema = ExperimentSchema;
  for (let i = 0; i < path.length; i++) {
    const next = propertiesOf(node)[path[i]!];
    if (next === undefined) return i;
    node = next;
  }
  return -1;
}

/** The keys allowed under a path (["train"] → steps, batch_size, lr). */
function keysAt(path: string[]): string[] {
  const schema = schemaAt(path);
  return schema === undefined ? [] : Object.keys(propertiesOf(schema));
}

/** Every dotted key a grid or --set can name (train.lr, train.lr.start, model.hidden, …). */
export function settableKeys(): string[] {
  const out: string[] = [];
  const walk = (schema: TSchema, prefix: string) => {
    for (const [key, sub] of Object.entries(propertiesOf(schema))) {
      if (prefix === '' && NOT_GRID_KEYS.includes(key)) continue;
      const dotted = prefix === '' ? key : `${prefix}.${key}`;
      out.push(dotted);
      walk(sub, dotted);
    }
  };
  walk(ExperimentSchema, '');
  return out;
}

/** The closest candidate to a misspelt word, if it is close enough to be what was meant. */
export function suggest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= limit && best !== word ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The message for a dotted key whose segment `unknown` names nothing: a suggestion, or what is allowed. */
export function unknownKeyMessage(path: string[], unknown: number): string {
  const prefix = path.slice(0, unknown);
  const allowed = keysAt(prefix);
  if (allowed.length === 0) return msg.noKeysInside(prefix.join('.'));
  const near = suggest(path[unknown]!, allowed);
  const full = (k: string) => [...prefix, k].join('.');
  return msg.unknownKey(allowed.map(full), near === undefined ? undefined : full(near));
}

/** A copy of a value with mapping keys in schema order (unknown keys last): how resolved experiments are stored. */
export function inSchemaOrder(schema: TSchema, value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = branchesOf(schema).map((b) => (b as Json).items as TSchema | undefined).find((i) => i !== undefined);
    return items === undefined ? value : value.map((v) => inSchemaOrder(items, v));
  }
  if (value === null || typeof value !== 'object') return value;
  const props = propertiesOf(schema);
  const record = value as Record<string, unknown>;
  const keys = [...Object.keys(props).filter((k) => k in record), ...Object.keys(record).filter((k) => !(k in props))];
  return Object.fromEntries(keys.map((k) => [k, props[k] === undefined ? record[k] : inSchemaOrder(props[k]!, record[k])]));
}
