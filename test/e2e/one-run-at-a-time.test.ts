// Two runs of one experiment into one DIR: the second is refused (exit 2, the first named, nothing touched); a lock
// left by a killed run is taken over; the start-up sweep removes only the temp files of gone processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { ROOT } from '../paths.js';
import { fixtureOptions, fixturePlan, runDriver, snapshot, startDriver, stderrUntil, summaryOf, tempOut } from './helpers.js';

const exists = (p: string) => access(p).then(() => true, () => false);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('two runs of one experiment into one DIR', () => {
  it('refuses the second with exit 2, naming the first (pid, host, since when, command line) and touching nothing; after the first ends a run works', async () => {
    const out = await tempOut();
    const plan = fixturePlan('twice', [{ behave: 'sleep', ms: 6000, id: 'slow' }, { behave: 'ok', id: 'quick' }]);
    // Without live pages: the first run would rewrite twice.html meanwhile, and the snapshot is to show the second's doing.
    const first = startDriver(plan, fixtureOptions(out, { jobs: 1, argv: ['twice.yaml', '--jobs', '1'], liveReport: false }));
    await stderrUntil(first, /start slow/);
    // "start" is printed as the trial's writer begins; its first files (config.json, metrics.jsonl) follow at once.
    for (const t0 = Date.now(); !(await exists(path.join(out, 'twice', 'trials', 'slow', 'metrics.jsonl'))); await new Promise((r) => setTimeout(r, 20))) {
      assert.ok(Date.now() - t0 < 10_000, 'the first run never began its trial files');
    }
    // The first run keeps its trial's progress.json fresh meanwhile (once a second): that file is the first run's.
    const ours = async () => Object.fromEntries(Object.entries(await snapshot(out)).filter(([file]) => !file.endsWith('progress.json')));
    const before = await ours();
    assert.ok('twice/run.lock' in before, Object.keys(before).join(' '));

    const second = await runDriver(plan, fixtureOptions(out, { jobs: 1, argv: ['twice.yaml', '--force'] }));
    assert.equal(second.exitCode, 2, second.stderr);
    assert.match(
      second.stderr,
      new RegExp(
        `^run-exp: ${escape(path.join(out, 'twice'))} is in use by another run: pid ${first.pid} on host ${escape(os.hostname())}, since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(\\d+ s ago\\): ` +
          `run-exp twice\\.yaml --jobs 1 \\(in ${escape(process.cwd())}\\)\\. One run per experiment folder at a time: wait for it to end, or stop it \\(kill ${first.pid}\\)\\. Nothing was run or written\\.$`,
      ),
    );
    assert.equal(second.stdout, '');
    assert.deepEqual(await ours(), before, 'the refused run touched nothing');

    // `run-exp report` needs no lock: it says a run is writing, and shows what has finished (nothing yet).
    const report = await execa(process.execPath, [path.join(ROOT, 'bin', 'run-exp.js'), 'report', 'twice', '--out', out], { reject: false });
    assert.equal(report.exitCode, 0, report.stderr);
    assert.match(report.stderr, new RegExp(`^run-exp report: a run is writing these results \\(pid ${first.pid} on host .*\\); the report shows what has finished so far$`, 'm'));

    const firstResult = await first;
    assert.equal(firstResult.exitCode, 0, firstResult.stderr);
    assert.equal(await exists(path.join(out, 'twice', 'run.lock')), false, 'released at the end');
    const third = await runDriver(plan, fixtureOptions(out, { jobs: 1 }));
    assert.equal(third.exitCode, 0, third.stderr);
    assert.match(third.stderr, /skipping 2 of 2 trials/);
  });

  it('prints the refusal as a JSON document with --json too', async () => {
    const out = await tempOut();
    const plan = fixturePlan('twice-json', [{ behave: 'sleep', ms: 6000, id: 'slow' }]);
    const first = startDriver(plan, fixtureOptions(out, { jobs: 1 }));
    await stderrUntil(first, /start slow/);
    const second = await runDriver(plan, fixtureOptions(out, { json: true }));
    assert.equal(second.exitCode, 2);
    const doc = JSON.parse(second.stdout) as { errors: { message: string }[] };
    assert.match(doc.errors[0]!.message, new RegExp(`is in use by another run: pid ${first.pid} `));
    first.kill('SIGINT');
    assert.equal((await first).exitCode, 130);
  });

  it('takes over the lock of a run killed with SIGKILL, says so on stderr, and sweeps only the temp files of gone processes', async () => {
    const out = await tempOut();
    const killed = startDriver(fixturePlan('stale', [{ behave: 'hang', id: 'stuck' }]), fixtureOptions(out, { jobs: 1 }));
    await stderrUntil(killed, /start stuck/);
    killed.kill('SIGKILL');
    await killed;
    const lock = JSON.parse(await readFile(path.join(out, 'stale', 'run.lock'), 'utf8')) as { pid: number };
    assert.equal(lock.pid, killed.pid, 'a SIGKILL leaves the lock');

    const dir = path.join(out, 'stale');
    const alive = spawn('sleep', ['30']);
    try {
      await mkdir(path.join(dir, 'trials', 'stuck'), { recursive: true });
      const swept = [path.join(dir, 'trials', 'stuck', `.summary.json.${killed.pid}.0a0b0c0d.tmp`), path.join(out, `.stale.html.${killed.pid}.01020304.tmp`)];
      const kept = [path.join(dir, 'trials', 'stuck', `.weights.json.${alive.pid}.0a0b0c0d.tmp`), path.join(out, `.stale.html.${alive.pid}.01020304.tmp`)];
      await Promise.all([...swept, ...kept].map((f) => writeFile(f, 'half')));

      const again = await runDriver(fixturePlan('stale', [{ behave: 'ok', id: 'stuck' }]), fixtureOptions(out, { jobs: 1 }));
      assert.equal(again.exitCode, 0, again.stderr);
      assert.match(again.stderr, new RegExp(`^run-exp: taking over ${escape(path.join(dir, 'run.lock'))} from a run that is gone \\(pid ${killed.pid} is not running\\): pid ${killed.pid} on host `, 'm'));
      assert.equal((await summaryOf(out, 'stale', 'stuck')).status, 'ok');
      for (const f of swept) assert.equal(await exists(f), false, `${f} is swept`);
      for (const f of kept) assert.equal(await exists(f), true, `${f} of a live process is kept`);
    } finally {
      alive.kill();
      await once(alive, 'exit');
    }
  });
});
