// SIGINT (and SIGTERM and SIGHUP, alike): every running trial is asked for a checkpoint, all workers stop within 3 s,
// finished trials stay, no half-written files, exit 130, the lock goes; the next run resumes. (A real trial's
// checkpoint on the signal: test/e2e/checkpoint-resume.test.ts.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fixtureOptions, fixturePlan, runDriver, startDriver, summaryOf, tempFilesUnder, tempOut } from './helpers.js';

const exists = (p: string) => access(p).then(() => true, () => false);

describe('an interrupted run', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) it(`stops on ${signal} within 3 s with exit code 130, keeps the finished trials and the running ones' checkpoints, says what each keeps, and the next run goes on from them`, async () => {
    const out = await tempOut();
    const interrupted = fixturePlan('interrupt', [
      { behave: 'ok', id: 'a' },
      { behave: 'ok', id: 'b' },
      { behave: 'chunks', id: 'c', ms: 300 }, // a step every 300 ms, a checkpoint when asked
      { behave: 'hang', id: 'd' }, // never reaches a chunk boundary
    ]);
    const driver = startDriver(interrupted, fixtureOptions(out, { jobs: 2 }));
    let stderr = '';
    driver.stderr.on('data', (chunk) => (stderr += chunk));
    for (const t0 = Date.now(); !(/start c/.test(stderr) && /start d/.test(stderr)); ) {
      assert.ok(Date.now() - t0 < 30_000, `the last trials never started:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 700)); // c has trained a step or two, d is in its busy loop
    const sent = Date.now();
    driver.kill(signal);
    const result = await driver;
    const ms = Date.now() - sent;

    assert.equal(result.exitCode, 130, result.stderr);
    assert.ok(ms < 3000, `it took ${ms} ms to stop`);
    assert.match(result.stdout, /interrupted: 2 of 4 trials finished/);
    assert.deepEqual(await tempFilesUnder(out), []);
    assert.ok(!(await exists(path.join(out, 'interrupt', 'run.lock'))), 'the lock is released');
    for (const id of ['a', 'b']) assert.ok(await exists(path.join(out, 'interrupt', 'trials', id, 'summary.json')));
    // c wrote a checkpoint at its next chunk boundary; its metrics stop there. d never answered: killed after the grace.
    const saved = /trial c: checkpoint at step (\d+) written; the next run resumes it from there/.exec(result.stderr);
    assert.ok(saved !== null, result.stderr);
    const step = Number(saved[1]);
    assert.deepEqual((await readdir(path.join(out, 'interrupt', 'trials', 'c'))).sort(), ['checkpoint.json', 'config.json', 'metrics.jsonl']);
    const rows = (await readFile(path.join(out, 'interrupt', 'trials', 'c', 'metrics.jsonl'), 'utf8')).split('\n').filter(Boolean);
    assert.equal(rows.filter((r) => !r.includes('split')).length, step);
    assert.match(result.stderr, /trial d: stopped before it reached a chunk boundary \(at most 2 s after the signal\), with no earlier checkpoint: the next run starts it from step 0/);
    assert.deepEqual((await readdir(path.join(out, 'interrupt', 'trials', 'd'))).sort(), ['config.json', 'metrics.jsonl']);

    const before = await summaryOf(out, 'interrupt', 'a');
    const resumed = fixturePlan('interrupt', [
      { behave: 'ok', id: 'a' },
      { behave: 'ok', id: 'b' },
      { behave: 'chunks', id: 'c', ms: 1 },
      { behave: 'ok', id: 'd' },
    ]);
    const again = await runDriver(resumed, fixtureOptions(out, { jobs: 2 }));
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stderr, /skipping 2 of 4 trials/);
    assert.match(again.stderr, new RegExp(`trial c: resumed from step ${step} of 20 \\(its checkpoint\\)`));
    assert.deepEqual(await summaryOf(out, 'interrupt', 'a'), before);
    for (const id of ['c', 'd']) assert.equal((await summaryOf(out, 'interrupt', id)).status, 'ok');
    assert.equal((await summaryOf(out, 'interrupt', 'c')).resumed_from, step);
    assert.ok(!(await exists(path.join(out, 'interrupt', 'trials', 'c', 'checkpoint.json'))), 'a finished trial keeps no checkpoint');
    const stepsOfC = (await readFile(path.join(out, 'interrupt', 'trials', 'c', 'metrics.jsonl'), 'utf8')).split('\n').filter((l) => l !== '' && !l.includes('split')).map((l) => (JSON.parse(l) as { step: number }).step);
    assert.deepEqual(stepsOfC, Array.from({ length: 20 }, (_, i) => i), 'cut back to the checkpoint, then on: every step once, in order');
  });
});

describe('a run killed with SIGKILL', () => {
  it('leaves no worker behind: a worker holding its event loop ends itself within 1 s', async () => {
    const out = await tempOut();
    const plan = fixturePlan('orphan', [{ behave: 'busy', id: 'busy', ms: 60_000, extra: { dir: out } }]);
    const driver = startDriver(plan, fixtureOptions(out, { jobs: 1 }));
    const pidFile = path.join(out, 'busy.pid');
    for (const t0 = Date.now(); !(await exists(pidFile)); ) {
      assert.ok(Date.now() - t0 < 30_000, 'the busy trial never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    const pid = Number(await readFile(pidFile, 'utf8'));
    driver.kill('SIGKILL');
    await driver;
    // Alive: it exists and is not a zombie (an exited orphan waits for PID 1 to reap it, which can take a while).
    const alive = () => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
      } catch {
        return false;
      }
    };
    const t0 = Date.now();
    while (alive() && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    const ms = Date.now() - t0;
    if (alive()) process.kill(pid, 'SIGKILL');
    assert.ok(ms < 1000, `the orphaned worker lived ${ms} ms after its parent`);
  });
});
