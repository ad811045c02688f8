// Reading DIR/NAME/: statuses from which files exist, errors that name the file and the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readResults } from '../../src/report/load.js';
import { statusOf } from '../../src/report/results.js';
import { withDir, writeFixtureResults } from './fixture-results.js';

test('trials are read in expansion order with their status: ok, diverged, failed, unfinished', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'g', grid: { 'train.lr': [0.1, 2, 0.05, 0.2] }, steps: 300, failed: [2], unfinished: [3] });
    const r = await readResults(out, 'g');
    assert.deepEqual(r.trials.map((t) => [t.trial.index, statusOf(t)]), [[0, 'ok'], [1, 'diverged'], [2, 'failed'], [3, 'unfinished']]);
    assert.equal(r.trials[0]!.curves!.curve.length, 300, 'every step (within the budget of 500 points)');
    assert.deepEqual(r.trials[0]!.curves!.evals.map((e) => `${e.step} ${e.split}`).slice(0, 2), ['200 train', '200 dev']);
    assert.equal(r.trials[2]!.curves, null, 'a failed trial without metrics.jsonl has no curves');
    assert.equal(r.trials[3]!.curves, null, 'an unfinished trial has no curves');
    assert.equal(r.run?.git_commit, '0123456789abcdef0123456789abcdef01234567');
  }));

test('the embedding C is read only when embed_dim is 2', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'two', embedDim: 2, steps: 50 });
    await writeFixtureResults(out, { name: 'ten', embedDim: 10, steps: 50 });
    assert.deepEqual((await readResults(out, 'two')).trials[0]!.embedding?.shape, [27, 2]);
    assert.equal((await readResults(out, 'ten')).trials[0]!.embedding, null);
  }));

test('a broken line in metrics.jsonl makes its trial damaged, named with the file and the line, and the rest still read', () =>
  withDir(async (out) => {
    const { trials } = await writeFixtureResults(out, { name: 'bad', grid: { 'train.lr': [0.1, 0.2] }, steps: 10, evalEvery: 10 });
    const file = path.join(out, 'bad', 'trials', trials[0]!.id, 'metrics.jsonl');
    await appendFile(file, '{"step": 11, "lr": 0.1, "loss": 2.\n');
    const r = await readResults(out, 'bad');
    assert.deepEqual(r.trials.map(statusOf), ['damaged', 'ok']);
    assert.match(r.trials[0]!.problem!, new RegExp(`^${file}:13: expected one JSON object a line, got "\\{\\\\"step\\\\": 11`));
    assert.deepEqual([r.trials[0]!.curves, r.trials[0]!.summary], [null, null], 'nothing of a damaged trial is shown');
    assert.deepEqual([r.trials[1]!.curves!.curve.length, r.trials[1]!.curves!.evals.length], [10, 2]);
  }));

test('a trial folder without config.json is listed as unread: damaged when it holds trial files, else not a trial', () =>
  withDir(async (out) => {
    const { trials } = await writeFixtureResults(out, { name: 'lost', grid: { 'train.lr': [0.1, 0.2] }, steps: 10 });
    await unlink(path.join(out, 'lost', 'trials', trials[1]!.id, 'config.json'));
    await mkdir(path.join(out, 'lost', 'trials', 'notes'));
    await writeFile(path.join(out, 'lost', 'trials', 'notes', 'todo.txt'), 'try 0.3\n');
    await mkdir(path.join(out, 'lost', 'trials', 'empty')); // a trial about to be written: silent
    const r = await readResults(out, 'lost');
    assert.deepEqual(r.trials.map((t) => t.trial.id), [trials[0]!.id]);
    assert.deepEqual(r.unread.map((u) => [u.damaged, u.problem.replace(out, 'OUT')]), [
      [false, 'OUT/lost/trials/notes: not a trial (no config.json; it holds todo.txt)'],
      [true, `OUT/lost/trials/${trials[1]!.id}/config.json: missing, yet the folder holds metrics.jsonl, samples.txt, summary.json, weights.json`],
    ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))));
  }));

test('a damaged run.json is named and left out (the header then says the time is unknown)', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'badrun', steps: 10 });
    await writeFile(path.join(out, 'badrun', 'run.json'), '{"name": "badrun", "st');
    const r = await readResults(out, 'badrun');
    assert.equal(r.run, null);
    assert.equal(r.unread.length, 1);
    assert.match(r.unread[0]!.problem, /run\.json:1:1: expected JSON/);
  }));

test('a damaged plan.json is named, and every stored trial is shown', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'badplan', steps: 10, grid: { 'train.lr': [0.1, 0.2] } });
    await writeFile(path.join(out, 'badplan', 'plan.json'), '{"trials": "t1"}');
    const r = await readResults(out, 'badplan');
    assert.equal(r.trials.length, 2);
    assert.deepEqual(r.unread.map((u) => [u.damaged, u.problem.replace(out, 'OUT')]), [[true, 'OUT/badplan/plan.json: expected {"trials": [ID, …]}, found {"trials":"t1"}; every stored trial is shown']]);
  }));

test('missing results name the folder and say to run the experiment first', () =>
  withDir(async (out) => {
    await assert.rejects(readResults(out, 'nothing'), new RegExp(`${path.join(out, 'nothing', 'experiment.yaml')}: not found; run the experiment first`));
  }));

test('results without run.json still read (the header then says the time is unknown)', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'norun', steps: 10 });
    await unlink(path.join(out, 'norun', 'run.json'));
    assert.equal((await readResults(out, 'norun')).run, null);
  }));
