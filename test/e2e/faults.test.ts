// Every fault of the disk and every impossible size is one clear message, through the real command line: an output
// folder that cannot be made or written (a non-root user under a read-only folder, /proc and /sys, a file in the way,
// a read-only bind mount, a full disk), a disk that fills during a run (stopped at the first failed write, whole lines
// kept), a trial too large for memory, data that cannot train; and, while a local run goes on, `status` shows every
// trial of its plan; a worker ends within a second of its parent's death, whatever it computes.
//
// The cases that need root (setpriv to another user, mount) are skipped elsewhere, saying so; CI runs them as root.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execa, execaNode } from 'execa';
import { checkTrial } from '../../src/store/check-trial.js';
import { ROOT } from '../paths.js';
import { writeFixtureResults } from '../report/fixture-results.js';
import { tempOut } from './helpers.js';

const CLI = path.join(ROOT, 'bin', 'run-exp.js');
const ROOT_ONLY = process.getuid?.() === 0 ? false : 'needs root (setpriv to another user, mount, umount); CI runs it as root';

/** A small experiment of real training: 50 words, a tiny net, a few hundred steps. */
const SMALL = 'data: {slice: {first: 50}}\nmodel: {embed_dim: 2, hidden: 16}\neval: {every: 100}\nsample: 3\n';

/** Run the command line in `cwd` (as `user` when given, through setpriv); never rejects. */
function runExp(cwd: string, args: string[], user?: 'nobody') {
  const setpriv = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CLI];
  return user === undefined
    ? execaNode(CLI, args, { cwd, reject: false, nodeOptions: [], env: { NO_COLOR: '1' } })
    : execa('setpriv', [...setpriv, ...args], { cwd, reject: false, env: { NO_COLOR: '1' } });
}

/** An experiment file NAME.yaml in a fresh folder that every user can read; returns the folder. */
async function workspace(name: string, yaml = SMALL): Promise<string> {
  const dir = await tempOut();
  await chmod(dir, 0o755);
  await writeFile(path.join(dir, `${name}.yaml`), `name: ${name}\n${yaml}`);
  return dir;
}

/** What a refusal must look like: exit 2, one line and the "nothing" line, no stack trace. */
function assertRefused(result: { exitCode?: number; stderr: string }, line: RegExp): void {
  assert.equal(result.exitCode, 2, result.stderr);
  assert.match(result.stderr, line);
  assert.doesNotMatch(result.stderr, /\n\s+at |node:internal|Error:/, 'no stack trace');
  assert.match(result.stderr, /nothing was run or written/i);
}

