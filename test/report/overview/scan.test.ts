// DIR at a glance: every experiment folder listed with what could be read, and what could not said, never thrown.
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { scanResults } from '../../../src/report/overview/scan.js';
import { acquireLock, lockFile } from '../../../src/store/lock.js';
import { withDir, writeFixtureResults } from '../fixture-results.js';

test('every experiment of DIR is listed with its description, last run, trials by status, best grid point (seeds aggregated), steps and time', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'seeded', description: 'lr with <two> seeds', grid: { 'train.lr': [0.05, 0.1] }, repeat: 2, steps: 200, failed: [3] });
    await writeFixtureResults(out, { name: 'plain', grid: { 'train.lr': [0.01, 0.1, 1.5] }, steps: 300, unfinished: [0] });
    await writeFile(path.join(out, 'seeded.html'), '<!doctype html>');
    const o = await scanResults(out);
    assert.deepEqual(o.experiments.map((e) => e.name), ['plain', 'seeded']);
    const [plain, seeded] = o.experiments;
    assert.equal(seeded!.description, 'lr with <two> seeds');
    assert.deepEqual(seeded!.statuses, { ok: 3, failed: 1 });
    assert.equal(seeded!.trials, 4);
    // lr 0.1 has the lower loss, but one of its seeds failed: the complete grid point ranks first (as in the report).
    assert.deepEqual([seeded!.best!.group.label, seeded!.best!.seeds, seeded!.best!.complete, seeded!.seeds], ['lr=0.05', 2, true, true]);
    assert.equal(seeded!.report, 'seeded.html');
    assert.equal(seeded!.ran!.started_at, '2026-11-28T07:00:00.000Z');
    assert.deepEqual(plain!.statuses, { unfinished: 1, ok: 1, diverged: 1 });
    assert.deepEqual([plain!.best!.group.label, plain!.best!.seeds, plain!.seeds], ['lr=0.1', 1, false]);
    assert.equal(plain!.report, null);
    assert.equal(plain!.planned, 900);
    assert.ok(plain!.steps > 300 && plain!.steps < 600, 'one trial ok, one diverged early, one not run');
    assert.deepEqual([...plain!.problems, ...seeded!.problems, ...o.problems], []);
  }));

test('damaged and partial results, a folder a live run is writing, and results from before run.json and plan.json are listed with what could be read', () =>
  withDir(async (out) => {
    const { trials } = await writeFixtureResults(out, { name: 'damaged', grid: { 'train.lr': [0.05, 0.1] }, steps: 100 });
    await writeFile(path.join(out, 'damaged', 'trials', trials[0]!.id, 'summary.json'), '{"id": "cut sh');
    await writeFile(path.join(out, 'damaged', 'run.json'), 'not json');
    await writeFixtureResults(out, { name: 'old', steps: 100 });
    await rm(path.join(out, 'old', 'run.json'));
    await mkdir(path.join(out, 'starting', 'trials'), { recursive: true }); // a run that has only just made its folder
    await writeFixtureResults(out, { name: 'live', grid: { 'train.lr': [0.05, 0.1] }, steps: 100, unfinished: [1] });
    const taken = await acquireLock(lockFile(path.join(out, 'live')), { argv: ['live.yaml'] });
    assert.equal(taken.kind, 'acquired');
    await mkdir(path.join(out, 'not-an-experiment'));
    await writeFile(path.join(out, 'notes.txt'), 'a file of my own');
    await writeFile(path.join(out, 'compare.live+old.html'), '<!doctype html>');
    try {
      const o = await scanResults(out);
      assert.deepEqual(o.experiments.map((e) => e.name), ['damaged', 'live', 'old', 'starting']);
      const [damaged, live, old, starting] = o.experiments;
      assert.deepEqual(damaged!.statuses, { damaged: 1, ok: 1 });
      assert.equal(damaged!.best!.group.label, 'lr=0.1');
      assert.match(damaged!.problems.join('\n'), /run\.json: Unexpected token/);
      assert.match(damaged!.problems.join('\n'), new RegExp(`${trials[0]!.id}/summary\\.json: expected JSON`));
      assert.equal(damaged!.ran, null);
      assert.equal(live!.running!.pid, process.pid);
      assert.deepEqual(live!.statuses, { ok: 1, unfinished: 1 });
      assert.deepEqual([old!.ran, old!.statuses, old!.problems], [null, { ok: 1 }, []]);
      assert.deepEqual([starting!.trials, starting!.best], [0, null]);
      assert.match(starting!.problems[0]!, /experiment\.yaml: missing/);
      assert.deepEqual(o.comparisons, ['compare.live+old.html']);
    } finally {
      if (taken.kind === 'acquired') await taken.lock.release();
    }
    assert.equal((await scanResults(out)).experiments.find((e) => e.name === 'live')!.running, null, 'released: no longer running');
  }));

test('a DIR that does not exist is an overview with one problem and no experiment', async () => {
  const o = await scanResults('/nonexistent/run-exp/dir');
  assert.deepEqual(o.experiments, []);
  assert.match(o.problems[0]!, /^\/nonexistent\/run-exp\/dir: ENOENT/);
});
