// Experiment files on disk: written whole (an abort leaves the old file; temp files: temp-files.test.ts; a trial's own
// files: trial-files.test.ts).
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomic } from '../../src/store/files.js';
import { tempOut } from '../e2e/helpers.js';

describe('writeFileAtomic', () => {
  it('replaces a file with the whole new content and leaves no temp file', async () => {
    const dir = await tempOut();
    const file = path.join(dir, 'a.json');
    await writeFile(file, 'old');
    await writeFileAtomic(file, 'x'.repeat(1_000_000));
    assert.equal((await readFile(file, 'utf8')).length, 1_000_000);
    assert.deepEqual(await readdir(dir), ['a.json']);
  });

  it('removes its temp file when the rename fails, and rethrows', async () => {
    const dir = await tempOut();
    await mkdir(path.join(dir, 'taken', 'inside'), { recursive: true }); // renaming a file over a non-empty directory fails
    await assert.rejects(writeFileAtomic(path.join(dir, 'taken'), 'data'), /EISDIR|ENOTEMPTY|EEXIST/);
    assert.deepEqual(await readdir(dir), ['taken']);
  });
});

describe('writeFileAtomic with an abort signal', () => {
  it('leaves the old file and no temp file when aborted during the write', async () => {
    const dir = await tempOut();
    const file = path.join(dir, 'report.html');
    await writeFile(file, 'old report');
    const stop = new AbortController();
    const writing = writeFileAtomic(file, 'x'.repeat(128 << 20), stop.signal); // 128 MB: written in 256 chunks of 512 KiB
    for (let temp: string[] = []; temp.length === 0; await new Promise((r) => setImmediate(r))) temp = (await readdir(dir)).filter((f) => f.endsWith('.tmp'));
    stop.abort('SIGTERM'); // the temp file exists: the abort lands in the middle of the write
    await assert.rejects(writing);
    assert.deepEqual(await readdir(dir), ['report.html']);
    assert.equal(await readFile(file, 'utf8'), 'old report');
  });
});
