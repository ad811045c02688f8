// Failures of the disk in words: the operation, the path and the cause, one line; anything that is not the disk's is left alone.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { StoreFault, causeOf, faultOf, guarded } from '../../src/store/fs-errors.js';
import { tempOut } from '../e2e/helpers.js';

describe('StoreFault', () => {
  const cases: [string, string][] = [
    ['EACCES', 'permission denied'],
    ['EROFS', 'read-only file system'],
    ['ENOSPC', 'no space left on device'],
    ['ENOTDIR', 'not a directory'],
    ['EPERM', 'operation not permitted'],
  ];
  for (const [code, words] of cases) {
    it(`says ${code} as "${words}", with the operation and the path`, () => {
      assert.equal(new StoreFault('write', 'out/x/run.lock', code).message, `cannot write out/x/run.lock: ${words} (${code})`);
    });
  }

  it('names a code it has no words for by the code', () => {
    assert.equal(causeOf('EWHATEVER'), 'system error EWHATEVER');
  });

  it('counts a full disk and a full quota as full, and nothing else', () => {
    assert.deepEqual(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES'].map((c) => new StoreFault('append to', 'm', c).full), [true, true, false, false]);
  });
});

describe('faultOf and guarded', () => {
  it('turn an errno error of the file system into a StoreFault of the operation and path', async () => {
    const missing = path.join(await tempOut(), 'no', 'such.json');
    const error = await guarded('write', missing, () => readFile(missing)).catch((e: unknown) => e);
    assert.ok(error instanceof StoreFault);
    assert.equal(error.message, `cannot write ${missing}: no such file or directory (ENOENT)`);
  });

  it('leave an error that is not the disk\'s as it is (a bug keeps its stack)', () => {
    const bug = new TypeError('x is undefined');
    assert.equal(faultOf(bug, 'write', 'f'), bug);
    const abort = Object.assign(new Error('aborted'), { code: 'ABORT_ERR' });
    assert.equal(faultOf(abort, 'write', 'f'), abort);
  });
});
