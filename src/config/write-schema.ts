// `npm run schema`: writes schema/experiment.schema.json and the README's key reference, both from schema.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ExperimentSchema } from './schema.js';
import { replaceKeysBlock } from './keys-doc.js';

/** The repository root (this file runs from dist/src/config/). */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The JSON Schema file that YAML editors read (see the yaml-language-server comment). */
export const SCHEMA_FILE = path.join(ROOT, 'schema', 'experiment.schema.json');
/** The README whose key reference is generated. */
export const README_FILE = path.join(ROOT, 'README.md');

/**
 * The JSON Schema for editors (yaml-language-server). Keys that have a default are not required there:
 * a file may leave them out. (Validation fills the defaults first, then checks against schema.ts itself.)
 */
export function editorSchema(): unknown {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = strip(v);
    const props = out.properties as Record<string, Record<string, unknown>> | undefined;
    if (Array.isArray(out.required) && props !== undefined) {
      const required = (out.required as string[]).filter((k) => props[k]?.default === undefined);
      if (required.length > 0) out.required = required;
      else delete out.required;
    }
    return out;
  };
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(strip(ExperimentSchema) as object) };
}

/** The schema file's text, exactly as committed. */
export function schemaFileText(): string {
  return JSON.stringify(editorSchema(), null, 2) + '\n';
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, schemaFileText());
  writeFileSync(README_FILE, replaceKeysBlock(readFileSync(README_FILE, 'utf8')));
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)} and the key reference in ${path.relative(process.cwd(), README_FILE)}`);
}
