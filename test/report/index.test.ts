// writeReport end to end on stored results: the file, its self-contained libraries, checked expectations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { writeReport } from '../../src/report/index.js';
import { checkTrial } from '../../src/store/check-trial.js';
import { ROOT } from '../paths.js';
import { withDir, writeFixtureResults } from './fixture-results.js';

test('writeReport writes DIR/NAME.html whole, with vega, vega-lite and vega-embed inlined, and returns its path', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'whole', grid: { 'train.lr': [0.01, 0.1] }, steps: 200 });
    const file = await writeReport(out, 'whole');
    assert.equal(file, path.join(out, 'whole.html'));
    assert.deepEqual((await readdir(out)).sort(), ['whole', 'whole.html'], 'no temporary file left behind');
    const html = await readFile(file, 'utf8');
    for (const lib of ['vega', 'vega-lite', 'vega-embed']) assert.ok(html.includes(`<script>/* ${lib} */\n`), `${lib} inlined`);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'no external script or stylesheet');
    assert.ok((await stat(file)).size > 800_000, 'the libraries are in the file');
  }));

test('missed expectations from the expect stage appear in the report', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, {
      name: 'expect',
      grid: { 'train.lr': [0.01, 0.1] },
      steps: 300,
      expect: [{ status: 'ok' }, { where: { 'train.lr': 0.01 }, dev_loss: { lt: 2.0 } }],
    });
    const html = await readFile(await writeReport(out, 'expect'), 'utf8');
    assert.match(html, /1 of 3 expectation checks missed/);
    assert.match(html, /<td>#2<\/td><td>lr=0.01 \([0-9a-f]+\)<\/td><td><code>dev_loss<\/code><\/td><td>&lt; 2<\/td>/);
  }));

test('rebuilding a report from the same results gives the same bytes', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'same', grid: { loss: ['manual', 'fused'] }, steps: 200, embedDim: 2 });
    const a = await readFile(await writeReport(out, 'same'), 'utf8');
    const b = await readFile(await writeReport(out, 'same'), 'utf8');
    assert.equal(a, b);
  }));

test('a report built from a real short training run (the CLI) has its curves, evaluations and reference losses', () =>
  withDir(async (out) => {
    const yaml = path.join(out, 'tiny.yaml');
    const experiment = { name: 'tiny', data: { slice: { first: 300 } }, model: { embed_dim: 2, hidden: 16 }, train: { steps: 200 }, eval: { every: 100 }, sample: 3 };
    await writeFile(yaml, stringify(experiment));
    const run = await execa(process.execPath, [path.join(ROOT, 'bin', 'run-exp.js'), yaml, '--out', out, '--quiet', '--jobs', '1'], { reject: false, cwd: ROOT });
    assert.equal(run.exitCode, 0, `run-exp exited ${run.exitCode}: ${run.stderr}`);
    // What the real trainer writes is what the checker calls finished (both the resume step and the report judge by it).
    const [id] = await readdir(path.join(out, 'tiny', 'trials'));
    const stored = await checkTrial(path.join(out, 'tiny', 'trials', id!));
    assert.equal(stored.kind, 'finished', JSON.stringify(stored));
    // Rebuild as `run-exp report` would, then read the page's data back.
    const html = await readFile(await writeReport(out, 'tiny'), 'utf8');
    const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
    assert.ok(m);
    const data = JSON.parse(m[1]!) as { datasets: Record<string, Record<string, number | string>[]>; charts: { id: string }[] };
    assert.deepEqual(data.charts.map((c) => c.id), ['loss-vs-step', 'embedding']);
    assert.equal(data.datasets['curve']!.length, 200, 'every step of a short run');
    assert.deepEqual(data.datasets['evals']!.map((r) => `${r['step']} ${r['split']}`), ['100 train', '100 dev', '200 train', '200 dev']);
    // The vocabulary comes from all the built-in names (26 letters and '.'), even when only 300 train; C has a row each.
    const v = data.datasets['embedding']!.length;
    assert.equal(v, 27, `${v} characters`);
    const [uniform, bigram] = data.datasets['reference']!.map((r) => r['loss'] as number);
    assert.equal(uniform, Number(Math.log(v).toPrecision(5)));
    assert.ok(bigram! > 1.5 && bigram! < uniform!, `bigram ${bigram}`);
  }));

test('a report from a real random search with ASHA (the CLI) marks each stopped trial where it ended and counts the steps saved', () =>
  withDir(async (out) => {
    const yaml = path.join(out, 'search.yaml');
    await writeFile(
      yaml,
      stringify({
        name: 'search',
        data: { slice: { first: 300 } },
        model: { hidden: 16 },
        train: { steps: 270 },
        eval: { every: 10, splits: ['dev'] },
        sample: 2,
        search: { method: 'random', trials: 8, seed: 3 },
        grid: { 'train.lr': { log_uniform: [0.001, 1] }, 'model.hidden': { int_uniform: [8, 32] } },
        early_stop: { method: 'asha', grace: 10, eta: 3 },
      }),
    );
    const run = await execa(process.execPath, [path.join(ROOT, 'bin', 'run-exp.js'), yaml, '--out', out, '--quiet', '--jobs', '1'], { reject: false, cwd: ROOT });
    assert.equal(run.exitCode, 0, `run-exp exited ${run.exitCode}: ${run.stderr}`);
    const html = await readFile(path.join(out, 'search.html'), 'utf8');
    const summaries = await Promise.all((await readdir(path.join(out, 'search', 'trials'))).map(async (id) => JSON.parse(await readFile(path.join(out, 'search', 'trials', id, 'summary.json'), 'utf8'))));
    const stopped = summaries.filter((s) => s.status === 'stopped');
    assert.ok(stopped.length > 0 && stopped.length < 8, `${stopped.length} of 8 stopped`);
    const saved = stopped.reduce((n, s) => n + s.steps_planned - s.steps, 0);
    assert.ok(html.includes(`: ${stopped.length} of 8 trials stopped, ${saved.toLocaleString('en-US')} of 2,160 steps saved (`), 'the header counts the steps saved');
    const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
    const data = JSON.parse(m![1]!) as { datasets: Record<string, Record<string, number | string>[]>; charts: { id: string }[] };
    assert.deepEqual(data.charts.map((c) => c.id), ['loss-vs-step', 'parallel', 'final-vs-p0', 'final-vs-p1']);
    const trials = data.datasets['trials']!;
    for (const s of stopped) {
      const index = trials.find((t) => t['id'] === s.id)!['trial'];
      const mark = data.datasets['stops']!.find((r) => r['trial'] === index)!;
      assert.deepEqual([mark['kind'], mark['step'], mark['reason']], ['stopped', s.steps - 1, s.reason], 'at its last step, with its reason');
    }
    assert.match(html, /<section id="best">/);
  }));
