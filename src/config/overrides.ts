// Overrides from the command line: `--set KEY=VALUE` replaces a key by its dotted path;
// `--set KEY=A,B` makes the key a grid axis. Values are YAML (scalars or flow collections), typed by the
// schema of their key; an error in an overridden value is located at its `--set`.
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { isMap, parseDocument } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import type { Source } from './load.js';
import { NOT_GRID_KEYS, firstUnknownSegment, schemaAt, unknownKeyMessage } from './keys.js';
import { fits } from './schema-errors.js';
import * as msg from './messages.js';

/** One parsed `--set`: the key path and either one value or the values of a new grid axis. */
export interface Override {
  text: string; // `--set KEY=VALUE`, as the location of its errors
  key: string;
  path: string[];
  value?: unknown;
  axis?: unknown[];
}

/** Parse one `KEY=VALUE`; a Diagnostic when it cannot be parsed. */
export function parseOverride(arg: string): Override | Diagnostic {
  const text = `--set ${arg}`;
  const fail = (path: string, message: string): Diagnostic => ({ file: text, line: 0, col: 0, path, message });
  const match = /^([^=]+)=(.*)$/s.exec(arg);
  if (match === null) return fail('', msg.overrideSyntax());
  const key = match[1]!.trim();
  const raw = match[2]!;
  const path = key.split('.');
  if (path[0] === 'grid' || path[0] === 'expect') return fail(key, msg.overrideRoot(path[0]));
  const unknown = firstUnknownSegment(path);
  if (unknown >= 0) {
    return fail(key, unknownKeyMessage(path, unknown));
  }
  const schema = schemaAt(path)!;
  // A comma outside a flow collection starts a grid axis; keys that cannot vary keep their commas. A flow list for a
  // key that takes no list is an axis too: the way to give values with commas of their own (model.init=[{}, {W2: 0.01}]).
  const canVary = !NOT_GRID_KEYS.includes(path[0]!);
  const isAxis = canVary && !/^\s*[[{]/.test(raw) && raw.includes(',');
  try {
    if (isAxis) return { text, key, path, axis: raw.split(',').map((part) => typed(part.trim(), schema)) };
    const value = typed(raw, schema);
    if (canVary && /^\s*\[/.test(raw) && Array.isArray(value) && !takesList(schema)) return { text, key, path, axis: value };
    return { text, key, path, value };
  } catch (error) {
    return fail(key, msg.overrideValue((error as Error).message));
  }
}

/** Whether a key's schema takes a list (eval.splits), in any branch of a union. */
function takesList(schema: TSchema): boolean {
  const s = schema as { type?: unknown; anyOf?: TSchema[] };
  return s.type === 'array' || (s.anyOf ?? []).some(takesList);
}

/** The value as YAML, unless only its plain text fits the key (`--set description=1e-3`). */
function typed(raw: string, schema: TSchema): unknown {
  const doc = parseDocument(raw);
  if (doc.errors.length > 0) {
    if (fits(schema, raw)) return raw;
    throw new Error(doc.errors[0]!.message.split(/ at line \d+/)[0]);
  }
  const value = doc.toJS({ maxAliasCount: 0 }) as unknown;
  if (fits(schema, Value.Default(schema, structuredClone(value)))) return value;
  return typeof value !== 'string' && fits(schema, raw) ? raw : value;
}

/** Apply overrides to the loaded document, in order; returns the problems (the document keeps the rest). */
export function applyOverrides(source: Source, args: string[]): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const arg of args) {
    const o = parseOverride(arg);
    if (!('text' in o)) {
      problems.push(o);
      continue;
    }
    const set = (path: unknown[], value: unknown) => {
      if (!setIn(source, path, value)) problems.push({ file: o.text, line: 0, col: 0, path: o.key, message: msg.overrideNotMapping(o.path.slice(0, -1).join('.')) });
      source.origins.set(JSON.stringify(path), o.text);
    };
    if (o.axis !== undefined) {
      set(['grid', o.key], o.axis);
    } else {
      set(o.path, o.value);
      if (isMap(source.doc.get('grid')) && source.doc.hasIn(['grid', o.key])) source.doc.deleteIn(['grid', o.key]); // a fixed value ends its axis
    }
  }
  return problems;
}

function setIn(source: Source, path: unknown[], value: unknown): boolean {
  try {
    source.doc.setIn(path, source.doc.createNode(value));
    return true;
  } catch {
    return false;
  }
}
