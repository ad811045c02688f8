// Trial files on disk: written whole, summary.json last, stale files removed, temp files swept.
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readSummary, removeTempFiles, writeFailedTrial, writeFileAtomic, writeTrialOutput } from '../../src/run/files.js';
import type { Summary, TrialOutput } from '../../src/types.js';
import { fixturePlan, tempOut } from './helpers.js';

const trial = fixturePlan('files', [{ behave: 'ok' }]).trials[0]!;
const summary = { id: trial.id, status: 'ok', final: { train_loss: 2, dev_loss: 2.1, test_loss: null } } as Summary;
const output: TrialOutput = {
  summary,
  metrics: [{ step: 0, lr: 0.1, loss: 3.3 }, { step: 20, split: 'dev', loss: 2.1 }],
  samples: ['emma', 'ava'],
  weights: [{ name: 'b1', shape: [2], values: [0.5, -0.5] }],
};

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

describe('writeTrialOutput', () => {
  it('writes config, metrics, samples, weights and stderr, and summary.json last', async () => {
    const dir = path.join(await tempOut(), trial.id);
    await writeTrialOutput(dir, trial, output, 'a warning\n');
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'metrics.jsonl', 'samples.txt', 'stderr.log', 'summary.json', 'weights.json']);
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), '{"step":0,"lr":0.1,"loss":3.3}\n{"step":20,"split":"dev","loss":2.1}\n');
    assert.equal(await readFile(path.join(dir, 'samples.txt'), 'utf8'), 'emma\nava\n');
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'weights.json'), 'utf8')), output.weights);
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')), trial);
    assert.deepEqual(await readSummary(dir), summary);
    const times = await Promise.all((await readdir(dir)).map(async (f) => [f, (await stat(path.join(dir, f))).mtimeMs] as const));
    const last = Math.max(...times.map(([, t]) => t));
    assert.equal(times.find(([f]) => f === 'summary.json')![1], last);
  });

  it('removes a stale stderr.log when the new run wrote nothing there', async () => {
    const dir = path.join(await tempOut(), trial.id);
    await writeTrialOutput(dir, trial, output, 'old noise\n');
    await writeTrialOutput(dir, trial, output, '');
    assert.ok(!(await readdir(dir)).includes('stderr.log'));
  });
});

describe('writeFailedTrial', () => {
  it('keeps config, stderr and the summary, and drops results of an earlier attempt', async () => {
    const dir = path.join(await tempOut(), trial.id);
    await writeTrialOutput(dir, trial, output, '');
    const failed = { ...summary, status: 'failed', reason: 'boom' } as Summary;
    await writeFailedTrial(dir, trial, failed, 'Error: boom\n');
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'stderr.log', 'summary.json']);
    assert.equal((await readSummary(dir))?.status, 'failed');
  });
});

describe('removeTempFiles', () => {
  it('removes temp files in the experiment and trial directories, and nothing else', async () => {
    const dir = await tempOut();
    await mkdir(path.join(dir, 'trials', 'abc'), { recursive: true });
    const temps = [path.join(dir, '.run.json.123.0a1b2c3d.tmp'), path.join(dir, 'trials', 'abc', '.summary.json.77.deadbeef.tmp')];
    const kept = [path.join(dir, 'experiment.yaml'), path.join(dir, 'trials', 'abc', 'summary.json'), path.join(dir, 'trials', 'abc', 'notes.tmp')];
    await Promise.all([...temps, ...kept].map((f) => writeFile(f, '')));
    assert.deepEqual((await removeTempFiles(dir)).sort(), temps.sort());
    for (const f of kept) await stat(f);
  });
});