// Mounts made by the tests, unmounted however the tests end (after every test, and on exit).
const mounts: string[] = [];
function unmountAll(): void {
  for (const dir of mounts.splice(0).reverse()) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
after(unmountAll);
process.on('exit', unmountAll);
async function mount(args: string[], dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await execa('mount', [...args, dir]);
  mounts.push(dir);
}

describe('an output folder that cannot be made or written', () => {
  it('is refused at /proc and /sys before anything is made (it used to spin for ever on /proc)', async () => {
    const dir = await workspace('small');
    for (const [out, kind] of [['/proc/run-exp-x', 'proc'], ['/sys/run-exp-x', 'sysfs']] as const) {
      const t0 = Date.now();
      const result = await runExp(dir, ['small.yaml', '--out', out]);
      assertRefused(result, new RegExp(`^run-exp: --out ${out}: expected a folder on a disk, got one under /${kind === 'proc' ? 'proc' : 'sys'}, a ${kind} file system`));
      assert.ok(Date.now() - t0 < 15_000);
      assert.ok(!existsSync(out));
    }
  });

  it('names the file in the way when --out is a file, or lies under one', async () => {
    const dir = await workspace('small');
    await writeFile(path.join(dir, 'afile'), '');
    for (const out of ['afile', 'afile/sub']) {
      const result = await runExp(dir, ['small.yaml', '--out', out]);
      assertRefused(result, new RegExp(`^run-exp: cannot create the folder ${out}/small: afile is a file, not a folder \\(ENOTDIR\\)$`, 'm'));
    }
  });

  it('says "not a folder" for a device in the way', async () => {
    const dir = await workspace('small');
    const result = await runExp(dir, ['small.yaml', '--out', '/dev/null/x']);
    assertRefused(result, /^run-exp: cannot create the folder \/dev\/null\/x\/small: \/dev\/null is not a folder \(a device\) \(ENOTDIR\)$/m);
  });

  it('says a report or a comparison could not be written into a folder the user may not write: exit 2, nothing written', { skip: ROOT_ONLY }, async () => {
    const dir = await workspace('small');
    const out = path.join(dir, 'out');
    await writeFixtureResults(out, { name: 'one', steps: 100, evalEvery: 50 });
    await writeFixtureResults(out, { name: 'two', hidden: 100, steps: 100, evalEvery: 50 });
    await chmod(out, 0o555);
    const before = await readdir(out);
    const report = await runExp(dir, ['report', 'one', '--out', 'out'], 'nobody');
    assert.equal(report.exitCode, 2, report.stderr);
    assert.match(report.stderr, /^run-exp report: the report could not be written: cannot write out\/one\.html: permission denied \(EACCES\); nothing was written$/m);
    const compared = await runExp(dir, ['compare', 'one', 'two', '--out', 'out'], 'nobody');
    assert.equal(compared.exitCode, 2, compared.stderr);
    assert.match(compared.stderr, /^run-exp compare: the comparison could not be written: cannot write out\/compare\.one\+two\.html: permission denied \(EACCES\); nothing was written$/m);
    assert.doesNotMatch(report.stderr + compared.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(await readdir(out), before);
  });

  it('says "permission denied" for a folder the user may not write, and leaves nothing', { skip: ROOT_ONLY }, async () => {
    const dir = await workspace('small');
    await mkdir(path.join(dir, 'ro'), { mode: 0o555 });
    const result = await runExp(dir, ['small.yaml', '--out', 'ro/out'], 'nobody');
    assertRefused(result, /^run-exp: cannot create the folder ro\/out: permission denied \(EACCES\)$/m);
    assert.deepEqual(await readdir(path.join(dir, 'ro')), []);
  });

  it('says "read-only file system" on a read-only bind mount, for a new experiment and for an existing one', { skip: ROOT_ONLY }, async () => {
    const dir = await workspace('small');
    await mkdir(path.join(dir, 'rw', 'existing', 'small'), { recursive: true });
    const ro = path.join(dir, 'ro');
    await mount(['--bind', path.join(dir, 'rw')], ro);
    await execa('mount', ['-o', 'remount,bind,ro', ro]);
    assertRefused(await runExp(dir, ['small.yaml', '--out', 'ro/new']), /^run-exp: cannot create the folder ro\/new: read-only file system \(EROFS\)$/m);
    assertRefused(await runExp(dir, ['small.yaml', '--out', 'ro/existing']), /^run-exp: cannot write ro\/existing\/small\/run\.lock: read-only file system \(EROFS\)$/m);
  });

  it('says "no space left on device" for a disk full at the start, and leaves no empty folder', { skip: ROOT_ONLY }, async () => {
    const dir = await workspace('small');
    const disk = path.join(dir, 'disk');
    await mount(['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs'], disk);
    await execa('dd', ['if=/dev/zero', `of=${path.join(disk, 'filler')}`, 'bs=64k', 'count=8'], { reject: false }); // fills it
    const result = await runExp(dir, ['small.yaml', '--out', 'disk/out']);
    assertRefused(result, /^run-exp: cannot write disk\/out\/small\/run\.lock: no space left on device \(ENOSPC\)$/m);
    assert.deepEqual(await readdir(disk), ['filler']);
  });
});

describe('a disk that fills during a run', () => {
  it('stops the run at the first failed write: finished trials kept, whole lines only, the space it needed said; a re-run with room resumes', { skip: ROOT_ONLY }, async () => {
    // Two trials, one after the other: the first (200 steps, ≈ 12 KB of metrics) fits on the 192 KB disk, the second
    // (4,000 steps, ≈ 240 KB) fills it.
    const dir = await workspace('fill', `${SMALL}train: {batch_size: 8}\ngrid:\n  train.steps: [200, 4000]\n`);
    const disk = path.join(dir, 'disk');
    await mount(['-t', 'tmpfs', '-o', 'size=192k', 'tmpfs'], disk);
    const result = await runExp(dir, ['fill.yaml', '--out', 'disk', '--jobs', '1', '--backend', 'wasm']);
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(
      result.stdout,
      /^stopped: cannot append to disk\/fill\/trials\/\w+\/metrics\.jsonl: no space left on device \(ENOSPC\); the run needed about \d+ KB for its 2 trials \(the plan's estimate: metrics\.jsonl and weights\.json\), and disk had \d+ KB free when it started; 1 of 2 trials finished and are kept in disk\/fill; run the same command again once there is room to resume$/m,
    );
    assert.match(result.stderr, /^warning: this run writes about \d+ KB \(the plan's estimate\) and disk has \d+ KB free: it may stop when the disk is full$/m, 'said at the start');
    assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at /, 'no stack trace');
    const trials = path.join(disk, 'fill', 'trials');
    const states = await Promise.all((await readdir(trials)).map(async (id) => [id, await checkTrial(path.join(trials, id))] as const));
    assert.deepEqual(states.map(([, s]) => s.kind).sort(), ['finished', 'unfinished']);
    for (const [id] of states) {
      const text = await readFile(path.join(trials, id, 'metrics.jsonl'), 'utf8');
      assert.ok(text.length > 0 && text.endsWith('\n'), `${id}: metrics.jsonl ends with a whole line`);
      for (const line of text.trimEnd().split('\n')) JSON.parse(line);
      assert.ok(!existsSync(path.join(trials, id, 'progress.json')));
    }
    assert.ok(!existsSync(path.join(disk, 'fill', 'run.lock')), 'the lock is released');
    // Room made: the same command trains only the unfinished trial.
    await execa('mount', ['-o', 'remount,size=16m', disk]);
    const again = await runExp(dir, ['fill.yaml', '--out', 'disk', '--jobs', '1', '--backend', 'wasm']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stderr, /skipping 1 of 2 trials finished by an earlier run/);
  });

  it('stops the run when a checkpoint cannot be written, as any write: the previous checkpoint stands, and the re-run with room goes on from it to the bytes of a run that never stopped', { skip: ROOT_ONLY }, async () => {
    // A wide net (35,097 parameters: a checkpoint of 188 KB) with a checkpoint every 500 steps on a disk of 320 KB
    // free: the first checkpoint (with 24 KB of metrics) fits, the metrics up to step 1,000 too, the second
    // checkpoint's temp file beside the first does not.
    const yaml = 'data: {slice: {first: 200}}\nmodel: {embed_dim: 10, hidden: 600}\ntrain: {steps: 1500, batch_size: 16}\neval: {every: 1000}\nsample: 5\ncheckpoint: {every: 500}\n';
    const dir = await workspace('ck', yaml);
    const disk = path.join(dir, 'disk');
    await mount(['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs'], disk);
    await writeFile(path.join(disk, 'filler'), Buffer.alloc(192 * 1024));
    const result = await runExp(dir, ['ck.yaml', '--out', 'disk', '--backend', 'wasm']);
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stdout, /^stopped: cannot write disk\/ck\/trials\/\w+\/checkpoint\.json: no space left on device \(ENOSPC\); .*; 0 of 1 trials finished and are kept in disk\/ck; run the same command again once there is room to resume$/m);
    assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at /, 'no stack trace');
    const [id] = await readdir(path.join(disk, 'ck', 'trials'));
    const trial = path.join(disk, 'ck', 'trials', id!);
    assert.deepEqual((await readdir(trial)).sort(), ['checkpoint.json', 'config.json', 'metrics.jsonl'], 'no temp file, no progress.json');
    assert.equal((JSON.parse(await readFile(path.join(trial, 'checkpoint.json'), 'utf8')) as { step: number }).step, 500, 'the previous checkpoint stands');
    const text = await readFile(path.join(trial, 'metrics.jsonl'), 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.equal(JSON.parse(text.trimEnd().split('\n').at(-1)!).step, 1000, 'every row up to the failed checkpoint, whole');
    // Room made: it goes on from step 500 and ends with the files of a run on a disk with room.
    await rm(path.join(disk, 'filler'));
    await execa('mount', ['-o', 'remount,size=16m', disk]);
    const again = await runExp(dir, ['ck.yaml', '--out', 'disk', '--backend', 'wasm']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stderr, /resumed from step 500 of 1,500/);
    const reference = await runExp(dir, ['ck.yaml', '--out', 'reference', '--backend', 'wasm']);
    assert.equal(reference.exitCode, 0, reference.stderr);
    for (const f of ['metrics.jsonl', 'weights.json', 'samples.txt']) {
      assert.ok((await readFile(path.join(trial, f))).equals(await readFile(path.join(dir, 'reference', 'ck', 'trials', id!, f))), `${f}: the bytes of a run that never stopped`);
    }
  });

  it('stops every worker when the disk fills under two at once, each trial\'s metrics cut back to whole lines', { skip: ROOT_ONLY }, async () => {
    // Two trials of 4,000 steps (≈ 240 KB of metrics each) at once on a 192 KB disk: the first failed write of either
    // stops the run, and the other worker, still training, is stopped with it.
    const dir = await workspace('both', `${SMALL}train: {batch_size: 8, steps: 4000}\ngrid:\n  train.lr: [0.1, 0.2]\n`);
    const disk = path.join(dir, 'disk');
    await mount(['-t', 'tmpfs', '-o', 'size=192k', 'tmpfs'], disk);
    const inDir = () => readdirSync('/proc').filter((pid) => /^\d+$/.test(pid) && cwdOf(pid) === dir); // the run's processes: they start in `dir`
    const running = runExp(dir, ['both.yaml', '--out', 'disk', '--jobs', '2', '--backend', 'wasm']);
    const seen = new Set<string>();
    const look = setInterval(() => inDir().forEach((pid) => seen.add(pid)), 100);
    const result = await running.finally(() => clearInterval(look));
    assert.ok(seen.size >= 3, `the parent and two workers were seen running, got ${[...seen].join(', ')}`);
    assert.deepEqual(inDir(), [], 'no process of the run lives on: both workers are gone');
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stdout, /^stopped: cannot (append to|write) disk\/both\/trials\/\w+\/\S+: no space left on device \(ENOSPC\); .*; 0 of 2 trials finished/m);
    assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at /, 'no stack trace');
    const trials = path.join(disk, 'both', 'trials');
    const ids = await readdir(trials);
    assert.equal(ids.length, 2, 'both trials started');
    for (const id of ids) {
      assert.equal((await checkTrial(path.join(trials, id))).kind, 'unfinished');
      const text = await readFile(path.join(trials, id, 'metrics.jsonl'), 'utf8').catch(() => '');
      assert.ok(text === '' || text.endsWith('\n'), `${id}: metrics.jsonl ends with a whole line`);
      for (const line of text.trimEnd().split('\n').filter(Boolean)) JSON.parse(line);
    }
    assert.ok(!existsSync(path.join(disk, 'both', 'run.lock')), 'the lock is released');
  });
});

/** The working directory of process PID, or undefined once it is gone. */
function cwdOf(pid: string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

describe('sizes that cannot fit, and data that cannot train', () => {
  it('refuses a batch too large for memory at its line and column, writes nothing, and --dry-run shows each trial\'s peak', async () => {
    const dir = await workspace('huge', 'train:\n  batch_size: 10000000\n');
    const result = await runExp(dir, ['huge.yaml', '--out', 'out']);
    assert.equal(result.exitCode, 2, result.stderr);
    assert.match(result.stderr, /^huge\.yaml:3:15 train\.batch_size: expected (TF\.js tensors that fit in the WASM backend's heap|a trial that fits in|a batch whose buffers fit the kernel engine's)/m);
    assert.ok(!existsSync(path.join(dir, 'out')));
    const planned = await runExp(dir, ['huge.yaml', '--dry-run', '--set', 'train.batch_size=32']);
    assert.equal(planned.exitCode, 0, planned.stderr);
    assert.match(planned.stdout, /^\s+1\s+\w{10}\s+1,000\s+\S+ \S+\s+2\d\d MB$/m);
    assert.match(planned.stdout, /^memory: up to about 2\d\d MB a trial at its peak; the run about \d+ MB with 1 at once \(this machine: \d+(\.\d)? [GT]B\)$/m);
  });

  it("refuses a trial too large for the kernel engine's memory at the key to blame, with what fits, and writes nothing", async () => {
    const dir = await workspace('wide', 'data: {builtin: makemore}\nmodel: {hidden: 4000}\ntrain: {batch_size: full, steps: 10}\ngrid:\n  train.lr: [0.1, 0.2]\n');
    const result = await runExp(dir, ['wide.yaml', '--out', 'out']);
    assertRefused(result, /^wide\.yaml:4:21 train\.batch_size: expected a batch whose buffers fit the kernel engine's 4\.00 GiB of WebAssembly memory, got full \(about [\d,]+ examples\): with hidden 4,000, block_size 3 and embed_dim 10 the kernel needs [\d.]+ GiB; batch_size up to [\d,]+ fits \(or hidden up to [\d,]+ with this batch\), or set engine: tfjs$/m);
    assert.equal(result.stderr.match(/expected/g)?.length, 1, 'one line for the two trials');
    assert.ok(!existsSync(path.join(dir, 'out')));
  });

  it('refuses a binary data file in one short line, and a file whose split leaves no word for training', async () => {
    const dir = await workspace('binary', 'data: {file: node.bin}\n');
    await writeFile(path.join(dir, 'node.bin'), readFileSync(process.execPath).subarray(0, 65_536));
    const binary = await runExp(dir, ['binary.yaml']);
    assert.equal(binary.exitCode, 2);
    assert.match(binary.stderr, /^binary\.yaml:2:14 data\.file: "node\.bin" looks binary \(a NUL byte at offset \d+\); expected UTF-8 text, one word per line\n1 problem; nothing was run or written\.$/);
    await writeFile(path.join(dir, 'one.yaml'), 'name: one\ndata: {file: host.txt}\n');
    await writeFile(path.join(dir, 'host.txt'), 'vm\n'); // as /etc/hostname
    const one = await runExp(dir, ['one.yaml']);
    assert.equal(one.exitCode, 2);
    assert.match(one.stderr, /^one\.yaml:2:14 data\.file: expected data that leaves at least one word for training, got 1 word \(host\.txt\)/);
  });
});

describe('a local run as `run-exp status` sees it', () => {
  it('shows every trial of the plan: running with its step, waiting, done; and the run that holds the folder', async () => {
    // The first trial runs for seconds (its progress.json passes step 0 after a second), the second is short: on
    // the tfjs engine (the kernel ran the first trial's 15,000 steps between two looks).
    const dir = await workspace('watch', `${SMALL}engine: tfjs\ntrain: {batch_size: 8}\ngrid:\n  train.steps: [15000, 200]\n`);
    const run = runExp(dir, ['watch.yaml', '--out', 'out', '--jobs', '1', '--backend', 'wasm']);
    type Row = { state: string; step: number | null; steps: number };
    let seen: { run: string | null; trials: Row[] } | undefined;
    for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 200))) {
      assert.ok(Date.now() - t0 < 60_000, `never saw a running trial with a step: ${JSON.stringify(seen)}`);
      const status = await runExp(dir, ['status', 'watch', '--out', 'out', '--json']);
      if (status.exitCode !== 0) continue; // the plan is not written yet
      seen = JSON.parse(status.stdout) as typeof seen;
      if (seen!.trials[0]!.state === 'running' && (seen!.trials[0]!.step ?? 0) > 0) break;
    }
    assert.deepEqual(seen!.trials.map((r) => r.state), ['running', 'pending']);
    assert.deepEqual(seen!.trials.map((r) => r.steps), [15000, 200]);
    assert.match(seen!.run ?? '', /^pid \d+ on host .*: run-exp watch\.yaml --out out --jobs 1 --backend wasm/);
    const result = await run;
    assert.equal(result.exitCode, 0, result.stderr);
    const done = JSON.parse((await runExp(dir, ['status', 'watch', '--out', 'out', '--json'])).stdout) as { run: string | null; trials: Row[] };
    assert.deepEqual(done.trials.map((r) => [r.state, r.step]), [['ok', 15000], ['ok', 200]]);
    assert.equal(done.run, null);
    for (const id of await readdir(path.join(dir, 'out', 'watch', 'trials'))) assert.ok(!existsSync(path.join(dir, 'out', 'watch', 'trials', id, 'progress.json')));
  });
});

