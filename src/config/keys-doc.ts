// The README's key reference, generated from the schema: every key with its type, default and meaning.
import type { TSchema } from '@sinclair/typebox';
import { ExperimentSchema } from './schema.js';
import { discriminator, expectedOf, flattenUnion } from './messages.js';

type Json = Record<string, unknown>;

/** The markers around the generated block in README.md. */
export const KEYS_START = /<!-- keys:start[^>]*-->/;
export const KEYS_END = '<!-- keys:end -->';

/** One row of the reference. */
interface Row {
  key: string;
  type: string;
  dflt: string;
  meaning: string;
}

/** The reference as a Markdown table. */
export function keysMarkdown(): string {
  const rows = rowsOf(ExperimentSchema, '', new Set((ExperimentSchema as Json).required as string[]), new Set());
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| Key | Type | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r.key}\` | ${escape(r.type)} | ${escape(r.dflt)} | ${escape(r.meaning)} |`),
  ].join('\n');
}

/** README text with the block between the markers replaced by the reference. */
export function replaceKeysBlock(readme: string): string {
  const start = KEYS_START.exec(readme);
  const end = readme.indexOf(KEYS_END);
  if (start === null || end < start.index) throw new Error('README.md: expected the markers <!-- keys:start … --> and <!-- keys:end -->');
  const head = readme.slice(0, start.index + start[0].length);
  return `${head}\n${keysMarkdown()}\n${readme.slice(end)}`;
}

function rowsOf(schema: TSchema, prefix: string, required: Set<string>, seen: Set<string>): Row[] {
  const rows: Row[] = [];
  const shape = JSON.stringify(schema);
  if (seen.has(shape)) return rows; // a shape used twice (the bounds of expect) is spelt out once
  seen.add(shape);
  for (const [key, sub] of Object.entries(((schema as Json).properties ?? {}) as Record<string, TSchema>)) {
    const dotted = prefix === '' ? key : `${prefix}.${key}`;
    const s = sub as Json;
    rows.push({ key: dotted, type: typeOf(sub), dflt: defaultOf(s, required.has(key)), meaning: String(s.description ?? '') });
    const branches = Array.isArray(s.anyOf) ? flattenUnion(s.anyOf as TSchema[]) : [sub];
    const objects = branches.filter((b) => (b as Json).type === 'object' && (b as Json).properties !== undefined);
    const arrays = branches.filter((b) => (b as Json).type === 'array' && ((b as Json).items as Json | undefined)?.type === 'object');
    const tag = objects.length > 1 ? discriminator(objects) : undefined;
    for (const o of objects) {
      const childRequired = new Set(((o as Json).required ?? []) as string[]);
      if (tag === undefined) rows.push(...rowsOf(o, dotted, childRequired, seen));
      else rows.push(...rowsOf(o, dotted, childRequired, seen).filter((r) => r.key !== `${dotted}.${tag}`).map((r) => ({ ...r, key: `${r.key} (${tag}: ${String(((o as Json).properties as Record<string, Json>)[tag]!.const)})` })));
    }
    if (objects.length === 0) for (const a of arrays) rows.push(...rowsOf((a as Json).items as TSchema, `${dotted}[]`, new Set(), seen));
  }
  return rows;
}

function typeOf(schema: TSchema): string {
  const s = schema as Json;
  const branches = Array.isArray(s.anyOf) ? flattenUnion(s.anyOf as TSchema[]) : [];
  const isMapping = (b: TSchema) => (b as Json).type === 'object';
  if (branches.length === 2 && branches.some(isMapping) && branches.some((b) => isMapping(((b as Json).items ?? {}) as TSchema))) return 'a mapping, or a list of them';
  if (s.type === 'object' && s.properties !== undefined) return `mapping: ${Object.keys(s.properties as object).join(', ')}`;
  if (s.type === 'object') return 'mapping of key → values';
  return expectedOf(schema);
}

function defaultOf(s: Json, required: boolean): string {
  if ('default' in s) {
    const d = s.default;
    if (d !== null && typeof d === 'object' && !Array.isArray(d) && Object.keys(d).length === 0 && s.properties !== undefined) return '(see below)';
    return `\`${JSON.stringify(d)}\``;
  }
  return required ? 'required' : '—';
}
