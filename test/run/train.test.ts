// End to end with real training: the command line, the real worker (TF.js), the real report, tiny data and few steps.
import assert from 'node:assert/strict';
import { access, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execaNode } from 'execa';
import { ROOT } from '../paths.js';
import { tempFilesUnder, tempOut } from './helpers.js';

const CLI = path.join(ROOT, 'bin', 'run-exp.js');

/** A tiny experiment: the first 50 names, a small network, `steps` steps, two trials. */
async function tinyExperiment(name: string, steps: number): Promise<{ dir: string; file: string; out: string }> {
  const dir = await tempOut();
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    [
      `name: ${name}`,
      'data: {builtin: names, slice: {first: 50}}',
      'model: {block_size: 3, embed_dim: 2, hidden: 16}',
      `train: {steps: ${steps}, batch_size: 16, lr: 0.1}`,
      `eval: {every: ${Math.min(steps, 10)}, splits: [train, dev]}`,
      'sample: 3',
      'grid: {loss: [manual, fused]}',
      '',
    ].join('\n'),
  );
  return { dir, file, out: path.join(dir, 'reports') };
}

describe('a real training run', () => {
  it('trains two tiny trials in parallel, writes their files and the report, and prints the JSON document', async () => {
    const { file, out } = await tinyExperiment('tiny', 30);
    const result = await execaNode(CLI, [file, '--out', out, '--jobs', '2', '--backend', 'cpu', '--json'], { reject: false, nodeOptions: [] });
    assert.equal(result.exitCode, 0, result.stderr);
    const doc = JSON.parse(result.stdout);
    assert.equal(doc.report, path.join(out, 'tiny.html'));
    await access(doc.report);
    assert.deepEqual(doc.trials.map((t: { params: unknown }) => t.params), [{ loss: 'manual' }, { loss: 'fused' }]);
    for (const t of doc.trials) {
      assert.equal(t.status, 'ok');
      assert.ok(t.final.train_loss > 0 && t.final.train_loss < 4, `train loss ${t.final.train_loss}`);
      assert.ok(t.final.dev_loss > 0, `dev loss ${t.final.dev_loss}`);
      const dir = path.join(out, 'tiny', 'trials', t.id);
      assert.deepEqual((await readdir(dir)).filter((f) => f !== 'stderr.log').sort(), ['config.json', 'metrics.jsonl', 'samples.txt', 'summary.json', 'weights.json']);
      const rows = (await readFile(path.join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(rows.filter((r) => 'lr' in r).length, 30);
      assert.equal((await readFile(path.join(dir, 'samples.txt'), 'utf8')).trim().split('\n').length, 3);
      const weights = JSON.parse(await readFile(path.join(dir, 'weights.json'), 'utf8'));
      assert.deepEqual(weights.map((w: { name: string }) => w.name).sort(), ['C', 'W1', 'W2', 'b1', 'b2']);
    }
    const run = JSON.parse(await readFile(path.join(out, 'tiny', 'run.json'), 'utf8'));
    assert.equal(run.name, 'tiny');
    assert.ok(run.seconds > 0);
    assert.match(await readFile(path.join(out, 'tiny', 'experiment.yaml'), 'utf8'), /^name: tiny$/m);
  });

  it('stops within 2 s on SIGINT from the command line, with exit code 130 and no temp files', async () => {
    const { file, out } = await tinyExperiment('long', 1_000_000);
    const cli = execaNode(CLI, [file, '--out', out, '--jobs', '2', '--backend', 'cpu'], { reject: false, nodeOptions: [] });
    let stderr = '';
    cli.stderr.on('data', (chunk) => (stderr += chunk));
    for (const t0 = Date.now(); (stderr.match(/start /g) ?? []).length < 2; ) {
      assert.ok(Date.now() - t0 < 30_000, `the trials never started:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1500)); // the workers load TF.js and start training
    const sent = Date.now();
    cli.kill('SIGINT');
    const result = await cli;
    const ms = Date.now() - sent;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.ok(ms < 2000, `it took ${ms} ms to stop`);
    assert.deepEqual(await tempFilesUnder(out), []);
    // Both trials are unfinished: no summary; what they trained is in metrics.jsonl, in whole lines from step 0.
    const trials = await readdir(path.join(out, 'long', 'trials'));
    assert.equal(trials.length, 2);
    for (const id of trials) {
      assert.deepEqual((await readdir(path.join(out, 'long', 'trials', id))).sort(), ['config.json', 'metrics.jsonl']);
      const text = await readFile(path.join(out, 'long', 'trials', id, 'metrics.jsonl'), 'utf8');
      const steps = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { step: number; split?: string }).filter((r) => r.split === undefined).map((r) => r.step);
      assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i));
      assert.ok(text === '' || text.endsWith('\n'));
    }
  });
});
