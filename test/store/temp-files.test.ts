// Temp files of whole-file writes: named after the writing process, removed when it exits however it exits, and
// swept once a process that could not remove its own is gone; a live process's are never touched.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { pidAlive, removeTempFiles, settleTemp, tempFor, tempOwner } from '../../src/store/temp-files.js';
import { ROOT } from '../paths.js';
import { tempOut } from '../e2e/helpers.js';

describe('tempFor and tempOwner', () => {
  it('names a hidden temp file next to the file, after this process, and reads the pid back', () => {
    const temp = tempFor('/results/exp/summary.json');
    settleTemp(temp);
    assert.match(temp, new RegExp(`^/results/exp/\\.summary\\.json\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`));
    assert.equal(tempOwner(path.basename(temp)), process.pid);
    for (const name of ['summary.json', 'notes.tmp', '.summary.json.tmp', '.x.12.zz.tmp']) assert.equal(tempOwner(name), undefined, name);
  });

  it('removes the temp files a process has not settled when it exits, even by process.exit', async () => {
    const dir = await tempOut();
    const module = path.join(ROOT, 'dist', 'src', 'store', 'temp-files.js');
    const script = `import { tempFor, settleTemp } from ${JSON.stringify(module)}; import { writeFileSync } from 'node:fs';
      const open = tempFor(${JSON.stringify(path.join(dir, 'a.json'))}); writeFileSync(open, 'half');
      const done = tempFor(${JSON.stringify(path.join(dir, 'b.json'))}); writeFileSync(done, 'renamed'); settleTemp(done);
      console.log(JSON.stringify([open, done])); process.exit(3);`;
    const child = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false });
    assert.equal(child.exitCode, 3, child.stderr);
    const [open, done] = JSON.parse(child.stdout) as [string, string];
    assert.ok(!existsSync(open), 'the unsettled temp file is gone');
    assert.ok(existsSync(done), 'a settled one (renamed into place, in real use) is not the exit handler\'s');
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

describe('pidAlive', () => {
  it('is true for this process and false for one that has exited', async () => {
    assert.equal(pidAlive(process.pid), true);
    assert.equal(pidAlive(await exitedPid()), false);
  });
});

/** The pid of a process that has exited (and been reaped): no process has it, barring reuse within milliseconds. */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}
