// Experiment files on disk: written whole, temp files swept (a trial's own files: trial-files.test.ts).
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomic } from '../../src/run/files.js';
import { removeTempFiles } from '../../src/run/temp-files.js';
import { tempOut } from './helpers.js';

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

describe('removeTempFiles', () => {
  it('removes temp files in the experiment and trial directories, and nothing else', async () => {
    const dir = await tempOut();
    await mkdir(path.join(dir, 'trials', 'abc'), { recursive: true });
    const temps = [path.join(dir, '.run.json.123.0a1b2c3d.tmp'), path.join(dir, 'trials', 'abc', '.summary.json.77.deadbeef.tmp')];
    const kept = [path.join(dir, 'experiment.yaml'), path.join(dir, 'trials', 'abc', 'summary.json'), path.join(dir, 'trials', 'abc', 'notes.tmp')];
    await Promise.all([...temps, ...kept].map((f) => writeFile(f, '')));
    assert.deepEqual((await removeTempFiles(dir)).sort(), temps.sort());
    for (const f of kept) await stat(f);
  });
});
