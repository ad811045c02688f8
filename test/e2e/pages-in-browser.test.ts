// The index of DIR, a comparison and a live report in a real browser (browser.ts): each opens offline from file://,
// its charts are drawn, nothing is logged as an error or fetched, and text from the YAML stays text. The live page
// reloads itself, keeping the reader's place, until the final report replaces it; that one does not reload.
// Screenshots go to test-output/pages/ (git-ignored).
import assert from 'node:assert/strict';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { readComparison, writeComparison } from '../../src/report/compare/index.js';
import { parseSelector, type Selector } from '../../src/report/compare/select.js';
import { writeReport } from '../../src/report/index.js';
import { LiveReport } from '../../src/report/live.js';
import { writeIndex } from '../../src/report/overview/index.js';
import { ROOT } from '../paths.js';
import { writeFixtureResults } from '../report/fixture-results.js';
import { assertChartsRendered, chartsSettled, launchBrowser, SKIP, visit, watch } from './browser.js';

const OUT = path.join(ROOT, 'test-output', 'pages');
const HOSTILE = '<script>window.__pwned = 1</script> & <b>bold</b>';
let browser: Browser | undefined;

before(async () => {
  if (SKIP) return;
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  browser = await launchBrowser();
  // Two experiments: a grid with seeds (its description hostile) and a single trial.
  await writeFixtureResults(OUT, { name: 'seeded', description: HOSTILE, grid: { 'train.lr': [0.05, 0.1, 0.3] }, repeat: 3, steps: 1000, evalEvery: 250, failed: [4] });
  await writeFixtureResults(OUT, { name: 'single', description: 'one trial', hidden: 100, steps: 800, evalEvery: 200 });
  await writeReport(OUT, 'seeded');
  await writeReport(OUT, 'single');
});

after(async () => {
  await browser?.close();
});

const skip = SKIP && 'RUN_EXP_SKIP_BROWSER=1';

