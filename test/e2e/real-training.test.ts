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

  it('stops within 3 s on SIGINT from the command line, with exit code 130, no temp files, and each trial\'s checkpoint at the step its metrics stop', async () => {
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
    assert.ok(ms < 3000, `it took ${ms} ms to stop`);
    assert.deepEqual(await tempFilesUnder(out), []);
    // Both trials are unfinished: no summary; what they trained is in metrics.jsonl, in whole lines from step 0, up
    // to the checkpoint the signal asked for (the worker trains no more after it).
    const trials = await readdir(path.join(out, 'long', 'trials'));
    assert.equal(trials.length, 2);
    for (const id of trials) {
      assert.deepEqual((await readdir(path.join(out, 'long', 'trials', id))).sort(), ['checkpoint.json', 'config.json', 'metrics.jsonl']);
      const text = await readFile(path.join(out, 'long', 'trials', id, 'metrics.jsonl'), 'utf8');
      const steps = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { step: number; split?: string }).filter((r) => r.split === undefined).map((r) => r.step);
      assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i));
      assert.ok(text.endsWith('\n'));
      const checkpoint = JSON.parse(await readFile(path.join(out, 'long', 'trials', id, 'checkpoint.json'), 'utf8')) as { step: number; metrics: { bytes: number } };
      assert.deepEqual([checkpoint.step, checkpoint.metrics.bytes], [steps.length, Buffer.byteLength(text)]);
      assert.match(result.stderr, new RegExp(`trial ${id}: checkpoint at step ${steps.length.toLocaleString('en-US')} written`));
    }
  });
});

describe('a random search with early stopping, for real', () => {
  /** A random search of the lr with ASHA (rungs at 30, 90 and 270 of 300 steps): `trials` draws. */
  async function search(dir: string, trials: number, earlyStop = true): Promise<string> {
    const file = path.join(dir, 'search.yaml');
    await writeFile(
      file,
      [
        'name: search',
        'data: {builtin: names, slice: {first: 200}}',
        'model: {block_size: 3, embed_dim: 2, hidden: 16}',
        'train: {steps: 300, batch_size: 16}',
        'eval: {every: 30, splits: [dev]}',
        'sample: 0',
        `search: {method: random, trials: ${trials}, seed: 5}`,
        'grid: {train.lr: {log_uniform: [0.001, 3]}}',
        ...(earlyStop ? ['early_stop: {method: asha, grace: 30, eta: 3}'] : []),
        '',
      ].join('\n'),
    );
    return file;
  }
  type Doc = { trials: { id: string; params: { 'train.lr': number }; status: string; final: { dev_loss: number } }[] };
  const run = async (file: string, out: string, ...args: string[]) => {
    const result = await execaNode(CLI, [file, '--out', out, '--jobs', '1', '--backend', 'cpu', '--json', ...args], { reject: false, nodeOptions: [] });
    assert.equal(result.exitCode, 0, result.stderr);
    return JSON.parse(result.stdout) as Doc;
  };
  const decisions = async (out: string, doc: Doc) =>
    Promise.all(doc.trials.map(async (t) => {
      const s = JSON.parse(await readFile(path.join(out, 'search', 'trials', t.id, 'summary.json'), 'utf8')) as { status: string; steps: number };
      return `${t.id} ${s.status} ${s.steps}`;
    }));

  it('with --jobs 1 stops the same trials at the same steps every time, and keeps the first draws when trials grow', async () => {
    const dir = await tempOut();
    const file = await search(dir, 6);
    const out = path.join(dir, 'reports');
    const first = await run(file, out);
    const once = await decisions(out, first);
    assert.ok(first.trials.some((t) => t.status === 'stopped'), `some trial stopped: ${once.join(', ')}`);
    assert.ok(first.trials.some((t) => t.status === 'ok'), 'the best went to the end');
    const again = await run(file, out, '--force');
    assert.deepEqual(await decisions(out, again), once);

    // Eight draws: the first six are the same trials (same ids, skipped as finished), two more are trained and judged.
    const grown = await run(await search(dir, 8), out);
    assert.deepEqual(grown.trials.slice(0, 6).map((t) => t.id), first.trials.map((t) => t.id));
    assert.deepEqual((await decisions(out, grown)).slice(0, 6), once);
    for (const t of grown.trials) {
      const s = JSON.parse(await readFile(path.join(out, 'search', 'trials', t.id, 'summary.json'), 'utf8')) as { status: string; steps: number; reason?: string };
      if (s.status === 'stopped') assert.match(s.reason!, /^ASHA: dev loss [\d.]+ at step (30|90|270) is not in the best 1\/3 of the \d trials that reached it/);
      else assert.equal(s.steps, 300);
    }

    // Without early_stop, the stopped trials are unfinished: a re-run trains them to their last step, the others stay.
    const stopped = grown.trials.filter((t) => t.status === 'stopped').length;
    const result = await execaNode(CLI, [await search(dir, 8, false), '--out', out, '--jobs', '1', '--backend', 'cpu', '--json'], { reject: false, nodeOptions: [] });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`skipping ${8 - stopped} of 8 trials finished by an earlier run`));
    assert.match(result.stderr, new RegExp(`running ${stopped} trials? that an earlier run stopped early to the end: this experiment has no early_stop`));
    const unstopped = JSON.parse(result.stdout) as Doc;
    assert.deepEqual(unstopped.trials.map((t) => t.id), grown.trials.map((t) => t.id));
    for (const line of await decisions(out, unstopped)) assert.match(line, / (ok|diverged) /);
    for (const line of await decisions(out, unstopped)) if (line.includes(' ok ')) assert.match(line, / 300$/);
  });
});
