// Experiment files on disk: written whole (an abort leaves the old file), temp files of gone processes swept (a
// trial's own files: trial-files.test.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomic } from '../../src/store/files.js';
import { removeTempFiles, settleTemp, tempFor } from '../../src/store/temp-files.js';
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

describe('removeTempFiles', () => {
  it('removes the temp files of gone processes in the experiment, its trials and the report, and never a live process\'s', async () => {
    const out = await tempOut();
    const dir = path.join(out, 'exp');
    await mkdir(path.join(dir, 'trials', 'abc'), { recursive: true });
    const gone = await exitedPid();
    const alive = spawn('sleep', ['30']); // another live process: its temp files are being written
    try {
      const mine = tempFor(path.join(dir, 'trials', 'abc', 'weights.json')); // a write of this process, in flight
      const temps = [
        path.join(dir, `.run.json.${gone}.0a1b2c3d.tmp`),
        path.join(dir, 'trials', 'abc', `.summary.json.${gone}.deadbeef.tmp`),
        path.join(out, `.exp.html.${gone}.0123abcd.tmp`), // the report's, next to DIR/NAME.html
        path.join(dir, `.experiment.yaml.${process.pid}.00ff00ff.tmp`), // this pid's, but no write of this process: an earlier process's
      ];
      const kept = [
        path.join(dir, 'experiment.yaml'),
        path.join(dir, 'trials', 'abc', 'summary.json'),
        path.join(dir, 'trials', 'abc', 'notes.tmp'),
        path.join(dir, 'trials', 'abc', `.metrics.jsonl.${alive.pid}.12345678.tmp`),
        path.join(out, `.exp.html.${alive.pid}.abcdef01.tmp`),
        path.join(out, `.other.html.${gone}.abcdef01.tmp`), // another experiment's report: not this sweep's business
        mine,
      ];
      await Promise.all([...temps, ...kept].map((f) => writeFile(f, '')));
      assert.deepEqual((await removeTempFiles(dir)).sort(), temps.sort());
      for (const f of kept) await stat(f);
      settleTemp(mine);
    } finally {
      alive.kill();
    }
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

/** The pid of a process that has exited (and been reaped): no process has it, barring reuse within milliseconds. */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}
