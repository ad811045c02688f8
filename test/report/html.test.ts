// The page assembly (pure): escaping, the header, the trial table, missed expectations, shared data sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseCharts } from '../../src/report/charts/index.js';
import { escapeHtml, inlineScript, jsonForScript } from '../../src/report/html/escape.js';
import { formatDuration, formatSpan } from '../../src/format.js';
import { payload } from '../../src/report/html/page.js';
import { buildReport } from '../../src/report/index.js';
import type { Results } from '../../src/report/results.js';
import type { Summary } from '../../src/types.js';
import { fixtureResults, type FixtureOptions } from './fixture-results.js';

const LIBS = { vega: '/* vega */', vegaLite: '/* vega-lite */', vegaEmbed: '/* vega-embed */' };
const render = (r: Results) => buildReport(r, LIBS);
const GRID: FixtureOptions = {
  name: 'grid',
  grid: { 'train.lr': [0.01, 0.1, 1.5], 'train.batch_size': [32, 'full'] },
  steps: 600,
  evalEvery: 200,
  failed: [5],
  unfinished: [3],
};

/** The JSON of the page's data element, parsed. */
function embedded(html: string): { datasets: Record<string, Record<string, unknown>[]>; charts: { id: string; datasets: string[] }[] } {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  assert.ok(m, 'the data element is there and holds no raw "<"');
  return JSON.parse(m[1]!);
}

test('a name and a description containing <script> show as text, and the page has only its own five scripts', async () => {
  const r = await fixtureResults({ name: 'escape', steps: 100 });
  r.experiment.name = '<script>alert("name")</script>';
  r.experiment.description = 'Is <b>bold</b> & <script>alert(1)</script> safe?';
  const html = render(r);
  assert.ok(html.includes('<h1>&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;</h1>'));
  assert.ok(html.includes('Is &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; safe?'));
  assert.equal(html.match(/<script/g)?.length, 5, 'data + vega + vega-lite + vega-embed + page script');
});

test('a </script> inside a grid value stays inside the JSON data and reads back unchanged', async () => {
  const evil = '</script><script>alert(2)</script>';
  // Set after reading, as in the test above: a stored config.json with this loss would be damaged (not fused or manual).
  const r = await fixtureResults({ name: 'json', grid: { loss: ['fused', 'manual'] }, steps: 100 });
  r.experiment.grid['loss'] = ['fused', evil];
  r.trials[1]!.trial.params['loss'] = evil;
  const html = render(r);
  assert.equal(html.match(/<script/g)?.length, 5);
  const data = embedded(html);
  assert.ok(data.datasets['trials']!.some((t) => String(t['label']).includes(evil)));
  assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;alert(2)'), 'the table shows it as text');
});

test('the header gives when, how long, backend and versions, commit, base seed and trial counts', async () => {
  const html = render(await fixtureResults(GRID));
  for (const s of [
    '2026-11-28 07:00:00 →',
    'wasm · @tensorflow/tfjs 4.22.0',
    'run-exp 0.1.0, Node v20.19.0',
    '<code>0123456789ab</code>',
    '<dd>2147483647</dd>',
    '<span class="status status-ok">3 ok</span>',
    '<span class="status status-diverged">1 diverged</span>',
    '<span class="status status-failed">1 failed</span>',
    '<span class="status status-unfinished">1 unfinished</span>',
  ]) assert.ok(html.includes(s), `header has ${s}`);
});

test('a resumed run that skipped every trial shows its own time as such, and the trials\' time beside it', async () => {
  const r = await fixtureResults(GRID);
  r.run = { ...r.run!, seconds: 0.1 };
  const total = r.trials.reduce((sum, t) => sum + (t.summary?.seconds ?? 0), 0);
  const html = render(r);
  assert.ok(html.includes('<dt>took</dt><dd>0.1 s <small>(this run)</small></dd>'));
  assert.ok(html.includes(`<dt>trial time</dt><dd>${formatDuration(total)} <small>(sum over 5 trials)</small></dd>`), 'the unfinished trial is not counted');
});

test('generated names are listed under the varying values of their trial', async () => {
  const r = await fixtureResults(GRID);
  const html = render(r);
  const first = r.trials[0]!;
  assert.ok(first.samples.length > 0);
  assert.ok(html.includes(`<div><dt>lr=0.01 batch_size=32</dt><dd>${first.samples.map((s) => `<span>${s}</span>`).join(' ')}</dd></div>`));
});

