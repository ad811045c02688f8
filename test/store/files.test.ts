// Experiment files on disk: written whole (an abort leaves the old file; temp files: temp-files.test.ts; a trial's own
// files: trial-files.test.ts).
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { planFile, readPlanFile, writeFileAtomic } from '../../src/store/files.js';
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

describe('readPlanFile', () => {
  it('reads the plan\'s trial ids with their values and steps; none without plan.json; a damaged one in one line', async () => {
    const out = await tempOut();
    await mkdir(path.join(out, 'exp'));
    const file = planFile(out, 'exp');
    assert.deepEqual(await readPlanFile(out, 'exp'), { kind: 'none' });
    await writeFile(file, JSON.stringify({ trials: ['a', 'b'], params: [{ 'train.lr': 0.1 }, { 'train.lr': 0.2 }], steps: [100, 200] }));
    assert.deepEqual(await readPlanFile(out, 'exp'), { kind: 'plan', plan: { trials: ['a', 'b'], params: [{ 'train.lr': 0.1 }, { 'train.lr': 0.2 }], steps: [100, 200] } });
    await writeFile(file, JSON.stringify({ trials: ['a'], params: 'x', steps: [1, 2] })); // written before #22, or garbled: config.json has them
    assert.deepEqual(await readPlanFile(out, 'exp'), { kind: 'plan', plan: { trials: ['a'] } });
    const damaged: [string, string][] = [
      ['{"trials": ["a"', `${file}:1:1: expected JSON, found "{\\"trials\\": [\\"a\\"" (`],
      ['{"trials": [1, 2]}', `${file}: expected {"trials": [ID, …]}, found {"trials":[1,2]}`],
      ['null', `${file}: expected {"trials": [ID, …]}, found null`],
    ];
    for (const [text, problem] of damaged) {
      await writeFile(file, text);
      const read = await readPlanFile(out, 'exp');
      assert.equal(read.kind, 'damaged', text);
      assert.ok(read.kind === 'damaged' && read.problem.startsWith(problem), read.kind === 'damaged' ? read.problem : '');
    }
  });
});
