// Reading DIR/NAME/: statuses from which files exist, errors that name the file and the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, unlink } from 'node:fs/promises';
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

test('a broken line in metrics.jsonl is reported with its file and line', () =>
  withDir(async (out) => {
    const { trials } = await writeFixtureResults(out, { name: 'bad', steps: 10, evalEvery: 10 });
    const file = path.join(out, 'bad', 'trials', trials[0]!.id, 'metrics.jsonl');
    await appendFile(file, '{"step": 11, "lr": 0.1, "loss": 2.\n');
    await assert.rejects(readResults(out, 'bad'), (e: Error) => e.message.startsWith(`${file}:13:1: expected one JSON object a line, found "{\\"step\\": 11`));
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
