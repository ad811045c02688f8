// The output folders, made one level at a time: the folder that cannot be made is named with the true cause, the
// kernel's file systems are refused before anything is made, and a run that wrote nothing removes what it made.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { makeFolder, removeFolders } from '../../src/store/folders.js';
import { tempOut } from '../e2e/helpers.js';

describe('makeFolder', () => {
  it('makes the missing folders and says which, outermost first; an existing folder is made by nobody', async () => {
    const out = await tempOut();
    const dir = path.join(out, 'a', 'b', 'c');
    assert.deepEqual(await makeFolder(dir, out), { kind: 'made', created: [path.join(out, 'a'), path.join(out, 'a', 'b'), dir] });
    assert.deepEqual(await makeFolder(dir, out), { kind: 'made', created: [] });
  });

  it('names the file in the way when a part of the path is a file, and makes nothing', async () => {
    const out = await tempOut();
    await writeFile(path.join(out, 'afile'), '');
    for (const dir of [path.join(out, 'afile', 'exp'), path.join(out, 'afile', 'sub', 'exp')]) {
      const made = await makeFolder(dir, out);
      assert.equal(made.kind, 'refused');
      assert.equal(made.kind === 'refused' && made.message, `cannot create the folder ${dir}: ${path.join(out, 'afile')} is a file, not a folder (ENOTDIR)`);
    }
    assert.deepEqual(await readdir(out), ['afile']);
    const device = await makeFolder('/dev/null/exp', '/dev/null');
    assert.equal(device.kind === 'refused' && device.message, 'cannot create the folder /dev/null/exp: /dev/null is not a folder (a device) (ENOTDIR)');
  });

  for (const [dir, mount, kind] of [['/proc/run-exp-test/exp', '/proc', 'proc'], ['/sys/run-exp-test/exp', '/sys', 'sysfs']] as const) {
    it(`refuses ${mount} (a ${kind} file system) at once, before anything is made`, async () => {
      const t0 = performance.now();
      const made = await makeFolder(dir, path.dirname(dir));
      assert.equal(made.kind, 'refused');
      assert.match(made.kind === 'refused' ? made.message : '', new RegExp(`^--out ${path.dirname(dir)}: expected a folder on a disk, got one under ${mount}, a ${kind} file system`));
      assert.ok(performance.now() - t0 < 1000);
      assert.ok(!existsSync(path.dirname(dir)));
    });
  }
});

describe('removeFolders', () => {
  it('removes the folders it is given, innermost first, but never one that holds something', async () => {
    const out = await tempOut();
    const made = await makeFolder(path.join(out, 'x', 'y', 'z'), out);
    assert.equal(made.kind, 'made');
    await mkdir(path.join(out, 'x', 'kept'));
    await removeFolders(made.kind === 'made' ? made.created : []);
    assert.deepEqual(await readdir(path.join(out, 'x')), ['kept']);
  });
});
