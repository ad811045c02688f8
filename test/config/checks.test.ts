// executor.sbatch_args: the flags run-exp sets itself are refused in every form sbatch reads them; others pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runExpFlag } from '../../src/config/checks.js';

describe('runExpFlag', () => {
  const refused: [string, string, string][] = [
    ['--array=0-3%2', '--array', 'array'],
    ['--array 0-3', '--array', 'array'],
    ['-a 0-3', '-a', 'array'],
    ['-a0-3', '-a', 'array'],
    ['--output=/tmp/x.out', '--output', 'output'],
    ['-o x.out', '-o', 'output'],
    ['--error=x.err', '--error', 'error'],
    ['-e x.err', '-e', 'error'],
    ['--job-name=mine', '--job-name', 'job-name'],
    ['-J mine', '-J', 'job-name'],
    ['--wrap=hostname', '--wrap', 'wrap'],
    ['--chdir=/tmp', '--chdir', 'chdir'],
    ['-D /tmp', '-D', 'chdir'],
    ['--parsable', '--parsable', 'parsable'],
    ['--test-only', '--test-only', 'test-only'],
  ];
  for (const [arg, written, flag] of refused) {
    it(`refuses ${arg}`, () => assert.deepEqual(runExpFlag(arg), { written, flag }));
  }

  for (const arg of ['--qos=short', '--account=ml', '-A ml', '--exclusive', '--arrays', '--export=ALL', '-p cpu', '--open-mode=append']) {
    it(`passes ${arg}`, () => assert.equal(runExpFlag(arg), undefined));
  }
});
