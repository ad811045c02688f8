// `run-exp compare` through the real command line: the page's path on stdout (or one JSON document with --json), an
// argument that names nothing left out with exit 1, nothing left to compare exit 2 with nothing written, usage errors
// exit 2. And `run-exp report` rewrites DIR/index.html beside the report.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { execa } from 'execa';
import { ROOT } from '../paths.js';
import { writeFixtureResults } from '../report/fixture-results.js';
import { tempOut } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'run-exp.js');
const runExp = (args: string[]) => execa(process.execPath, [BIN, ...args], { reject: false, env: { NO_COLOR: '1' } });

describe('run-exp compare', () => {
  let out = '';
  let trial = '';
  before(async () => {
    out = await tempOut();
    trial = (await writeFixtureResults(out, { name: 'seeded', grid: { 'train.lr': [0.05, 0.1] }, repeat: 2, steps: 200 })).trials[0]!.id;
    await writeFixtureResults(out, { name: 'single', steps: 200 });
    await writeFixtureResults(out, { name: 'pending', unfinished: [0] });
  });

  it('writes DIR/compare.A+B.html and prints its path; exit 0', async () => {
    const r = await runExp(['compare', 'seeded', `single`, `seeded@${trial.slice(0, 6)}`, '--out', out]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, path.join(out, `compare.seeded+single+seeded@${trial.slice(0, 6)}.html`));
    assert.equal(r.stderr, '');
    assert.match(await readFile(r.stdout, 'utf8'), /<title>seeded vs single vs seeded@[0-9a-f]{6} · run-exp comparison<\/title>/);
  });

  it('with --json prints one JSON document, and nothing else on stdout', async () => {
    const r = await runExp(['compare', 'seeded', 'single', '--out', out, '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { report: string; compared: { name: string; seeds: number; final: { dev_loss: { n: number } } }[]; left_out: unknown[]; config_diff: { key: string }[] };
    assert.equal(doc.report, path.join(out, 'compare.seeded+single.html'));
    assert.deepEqual(doc.compared.map((c) => [c.name, c.seeds, c.final.dev_loss.n]), [['seeded', 2, 2], ['single', 1, 1]]);
    assert.deepEqual(doc.left_out, []);
    assert.deepEqual(doc.config_diff.map((d) => d.key), ['seed'], 'the best lr of seeded is single\'s 0.1: only the seeds differ');
  });

  it('leaves out what names nothing to compare, saying why on stderr and on the page; exit 1', async () => {
    const r = await runExp(['compare', 'seeded', 'pending', 'nope', '--out', out]);
    assert.equal(r.exitCode, 1);
    assert.equal(r.stdout, path.join(out, 'compare.seeded+pending+nope.html'));
    assert.equal(
      r.stderr,
      'run-exp compare: pending is left out: pending has no finished trial with a final loss (its 1 trial: 1 unfinished)\n' +
        `run-exp compare: nope is left out: no experiment nope in ${out} (no ${path.join(out, 'nope', 'experiment.yaml')}); experiments there: pending, seeded, single`,
    );
    assert.match(await readFile(r.stdout, 'utf8'), /<h2>✗ 2 left out<\/h2>/);
  });

  it('exits 2 and writes nothing when nothing is left to compare', async () => {
    const before = (await readdir(out)).sort();
    const r = await runExp(['compare', 'pending', 'nope', '--out', out]);
    assert.equal(r.exitCode, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /run-exp compare: nothing left to compare; nothing was written$/);
    assert.deepEqual((await readdir(out)).sort(), before);
  });

  for (const [args, said] of [
    [['compare', 'seeded'], /compare: expected two or more experiments \(NAME, or NAME@ID for one of its trials\), got seeded/],
    [['compare', 'seeded', 'seeded'], /compare: seeded is named twice/],
    [['compare', 'seeded', 'Single'], /compare: "Single": expected an experiment NAME or NAME@ID/],
    [['compare', 'seeded', 'single', '--jobs', '2'], /compare: expected only --out DIR and --json, got --jobs/],
  ] as const) {
    it(`refuses \`run-exp ${args.join(' ')}\` as a usage error: exit 2`, async () => {
      const r = await runExp([...args, '--out', out]);
      assert.equal(r.exitCode, 2);
      assert.match(r.stderr, said);
      assert.equal(r.stdout, '');
    });
  }
});

describe('run-exp report', () => {
  it('rewrites DIR/index.html beside the report', async () => {
    const out = await tempOut();
    await writeFixtureResults(out, { name: 'one', steps: 100 });
    const r = await runExp(['report', 'one', '--out', out]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['index.html', 'one', 'one.html']);
    assert.ok((await readFile(path.join(out, 'index.html'), 'utf8')).includes('<a href="one.html">one</a>'));
  });
});