describe('a run killed with SIGKILL in the middle of a heavy step', () => {
  it('leaves no worker behind: the worker ends within a second, though its step takes seconds', async () => {
    // A full batch of the built-in names through a wide context: one step is a single synchronous call of seconds.
    const dir = await workspace('heavy', 'model: {block_size: 10, embed_dim: 20, hidden: 200}\ntrain: {steps: 10, batch_size: full}\neval: {every: 1000, splits: [dev]}\nsample: 0\n');
    const run = runExp(dir, ['heavy.yaml', '--out', 'out', '--jobs', '1', '--backend', 'wasm']);
    const trials = path.join(dir, 'out', 'heavy', 'trials');
    // The first chunk has trained (progress.json past step 0): the worker is now inside the next one.
    for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 50))) {
      assert.ok(Date.now() - t0 < 120_000, 'the heavy trial never trained a chunk');
      const [id] = await readdir(trials).catch(() => [] as string[]);
      const progress = id === undefined ? undefined : await readFile(path.join(trials, id, 'progress.json'), 'utf8').then((t) => JSON.parse(t) as { step: number }, () => undefined);
      if ((progress?.step ?? 0) > 0) break;
    }
    const [worker] = childrenOf(run.pid!);
    assert.ok(worker !== undefined, 'the worker process');
    run.kill('SIGKILL');
    await run;
    const t0 = Date.now();
    while (alive(worker) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    const ms = Date.now() - t0;
    if (alive(worker)) process.kill(worker, 'SIGKILL');
    assert.ok(ms < 1000, `the orphaned worker lived ${ms} ms after its parent`);
  });
});

/** The pids of a process's children. */
function childrenOf(pid: number): number[] {
  return readdirSafe(`/proc/${pid}/task`).flatMap((t) => {
    try {
      return readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Alive: it exists and is not a zombie (an orphan that exited waits for PID 1 to reap it). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
