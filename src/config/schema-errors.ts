// ajv against the TypeBox schema, and its errors turned into readable diagnostics:
// one message per problem, unions collapsed into one "expected A or B" (or narrowed to the branch the
// value picked, e.g. `schedule: range`), unknown keys with a "did you mean".
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import type { KeyPath } from './load.js';
import * as msg from './messages.js';
import { suggest } from './keys.js';
import { KAIMING } from './schema.js';

type Json = Record<string, unknown>;

/** Where a problem at a key path goes (at the key itself for unknown keys): the callers collect them, all at once. */
export type OnProblem = (path: KeyPath, message: string, part?: 'key' | 'value') => void;

// allErrors: every problem at once; verbose: errors carry the failing value and schema;
// strict off: TypeBox schemas carry annotations (description, default) ajv need not police.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const compiled = new WeakMap<TSchema, ValidateFunction>();

function validator(schema: TSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (fn === undefined) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** Validate a value against a schema, reporting each problem under `base`; true when valid. */
export function checkAgainst(schema: TSchema, value: unknown, base: KeyPath, onProblem: OnProblem): boolean {
  const fn = validator(schema);
  if (fn(value)) return true;
  problemsOf(fn.errors ?? [], base, onProblem);
  return false;
}

/** True when the value fits the schema (no reporting). */
export function fits(schema: TSchema, value: unknown): boolean {
  return validator(schema)(value);
}

function problemsOf(errors: ErrorObject[], base: KeyPath, onProblem: OnProblem): void {
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const inside = (e: ErrorObject, u: ErrorObject) => e !== u && e.schemaPath.startsWith(u.schemaPath + '/');
  for (const error of errors) {
    if (unions.some((u) => inside(error, u))) continue; // a branch's detail: the union speaks for it
    const path = [...base, ...pointer(error.instancePath)];
    if (error.keyword === 'anyOf') unionProblem(error.parentSchema as TSchema, error.data, path, onProblem);
    else oneProblem(error, path, onProblem);
  }
}

function oneProblem(error: ErrorObject, path: KeyPath, onProblem: OnProblem): void {
  const parent = error.parentSchema as Json;
  const properties = (parent.properties ?? {}) as Record<string, TSchema>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(properties);
      onProblem([...path, key], msg.unknownKey(allowed, suggest(key, allowed)), 'key');
      return;
    }
    case 'required': {
      const key = (error.params as { missingProperty: string }).missingProperty;
      onProblem([...path, key], msg.missingKey(msg.expectedOf(properties[key]!)));
      return;
    }
    default: {
      const param = parent['x-param']; // a factor of model.init: say why kaiming is not one
      if (error.data === KAIMING && typeof param === 'string') return onProblem(path, msg.kaimingNotForParam(param));
      onProblem(path, msg.expectedGot(msg.expectedOf(parent as TSchema), error.data));
    }
  }
}

/** One message for a union, or the errors of the one branch the value chose. */
function unionProblem(union: TSchema, value: unknown, path: KeyPath, onProblem: OnProblem): void {
  const branches = msg.flattenUnion((union as Json).anyOf as TSchema[]);
  const kind = Array.isArray(value) ? 'array' : value !== null && typeof value === 'object' ? 'object' : 'scalar';
  const sameKind = branches.filter((b) => (b as Json).type === kind);
  let chosen: TSchema | undefined = sameKind.length === 1 ? sameKind[0] : undefined;
  const tag = kind === 'object' && sameKind.length > 1 ? msg.discriminator(sameKind) : undefined;
  if (tag !== undefined) {
    const tags = sameKind.map((b) => String(((b as Json).properties as Record<string, Json>)[tag]!.const));
    const given = (value as Json)[tag];
    if (given === undefined) return onProblem(path, msg.missingTag(tag, tags));
    chosen = sameKind.find((b) => ((b as Json).properties as Record<string, Json>)[tag]!.const === given);
    if (chosen === undefined) {
      const expected = msg.orList(tags.map((t) => JSON.stringify(t)));
      return onProblem([...path, tag], msg.withSuggestion(msg.expectedGot(expected, given), typeof given === 'string' ? suggest(given, tags) : undefined));
    }
  }
  if (chosen !== undefined && kind !== 'scalar') {
    checkAgainst(chosen, value, path, onProblem);
    return;
  }
  const literals = branches.map((b) => (b as Json).const).filter((c): c is string => typeof c === 'string');
  const hint = typeof value === 'string' ? suggest(value, literals) : undefined;
  onProblem(path, msg.withSuggestion(msg.expectedGot(msg.expectedOf(union), value), hint));
}

/** JSON pointer → key path ("/train/lr/drops/0" → ["train", "lr", "drops", 0]). */
function pointer(instancePath: string): KeyPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
