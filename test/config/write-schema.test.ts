// The generated files stay in step with schema.ts: schema/experiment.schema.json and the README's key reference.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { ROOT } from '../paths.js';
import { editorSchema, schemaFileText } from '../../src/config/write-schema.js';
import { keysMarkdown, replaceKeysBlock } from '../../src/config/keys-doc.js';
import { settableKeys } from '../../src/config/keys.js';

describe('generated files', () => {
  it('schema/experiment.schema.json is what `npm run schema` writes now', () => {
    const committed = readFileSync(path.join(ROOT, 'schema', 'experiment.schema.json'), 'utf8');
    assert.equal(committed, schemaFileText(), 'stale: run `npm run schema` and commit the result');
  });

  it("README.md's key reference is what `npm run schema` writes now", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.equal(readme, replaceKeysBlock(readme), 'stale: run `npm run schema` and commit the result');
  });

  it('the key reference lists every key a grid or --set can name', () => {
    const table = keysMarkdown();
    for (const key of settableKeys()) {
      const base = key.replace(/\.(start|end|warmup|min|max|drops|schedule)$/, '');
      assert.ok(table.includes(`\`${key}`) || table.includes(`\`${base}`), `${key} is missing from the reference`);
    }
  });

  it('the editor schema accepts a minimal file (keys with defaults are not required there)', () => {
    const validate = new Ajv({ strict: false }).compile(editorSchema() as object);
    assert.equal(validate(parse('name: minimal')), true, JSON.stringify(validate.errors));
    assert.equal(validate(parse('name: x\ntrain: {lr: {schedule: cosine, start: 0.1, end: 0}}')), true, JSON.stringify(validate.errors));
    assert.equal(validate(parse('name: x\nmodle: {}')), false);
  });
});
