// A comparison read from stored results: what each argument picked, what was left out and why, the config diff, the
// page (its chart valid Vega-Lite) and the JSON document.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { comparisonDocument, comparisonFile, readComparison, writeComparison } from '../../../src/report/compare/index.js';
import { parseSelector, type Selector } from '../../../src/report/compare/select.js';
import { withDir, writeFixtureResults } from '../fixture-results.js';
import { assertValidChart } from '../vega-check.js';

const selectors = (...texts: string[]) => texts.map((t) => parseSelector(t) as Selector);

test('two experiments and a trial of one of them: their best grid points and the trial, on one chart, with what differs between them', () =>
  withDir(async (out) => {
    const { trials } = await writeFixtureResults(out, { name: 'seeded', grid: { 'train.lr': [0.05, 0.1] }, repeat: 3, steps: 300, evalEvery: 100 });
    await writeFixtureResults(out, { name: 'wide', hidden: 300, grid: { 'train.lr': [0.1, 0.2] }, steps: 200, evalEvery: 100 });
    const chosen = selectors('seeded', 'wide', `seeded@${trials[0]!.id}`);
    const c = await readComparison(out, chosen);
    assert.deepEqual(c.leftOut, []);
    assert.deepEqual(c.items.map((i) => [i.selector.text, i.group.label, i.group.trials.length]), [['seeded', 'lr=0.1', 3], ['wide', 'lr=0.2', 1], [`seeded@${trials[0]!.id}`, 'lr=0.05', 1]]);
    assert.deepEqual(c.diff.rows.map((r) => r.key), ['seed', 'model.hidden', 'train.steps', 'train.lr']);
    assert.deepEqual(c.diff.rows[3]!.values, [0.1, 0.2, 0.05]);
    assert.deepEqual(c.diff.rows.find((r) => r.key === 'model.hidden')!.values, [200, 300, 200]);
    assert.equal((c.diff.rows[0]!.values[0] as number[]).length, 3, 'the seeds of the grid point, as a list');
    const file = await writeComparison(out, chosen, c);
    assert.equal(file, path.join(out, `compare.seeded+wide+seeded@${trials[0]!.id}.html`));
    assert.deepEqual((await readdir(out)).filter((f) => f.startsWith('.')), [], 'no temp file left');
    const html = await readFile(file, 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)![1]!) as { charts: { id: string; spec: object; datasets: string[] }[]; datasets: Record<string, unknown[]> };
    assert.deepEqual(data.charts.map((x) => x.id), ['compare-loss']);
    const spec = { ...data.charts[0]!.spec, datasets: Object.fromEntries(data.charts[0]!.datasets.map((n) => [n, data.datasets[n]!])) };
    await assertValidChart({ id: 'compare-loss', title: '', caption: '', spec: spec as never });
    assert.deepEqual([...new Set((data.datasets['bands'] as { group: number }[]).map((b) => b.group))], [0, 1, 2], 'a mean curve for each compared item');
    const doc = comparisonDocument(c, file);
    assert.deepEqual(doc.compared.map((x) => [x.name, x.seeds, x.trials.length]), [['seeded', 3, 3], ['wide', 1, 1], [`seeded@${trials[0]!.id}`, 1, 1]]);
    assert.equal(doc.compared[0]!.final.dev_loss!.n, 3);
    assert.equal(doc.report, file);
    assert.deepEqual(doc.config_diff.find((r) => r.key === 'model.hidden'), { key: 'model.hidden', values: [200, 300, 200] });
  }));

test('an experiment that does not exist and one with no finished trial are left out with the reason; the rest is compared', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'fine', steps: 100 });
    await writeFixtureResults(out, { name: 'pending', grid: { 'train.lr': [0.05, 0.1] }, unfinished: [0, 1] });
    const c = await readComparison(out, selectors('fine', 'pending', 'gone'));
    assert.deepEqual(c.items.map((i) => i.selector.text), ['fine']);
    assert.deepEqual(c.leftOut, [
      { text: 'pending', reason: 'pending has no finished trial with a final loss (its 2 trials: 2 unfinished)' },
      { text: 'gone', reason: `no experiment gone in ${out} (no ${path.join(out, 'gone', 'experiment.yaml')}); experiments there: fine, pending` },
    ]);
    const html = await readFile(await writeComparison(out, selectors('fine', 'pending', 'gone'), c), 'utf8');
    assert.match(html, /<h2>✗ 2 left out<\/h2>\n<ul><li><code>pending<\/code>: pending has no finished trial/);
  }));

test('a comparison page is named after the arguments, never an experiment\'s NAME.html, and shortened when that would be too long', () => {
  assert.equal(comparisonFile('r', selectors('a', 'b@12345')), path.join('r', 'compare.a+b@12345.html'));
  const many = selectors(...Array.from({ length: 30 }, (_, i) => `experiment-number-${i}`));
  const long = path.basename(comparisonFile('r', many));
  assert.match(long, /^compare\.experiment-number-0\+experiment-number-1\+experiment-number-2\+27-more-[0-9a-f]{10}\.html$/);
  assert.notEqual(long, path.basename(comparisonFile('r', many.slice(0, 29))));
});
