// The index page: a row per experiment with a link to its report, text from the YAML as text, a valid chart.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { renderIndex } from '../../../src/report/overview/page.js';
import { scanResults } from '../../../src/report/overview/scan.js';
import { withDir, writeFixtureResults } from '../fixture-results.js';
import { assertValidChart } from '../vega-check.js';

const LIBS = { vega: '/* vega */', vegaLite: '/* vega-lite */', vegaEmbed: '/* vega-embed */' };

test('a row per experiment: a link to its report, its description as text, its best loss with ± sd over seeds; the chart is valid Vega-Lite', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'seeded', description: '<script>alert(1)</script> & co', grid: { 'train.lr': [0.05, 0.1] }, repeat: 3, steps: 200 });
    await writeFixtureResults(out, { name: 'single', steps: 200 });
    await writeFile(path.join(out, 'single.html'), '<!doctype html>');
    const overview = await scanResults(out);
    const html = renderIndex(overview, LIBS, '2026-12-01T10:00:00.000Z');
    assert.equal(html.match(/<script/g)?.length, 5, 'data + three libraries + the page script: the description stays text');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co'));
    assert.ok(html.includes('<a href="single.html">single</a>'));
    assert.match(html, /<input type="checkbox" class="pick" value="seeded" aria-label="compare seeded">seeded<\/td>/, 'no report yet: no link');
    const best = overview.experiments[0]!.best!.judged!.stats;
    assert.ok(html.includes(`${best.mean.toFixed(4)} ± ${best.sd!.toFixed(4)} <small>dev</small>`));
    assert.ok(html.includes('lr=0.1 <small>(mean of 3 seeds)</small>'));
    assert.ok(html.includes('data-out="--out ' + out + '"'));
    const data = JSON.parse(/<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)![1]!) as { charts: { id: string; spec: object; datasets: string[] }[]; datasets: Record<string, unknown[]> };
    assert.deepEqual(data.charts.map((c) => c.id), ['best-by-experiment']);
    const chart = data.charts[0]!;
    await assertValidChart({ id: chart.id, title: '', caption: '', spec: { ...chart.spec, datasets: { best: data.datasets['best']! } } as never });
    assert.deepEqual((data.datasets['best'] as { experiment: string }[]).map((r) => r.experiment), ['seeded', 'single'].sort((a, b) => {
      const loss = (n: string) => overview.experiments.find((e) => e.name === n)!.best!.judged!.stats.mean;
      return loss(a) - loss(b);
    }), 'least loss first');
  }));

test('an empty DIR gets a page that says so, without a chart', () =>
  withDir(async (out) => {
    const html = renderIndex(await scanResults(out), LIBS, '2026-12-01T10:00:00.000Z');
    assert.match(html, /No experiment has results in .* yet\./);
    assert.doesNotMatch(html, /class="vis"/);
  }));