test('the index opens offline: its chart drawn, descriptions as text, each experiment linked to its report; ticking two gives the compare command', { skip }, async () => {
  const v = await visit(browser!, await writeIndex(OUT));
  await assertChartsRendered(v, ['best-by-experiment']);
  assert.equal(await v.page.textContent('#experiments td.description'), HOSTILE);
  assert.equal(await v.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(await v.page.$$eval('#experiments tbody a', (as) => as.map((a) => (a as HTMLAnchorElement).href)), [pathToFileURL(path.join(OUT, 'seeded.html')).href, pathToFileURL(path.join(OUT, 'single.html')).href]);
  await v.page.locator('input.pick[value="single"]').check();
  await v.page.locator('input.pick[value="seeded"]').check();
  assert.equal(await v.page.textContent('#compare-command'), `run-exp compare seeded single --out ${OUT}`);
  // Sorting by best loss: least first, then, clicked again, greatest first; the rows move whole (name with its loss).
  const column = (await v.page.$$eval('#experiments thead th', (ths) => ths.map((th) => th.textContent))).indexOf('best loss');
  const shown = () => v.page.$$eval('#experiments tbody tr', (rows, col) => rows.map((r) => [r.querySelector('.pick')!.getAttribute('value'), Number(r.children[col]!.getAttribute('data-v'))] as [string, number]), column);
  const byLoss = [...(await shown())].sort((a, b) => a[1] - b[1]);
  assert.equal(byLoss.length, 2);
  assert.ok(byLoss[0]![1] < byLoss[1]![1], `two different best losses to sort: ${JSON.stringify(byLoss)}`);
  const sortBy = v.page.locator('#experiments th button', { hasText: 'best loss' });
  await sortBy.click();
  assert.deepEqual(await shown(), byLoss, 'ascending');
  assert.equal(await v.page.getAttribute(`#experiments thead th:nth-child(${column + 1})`, 'aria-sort'), 'ascending');
  await sortBy.click();
  assert.deepEqual(await shown(), [...byLoss].reverse(), 'descending');
  assert.equal(await v.page.getAttribute(`#experiments thead th:nth-child(${column + 1})`, 'aria-sort'), 'descending');
  await v.page.screenshot({ path: path.join(OUT, 'index.png'), fullPage: true });
  await v.page.locator('#experiments tbody a', { hasText: 'single' }).click();
  await chartsSettled(v.page);
  assert.equal(await v.page.textContent('h1'), 'single', 'the link opens the report');
  assert.deepEqual([v.errors, v.requests], [[], []]);
  await v.page.close();
});

test('a comparison opens offline: the curves of each compared item on one chart, the final losses, what differs; the description as text', { skip }, async () => {
  const selectors = ['seeded', 'single'].map((t) => parseSelector(t) as Selector);
  const v = await visit(browser!, await writeComparison(OUT, selectors, await readComparison(OUT, selectors)));
  await assertChartsRendered(v, ['compare-loss']);
  assert.equal(await v.page.textContent('#final tbody tr:first-child .reason'), HOSTILE);
  assert.equal(await v.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(await v.page.$$eval('#config-diff .table-wrap tbody tr td:first-child code', (cs) => cs.map((c) => c.textContent)), ['seed', 'model.hidden', 'train.steps', 'train.lr', 'eval.every']);
  const legend = await v.page.evaluate(() => (window as unknown as { reportViews: Record<string, { data(n: string): { label: string }[] }> }).reportViews['compare-loss']!.data('groups').map((g) => g.label));
  assert.deepEqual(legend, ['seeded', 'single']);
  await v.page.screenshot({ path: path.join(OUT, 'compare.png'), fullPage: true });
  await v.page.close();
});

test('a live report opens offline, says it is live and what runs, reloads itself keeping the reader\'s place; the final report does not reload', { skip }, async () => {
  // The experiment as a run of it goes on: trial 2 trained 300 of its 1,000 steps so far.
  const { trials } = await writeFixtureResults(OUT, { name: 'going', description: HOSTILE, grid: { 'train.lr': [0.05, 0.1, 0.3] }, steps: 1000, evalEvery: 250, unfinished: [2] });
  const rows = Array.from({ length: 300 }, (_, step) => JSON.stringify({ step, lr: 0.3, loss: 3 - step / 200 }) + '\n').join('');
  await appendFile(path.join(OUT, 'going', 'trials', trials[2]!.id, 'metrics.jsonl'), rows);
  const run = { name: 'going', file: 'going.yaml', started_at: new Date().toISOString(), git_commit: null, run_exp_version: '0.1.0', node_version: process.version, argv: [] };
  const signal = new AbortController().signal;
  const live = new LiveReport({ out: OUT, name: 'going', trials: [trials[2]!], run, write: writeReport, signal, onFailure: (e) => assert.fail(e.message), minIntervalMs: 500 });
  live.progress(trials[2]!, { step: 300, steps: 1000, loss: 1.5, steps_per_s: 2000 });
  while (live.cost.pages === 0) await new Promise((r) => setTimeout(r, 20));
  await live.stop();
  assert.equal(live.cost.pages, 1);
  const file = path.join(OUT, 'going.html');

  const page = await browser!.newPage({ viewport: { width: 1280, height: 700 } });
  const seen = watch(page);
  let loads = 0;
  page.on('load', () => (loads += 1));
  await page.goto(pathToFileURL(file).href);
  await chartsSettled(page);
  await assertChartsRendered({ page, ...seen, ms: 0 }, ['loss-vs-step', 'final-vs-p0']);
  assert.match((await page.textContent('#live h2')) ?? '', /^● Live: this run is going on$/);
  assert.equal(await page.textContent('#live tbody td:nth-child(2)'), 'lr=0.3');
  assert.equal(await page.textContent('.description'), HOSTILE);
  await page.screenshot({ path: path.join(OUT, 'live.png'), fullPage: false });
  await page.evaluate(() => window.scrollTo(0, 900));
  // It reloads itself (1.5 s here: the interval of 0.5 s and a second more) and comes back where the reader was.
  await page.waitForEvent('load', { timeout: 10_000 });
  await chartsSettled(page);
  await page.waitForFunction(() => Math.abs(window.scrollY - 900) < 2, undefined, { timeout: 5000 });
  assert.ok(loads >= 2);

  // The run ends: the final report replaces the page, and once the browser has reloaded it, it reloads no more.
  await writeReport(OUT, 'going');
  // Poll across the reload (an evaluation during the navigation fails: the page is going away).
  for (const t0 = Date.now(); !(await page.evaluate(() => document.readyState === 'complete' && document.getElementById('live') === null).catch(() => false)); await page.waitForTimeout(100)) {
    assert.ok(Date.now() - t0 < 10_000, 'the final report never replaced the live page');
  }
  await chartsSettled(page);
  const settled = loads;
  await page.waitForTimeout(3500);
  assert.equal(loads, settled, 'the final report does not reload');
  assert.equal(await page.$('#live'), null);
  assert.deepEqual([seen.errors, seen.requests], [[], []]);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  await page.close();
});