test('the trial table marks diverged and failed trials with their reasons, and sorts numbers as numbers', async () => {
  const html = render(await fixtureResults(GRID));
  assert.match(html, /<tr class="row-diverged">.*status-diverged">diverged<\/span><div class="reason">loss became NaN at step \d+<\/div>/);
  assert.match(html, /<tr class="row-failed">.*status-failed">failed<\/span><div class="reason">worker crashed \(signal SIGKILL\)<\/div><details><summary>error/);
  assert.match(html, /<tr class="row-unfinished">/);
  assert.match(html, /<th data-type="number"><button type="button">dev loss<\/button><\/th>/);
  assert.match(html, /<th data-type="text"><button type="button">train.batch_size<\/button><\/th>/, 'mixed 32/full sorts as text');
});

test('the trial table says from which step a resumed trial went on', async () => {
  const r = await fixtureResults(GRID);
  const ok = r.trials.find((t) => t.summary?.status === 'ok')!;
  (ok.summary as Summary).resumed_from = 12000;
  assert.match(render(r), /<tr class="row-ok">.*status-ok">ok<\/span><div class="reason">resumed from step 12,000<\/div><\/td>/);
});

test('missed expectations are listed first, with the trial, the key, what was expected and what was found', async () => {
  const r = await fixtureResults(GRID);
  const id = r.trials[1]!.trial.id;
  r.expectations = [
    { expectation: 0, trial: id, params: r.trials[1]!.trial.params, key: 'dev_loss', expected: '< 2.0', found: '2.4123', passed: false },
    { expectation: 1, trial: r.trials[0]!.trial.id, params: {}, key: 'status', expected: 'ok', found: 'ok', passed: true },
  ];
  const html = render(r);
  assert.ok(html.indexOf('expect-missed') < html.indexOf('id="charts"'), 'before the charts');
  assert.ok(html.includes('1 of 2 expectation checks missed'));
  assert.ok(html.includes(`<td>#1</td><td>lr=0.01 batch_size=full (${id})</td><td><code>dev_loss</code></td><td>&lt; 2.0</td><td>2.4123</td>`));
});

test('expectations that all held give a one-line all-clear', async () => {
  const r = await fixtureResults({ name: 'held', steps: 100 });
  r.expectations = [{ expectation: 0, trial: r.trials[0]!.trial.id, params: {}, key: 'status', expected: 'ok', found: 'ok', passed: true }];
  assert.ok(render(r).includes('All 1 expectation checks held.'));
});

test('each data set is embedded once however many charts use it', async () => {
  const r = await fixtureResults(GRID);
  const charts = chooseCharts(r);
  const p = payload(charts);
  assert.ok(charts.filter((c) => JSON.stringify(Object.keys((c.spec as { datasets: object }).datasets)).includes('trials')).length >= 3);
  assert.deepEqual(Object.keys(p.datasets).sort(), ['curve', 'evals', 'parallel', 'parallel_ticks', 'reference', 'smooth', 'stops', 'trials']);
  for (const c of p.charts) assert.equal('datasets' in c.spec, false, `${c.id}: its spec no longer carries the data`);
  assert.equal(embedded(render(r)).charts.length, charts.length);
});

test('two charts with different data under the same name keep both', () => {
  const a = [{ v: 1 }];
  const b = [{ v: 2 }];
  const p = payload([
    { id: 'one', title: '', caption: '', spec: { datasets: { s: a }, data: { name: 's' }, mark: 'point' } },
    { id: 'two', title: '', caption: '', spec: { datasets: { s: b }, data: { name: 's' }, mark: 'point' } },
  ]);
  assert.deepEqual(p.datasets, { s: a, 'two:s': b });
  assert.deepEqual(p.charts.map((c) => c.datasets), [['s'], ['two:s']]);
});

const escapes: [string, string][] = [
  ['<script>', '&lt;script&gt;'],
  ['a & b', 'a &amp; b'],
  [`"quoted" 'single'`, '&quot;quoted&quot; &#39;single&#39;'],
];
for (const [raw, escaped] of escapes) {
  test(`${JSON.stringify(raw)} is escaped as ${JSON.stringify(escaped)}`, () => assert.equal(escapeHtml(raw), escaped));
}

test('JSON for a script element has no "<" and parses back to the same value', () => {
  const v = { s: '</script><!-- \u2028 x' };
  const j = jsonForScript(v);
  assert.equal(j.includes('<'), false);
  assert.deepEqual(JSON.parse(j), v);
});

test('a library containing "</script" is refused rather than inlined', () => {
  assert.throws(() => inlineScript('evil', 'var s = "</script>";'), /evil: cannot be inlined: its source contains "<\/script"/);
});

const durations: [number, string][] = [[0.84, '0.8 s'], [42.4, '42 s'], [192, '3 min 12 s'], [3725, '1 h 02 min']];
for (const [s, text] of durations) test(`${s} seconds read as "${text}"`, () => assert.equal(formatDuration(s), text));

test('a run within one day shows its date once', () => {
  assert.equal(formatSpan('2026-11-28T07:00:00Z', '2026-11-28T07:12:30.5Z'), '2026-11-28 07:00:00 → 07:12:30 UTC');
  assert.equal(formatSpan('2026-11-28T23:59:00Z', '2026-11-29T00:01:00Z'), '2026-11-28 23:59:00 UTC → 2026-11-29 00:01:00 UTC');
});

test('without run.json the header takes when and how long from the trials themselves', async () => {
  const r = await fixtureResults({ name: 'norun', steps: 100 });
  r.run = null;
  const html = render(r);
  assert.ok(html.includes('2026-11-28 07:00:00 → 07:00:10 UTC <small>(from the trials; no run.json)</small>'));
  assert.ok(html.includes('<dd>10 s</dd>'));
});

/** A random search with ASHA, as in issue #11: continuous lr and hidden size, stopped trials with partial curves. */
const RANDOM: FixtureOptions = {
  name: 'random',
  grid: { 'train.lr': { log_uniform: [0.003, 2] }, 'model.hidden': { int_uniform: [32, 400] } },
  search: { trials: 16, seed: 1 },
  earlyStop: { method: 'asha', grace: 100, eta: 3 },
  steps: 900,
  evalEvery: 100,
};

/** The rows of the best-trials table, as cell texts. */
function bestRows(html: string): string[][] {
  const m = /<section id="best">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html);
  assert.ok(m, 'a best-trials section');
  return [...m[1]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()));
}

test('the best trials come first (after the header): the five lowest dev losses in order, with their values, status, steps and losses', async () => {
  const r = await fixtureResults(RANDOM);
  const html = render(r);
  assert.ok(html.indexOf('id="best"') < html.indexOf('id="charts"') && html.indexOf('id="best"') > html.indexOf('</header>'));
  const expected = r.trials
    .filter((t) => typeof t.summary?.final.dev_loss === 'number')
    .sort((a, b) => a.summary!.final.dev_loss! - b.summary!.final.dev_loss!)
    .slice(0, 5);
  assert.ok(expected.some((t) => t.summary!.status === 'stopped'), 'the fixture has a stopped trial among the best (the case to show)');
  const rows = bestRows(html);
  assert.deepEqual(rows.map((row) => row[1]), expected.map((t) => String(t.trial.index)), 'ranked by dev loss');
  for (const [i, t] of expected.entries()) {
    const s = t.summary!;
    const steps = s.steps < s.steps_planned ? `${s.steps.toLocaleString('en-US')} / ${s.steps_planned.toLocaleString('en-US')}` : s.steps.toLocaleString('en-US');
    const status = s.status === 'stopped' ? `stopped ${s.reason}` : s.status;
    assert.deepEqual(rows[i], [String(i + 1), String(t.trial.index), String(t.trial.params['train.lr']), String(t.trial.params['model.hidden']), status, steps, s.final.train_loss!.toFixed(4), s.final.dev_loss!.toFixed(4), t.trial.id]);
  }
  assert.match(html, /The 5 lowest final dev losses of the \d+ trials that have one\. A stopped trial's losses are those of its last evaluation/);
});

test('with several seeds per grid point, the best grid points rank by their mean ± sd, a grid point missing a seed\'s loss after the complete ones', async () => {
  // lr 0.1 has the lower loss floor, but one of its three seeds failed: it ranks after lr 0.05.
  const r = await fixtureResults({ name: 'seeded', grid: { 'train.lr': [0.05, 0.1] }, repeat: 3, steps: 300, failed: [4] });
  const html = render(r);
  const rows = bestRows(html);
  const devs = (lr: number) => r.trials.filter((t) => t.trial.params['train.lr'] === lr).map((t) => t.summary!.final.dev_loss).filter((v): v is number => v !== null);
  const meanSd = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return `${m.toFixed(4)} ± ${Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)).toFixed(4)}`;
  };
  assert.deepEqual(rows.map((row) => [row[0], row[1], row[2], row[3], row[5]]), [
    ['1', '0.05', '3', '3 ok', meanSd(devs(0.05))],
    ['2', '0.1', '2 of 3', '2 ok 1 failed', meanSd(devs(0.1))],
  ]);
  assert.match(html, /Best grid points<\/h2>\n<p class="hint">The 2 lowest mean final dev losses: mean ± sample sd \(n − 1\) over each grid point&#39;s seeds; a grid point where some seed has no final loss/);
  assert.match(html, /<section id="grid-points">/, 'and a table of every grid point');
  assert.equal(render(await fixtureResults({ name: 'unseeded', grid: { 'train.lr': [0.05, 0.1] }, steps: 100 })).includes('id="grid-points"'), false);
});

test('with fewer than two trials with a final loss there is no best-trials section', async () => {
  assert.equal(render(await fixtureResults({ name: 'one', steps: 100 })).includes('id="best"'), false);
  assert.equal(render(await fixtureResults({ name: 'one-ok', grid: { 'train.lr': [0.1, 2] }, steps: 300 })).includes('id="best"'), false, 'the diverged trial has no final loss');
});

/** Mark trials of a 4-trial grid of 1,000 steps as stopped after the given steps. */
async function stoppedAt(steps: (number | null)[], rule?: Record<string, unknown>): Promise<Results> {
  const r = await fixtureResults({ name: 'saved', grid: { 'train.lr': [0.03, 0.05, 0.1, 0.2] }, steps: 1000 });
  for (const [i, n] of steps.entries()) {
    if (n === null) continue;
    Object.assign(r.trials[i]!.summary as Summary, { status: 'stopped', steps: n, reason: `ASHA: dev loss 2.6 at step ${n} is not in the best third` });
  }
  if (rule !== undefined) (r.experiment as unknown as Record<string, unknown>)['early_stop'] = rule;
  return r;
}

const savings: { title: string; steps: (number | null)[]; rule?: Record<string, unknown>; line: string | null }[] = [
  {
    title: 'two of four trials stopped after 100 and 300 of 1,000 steps saved 1,600 of 4,000 steps',
    steps: [100, null, 300, null],
    rule: { method: 'asha', metric: 'dev_loss', grace: 100, eta: 3 },
    line: '<strong>early stopping</strong> (ASHA, grace 100 steps, η = 3): 2 of 4 trials stopped, 1,600 of 4,000 steps saved (40 %)',
  },
  {
    title: 'a median rule that stopped nothing still says so',
    steps: [null, null, null, null],
    rule: { method: 'median', metric: 'train_loss', grace: 200, min_trials: 3 },
    line: '<strong>early stopping</strong> (median rule, on train loss, grace 200 steps, at least 3 other trials): 0 of 4 trials stopped, 0 of 4,000 steps saved (0 %)',
  },
  { title: 'stopped trials without a rule in the experiment are still counted', steps: [950, null, null, null], line: '<strong>early stopping</strong>: 1 of 4 trials stopped, 50 of 4,000 steps saved (1.3 %)' },
  { title: 'no rule and no stopped trial: no early-stopping line', steps: [null, null, null, null], line: null },
];
for (const c of savings) {
  test(`the header's steps saved: ${c.title}`, async () => {
    const html = render(await stoppedAt(c.steps, c.rule));
    const m = /<p class="early-stop" id="early-stopping">(.*)<\/p>/.exec(html);
    assert.equal(m?.[1] ?? null, c.line);
  });
}

test('the trial table shows a stopped trial with its reason and its steps out of the planned', async () => {
  const html = render(await stoppedAt([300, null, null, null]));
  assert.match(html, /<tr class="row-stopped">.*status-stopped">stopped<\/span><div class="reason">ASHA: dev loss 2\.6 at step 300 is not in the best third<\/div><\/td><td data-v="kernel">kernel<\/td><td class="num" data-v="300">300 \/ 1,000<\/td>/);
});

test('a stopped trial\'s reason and an early-stopping rule from the file are escaped wherever they show', async () => {
  const r = await stoppedAt([100, null, null, null], { method: '<script>x</script>', grace: 100 });
  (r.trials[0]!.summary as Summary).reason = 'stopped <b>early</b>';
  const html = render(r);
  assert.ok(html.includes('(&lt;script&gt;x&lt;/script&gt;, grace 100 steps)'));
  assert.equal(html.includes('<b>early</b>'), false);
  assert.equal((html.match(/stopped &lt;b&gt;early&lt;\/b&gt;/g) ?? []).length, 2, 'in the best trials and in the trial table');
  assert.equal(html.match(/<script/g)?.length, 5);
});

test('a random search says so in the header: draws and seed', async () => {
  assert.ok(render(await fixtureResults(RANDOM)).includes('<dt>search</dt><dd>random, 16 draws, seed 1</dd>'));
  assert.equal(render(await fixtureResults(GRID)).includes('<dt>search</dt>'), false);
});
