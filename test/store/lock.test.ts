// DIR/NAME/run.lock: taken atomically, refused while its holder lives, taken over when it is gone, released on every exit.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { execaNode } from 'execa';
import { acquireLock, describeHolder, readLock, refusedMessage, type LockRecord, type LockResult } from '../../src/store/lock.js';
import { tempOut } from '../e2e/helpers.js';

const TAKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/workers/lock-taker.js');
const exists = (p: string) => access(p).then(() => true, () => false);

/** A lock record as another process would have written it. */
function record(overrides: Partial<LockRecord>): LockRecord {
  return { pid: 1, host: os.hostname(), started_at: '2026-12-01T08:00:00.000Z', argv: ['experiments/lr-sweep.yaml', '--jobs', '2'], cwd: '/home/ada/study', token: 'f00dfeedf00dfeed', ...overrides };
}

/** The pid of a process that has exited. */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

function acquired(result: LockResult) {
  assert.equal(result.kind, 'acquired', JSON.stringify(result));
  return result as Extract<LockResult, { kind: 'acquired' }>;
}

function refused(result: LockResult) {
  assert.equal(result.kind, 'refused', JSON.stringify(result));
  return result as Extract<LockResult, { kind: 'refused' }>;
}

describe('acquireLock', () => {
  it('writes who holds it (pid, host, since when, command line), refuses a second taker while held, and is gone once released', async () => {
    const file = path.join(await tempOut(), 'run.lock');
    const first = acquired(await acquireLock(file, { argv: ['a.yaml'] }));
    const stored = await readLock(file);
    assert.deepEqual(
      [stored?.record?.pid, stored?.record?.host, stored?.record?.argv, stored?.record?.cwd],
      [process.pid, os.hostname(), ['a.yaml'], process.cwd()],
    );
    assert.ok(Math.abs(Date.parse(stored!.record!.started_at) - Date.now()) < 5000);
    const second = refused(await acquireLock(file, { argv: ['b.yaml'] }));
    assert.equal(second.holder.state, 'alive');
    assert.deepEqual(await readLock(file), stored, 'a refusal writes nothing');
    assert.deepEqual(await readdir(path.dirname(file)), ['run.lock'], 'and leaves no temp file');
    await first.lock.release();
    assert.equal(await exists(file), false);
    acquired(await acquireLock(file, { argv: ['b.yaml'] })).lock.release();
  });

  const gone: { title: string; make: () => Promise<Partial<LockRecord>>; why: RegExp }[] = [
    { title: 'its pid has exited', make: async () => ({ pid: await exitedPid() }), why: /^pid \d+ is not running$/ },
    { title: 'its pid now belongs to another process', make: async () => ({ pid: process.ppid, proc_start: '1' }), why: /^pid \d+ is now another process$/ },
    { title: 'it was taken before this machine last started', make: async () => ({ pid: process.ppid, boot_id: '00000000-0000-0000-0000-000000000000' }), why: /^it was taken before this machine last started$/ },
  ];
  for (const g of gone) {
    it(`takes over a lock on this host when ${g.title}, and says why`, async () => {
      if (g.title.includes('started') && !(await exists('/proc/sys/kernel/random/boot_id'))) return; // Linux only
      const file = path.join(await tempOut(), 'run.lock');
      const old = record(await g.make());
      await writeFile(file, JSON.stringify(old));
      const result = acquired(await acquireLock(file, { argv: ['a.yaml'] }));
      assert.deepEqual(result.tookOver?.record, old);
      assert.match(result.tookOver!.why, g.why);
      assert.equal((await readLock(file))?.record?.pid, process.pid);
      await result.lock.release();
    });
  }

  it('refuses a lock from another host, whose pid it cannot check, and says how to remove it', async () => {
    const dir = await tempOut();
    const file = path.join(dir, 'run.lock');
    await writeFile(file, JSON.stringify(record({ host: 'gpu-node-7', pid: await exitedPid() })));
    const result = refused(await acquireLock(file, { argv: ['a.yaml'] }));
    assert.equal(result.holder.state, 'unknown');
    const message = refusedMessage(dir, result);
    assert.match(message, /^.* is locked by a run that this machine cannot check: pid \d+ on host gpu-node-7, since 2026-12-01 08:00:00 UTC \([\d.]+ (h|days) ago\): run-exp experiments\/lr-sweep\.yaml --jobs 2 \(in \/home\/ada\/study\); it was taken on host gpu-node-7/);
    assert.ok(message.includes(`If that run is over (it was killed, or its machine went down), remove ${file} and run again. Nothing was run or written.`), message);
  });

  it('refuses a lock it cannot read, and says how to remove it', async () => {
    const dir = await tempOut();
    const file = path.join(dir, 'run.lock');
    await writeFile(file, 'locked by hand\n');
    const result = refused(await acquireLock(file, { argv: ['a.yaml'] }));
    assert.equal(refusedMessage(dir, result), `${dir} is locked by ${file}, which cannot be read: it is not JSON (it begins "locked by hand\\n"). If no run is using ${dir}, remove ${file} and run again. Nothing was run or written.`);
    assert.equal(await readFile(file, 'utf8'), 'locked by hand\n');
  });

  it("asks the owner's judge first: a lock held for a queued job stays held after its pid has gone", async () => {
    const file = path.join(await tempOut(), 'run.lock');
    await writeFile(file, JSON.stringify(record({ pid: await exitedPid(), owner: { kind: 'slurm', id: '4242' } })));
    const judgeOwner = async (owner: { kind: string; id: string }) => (owner.id === '4242' ? { state: 'alive' as const, why: 'job 4242 is PENDING' } : undefined);
    const result = refused(await acquireLock(file, { argv: ['a.yaml'], judgeOwner }));
    assert.deepEqual(result.holder, { state: 'alive', why: 'job 4242 is PENDING' });
    assert.match(describeHolder(result.record!), /^pid \d+ on host .*, for slurm 4242, since /);
    acquired(await acquireLock(file, { argv: ['a.yaml'] })).lock.release(); // without a judge: by pid, gone
  });

  it('records an owner for a holder that outlives the process, and release leaves a lock that is no longer its own', async () => {
    const file = path.join(await tempOut(), 'run.lock');
    const held = acquired(await acquireLock(file, { argv: ['a.yaml'] })).lock;
    await held.setOwner({ kind: 'slurm', id: '77', array: '0-9' });
    assert.deepEqual((await readLock(file))?.record?.owner, { kind: 'slurm', id: '77', array: '0-9' });
    const other = record({ pid: process.ppid, token: 'someoneelse00000' });
    await writeFile(file, JSON.stringify(other)); // removed by hand and taken by another run meanwhile
    await held.release();
    assert.deepEqual((await readLock(file))?.record, other);
  });

  it('lets exactly one of several processes take over the same gone lock', async () => {
    for (let round = 0; round < 3; round++) {
      const file = path.join(await tempOut(), 'run.lock');
      await writeFile(file, JSON.stringify(record({ pid: await exitedPid() })));
      const takers = Array.from({ length: 4 }, () => execaNode(TAKER, [file, '1500', 'return'], { reject: false }));
      const results = await Promise.all(takers);
      const kinds = results.map((r) => (JSON.parse(r.stdout.split('\n')[0]!) as { kind: string }).kind).sort();
      assert.deepEqual(kinds, ['acquired', 'refused', 'refused', 'refused'], results.map((r) => r.stdout + r.stderr).join('\n'));
      assert.equal(await exists(file), false, 'the winner released it');
    }
  });

  const ends = [
    { end: 'return', code: 0 },
    { end: 'throw', code: 1 },
    { end: 'exit', code: 3 },
  ];
  for (const { end, code } of ends) {
    it(`is released when its process ends by ${end === 'return' ? 'returning' : end === 'throw' ? 'an uncaught exception' : 'process.exit'}`, async () => {
      const file = path.join(await tempOut(), 'run.lock');
      const r = await execaNode(TAKER, [file, '0', end], { reject: false });
      assert.equal(r.exitCode, code, r.stderr);
      assert.match(r.stdout, /"kind":"acquired"/);
      assert.equal(await exists(file), false);
    });
  }

  it('stays after SIGKILL, and the next taker takes it over', async () => {
    const file = path.join(await tempOut(), 'run.lock');
    const taker = execaNode(TAKER, [file, '0', 'hang'], { reject: false });
    await new Promise<void>((resolve) => taker.stdout!.once('data', () => resolve()));
    taker.kill('SIGKILL');
    await taker;
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, taker.pid);
    const result = acquired(await acquireLock(file, { argv: ['a.yaml'] }));
    assert.match(result.tookOver!.why, new RegExp(`^pid ${taker.pid} is not running$`));
    await result.lock.release();
  });
});
