// Every example in experiments/ is a valid experiment that expands into trials (whatever examples exist).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../paths.js';
import { planExperiment } from '../../src/config/plan.js';
import { ConfigError } from '../../src/config/diagnostics.js';

const DIR = path.join(ROOT, 'experiments');
const examples = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('the examples in experiments/', () => {
  it('exist', () => {
    assert.ok(examples.length > 0, 'no experiments/*.yaml');
  });

  for (const name of examples) {
    it(`${name} validates and expands into trials`, async () => {
      const file = path.join(DIR, name);
      const planned = await planExperiment(file).catch((e: unknown) => assert.fail(e instanceof ConfigError ? e.message : String(e)));
      assert.ok(planned.plan.trials.length > 0);
    });

    it(`${name} points editors at the schema on its first line`, () => {
      const first = readFileSync(path.join(DIR, name), 'utf8').split('\n')[0];
      assert.equal(first, '# yaml-language-server: $schema=../schema/experiment.schema.json');
    });
  }
});
