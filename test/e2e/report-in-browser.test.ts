// The report in a real browser: headless Chromium (Debian's package) driven by playwright-core opens generated
// reports from file:// and checks that every chart rendered, nothing was logged as an error, nothing was fetched,
// and hostile strings stayed text (browser.ts). Screenshots go to test-output/browser/ (git-ignored) for a human to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { stringify, parse } from 'yaml';
import { writeReport } from '../../src/report/index.js';
import { ROOT } from '../paths.js';
import { writeFixtureResults, type FixtureOptions } from '../report/fixture-results.js';
import { assertChartsRendered, launchBrowser, SKIP, visit as visitIn } from './browser.js';
import type { Browser } from 'playwright-core';

const OUT = path.join(ROOT, 'test-output', 'browser');
let browser: Browser | undefined;

before(async () => {
  if (SKIP) return;
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const visit = (file: string) => visitIn(browser!, file);

/** The page's Vega views by chart id (see the page script). */
interface ReportWindow { reportViews: Record<string, { data(name: string): unknown[]; origin(): [number, number]; container(): HTMLElement | null; scenegraph(): { root: SceneMark } }> }
interface SceneItem { x?: number; y?: number; datum?: Record<string, unknown>; tooltip?: unknown; items?: SceneMark[] }
interface SceneMark { marktype: string; items: SceneItem[] }

/** In the page (passed to page.evaluate, so self-contained): where, in page pixels, the first mark with a tooltip crosses the axis `axis` of a parallel-coordinates chart. */
function crossingOnPage({ chart, axis }: { chart: string; axis: string }): { x: number; y: number } {
  const view = (window as unknown as ReportWindow).reportViews[chart]!;
  const canvas = view.container()!.querySelector('canvas')!.getBoundingClientRect();
  const [ox, oy] = view.origin();
  const find = (mark: SceneMark, dx: number, dy: number): { x: number; y: number } | null => {
    for (const item of mark.items) {
      if (mark.marktype === 'group') {
        for (const m of item.items ?? []) {
          const hit = find(m, dx + (item.x ?? 0), dy + (item.y ?? 0));
          if (hit !== null) return hit;
        }
      } else if (mark.marktype === 'symbol' && item.tooltip != null && item.datum?.['axis'] === axis) {
        return { x: canvas.left + ox + dx + item.x!, y: canvas.top + oy + dy + item.y! };
      }
    }
    return null;
  };
  const hit = find(view.scenegraph().root, 0, 0);
  if (hit === null) throw new Error(`${chart}: no mark with a tooltip on the axis ${axis}`);
  return hit;
}

async function report(o: FixtureOptions, patch?: (experiment: Record<string, unknown>) => void): Promise<string> {
  await writeFixtureResults(OUT, o);
  if (patch !== undefined) {
    const file = path.join(OUT, o.name, 'experiment.yaml');
    const e = parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    patch(e);
    await writeFile(file, stringify(e));
  }
  return writeReport(OUT, o.name);
}

test('a grid report renders every chart, fetches nothing, logs no error, and shows a <script> name as text', { skip: SKIP && 'RUN_EXP_SKIP_BROWSER=1' }, async () => {
  const hostile = '<script>window.__pwned = 1</script>';
  const file = await report(
    {
      name: 'grid',
      grid: { 'train.lr': [0.01, 0.1, 1.5], 'train.batch_size': [32, 'full'] },
      steps: 2000,
      evalEvery: 250,
      failed: [5],
      unfinished: [3],
      file: `studies/${'a_directory_name_with_no_place_to_break_it_'.repeat(3)}/grid.yaml`,
    },
    (e) => {
      e['name'] = hostile;
      e['description'] = `A description with ${hostile} in it`;
    },
  );
  const v = await visit(file);
  await assertChartsRendered(v, ['loss-vs-step', 'parallel', 'final-vs-p0', 'final-vs-p1', 'loss-vs-time']);
  assert.equal(await v.page.textContent('h1'), hostile);
  assert.equal(await v.page.textContent('.description'), `A description with ${hostile} in it`);
  assert.equal(await v.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.equal(await v.page.title(), `${hostile} · run-exp report`);
  // Every fact of the header stays inside its own cell, however long (a file path with nowhere to break).
  const spilling = await v.page.$$eval('.facts > div', (cells) => cells.filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent));
  assert.deepEqual(spilling, []);
  await v.page.screenshot({ path: path.join(OUT, 'grid.png'), fullPage: true });

  // The log-scale checkbox redraws without an error; sorting by dev loss puts the lowest first and blanks last.
  await v.page.locator('#loss-vs-step input[type=checkbox]').click();
  await v.page.waitForTimeout(300);
  await (await v.page.$('#loss-vs-step'))!.screenshot({ path: path.join(OUT, 'grid-linear-y.png') });
  await v.page.locator('th button', { hasText: 'dev loss' }).click();
  const dev = await v.page.$$eval('#trials tbody tr', (rows) => (rows as HTMLTableRowElement[]).map((r) => r.cells[7]!.textContent));
  const numbers = dev.filter((d) => d !== '—').map(Number);
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
  assert.equal(dev.at(-1), '—');
  assert.deepEqual(v.errors, [], 'no error after the interactions');
  await v.page.close();
});

test('an LR range test report renders the range plot with its suggestion, and the 2-D embedding', { skip: SKIP && 'RUN_EXP_SKIP_BROWSER=1' }, async () => {
  const file = await report({ name: 'range', lr: { schedule: 'range', min: 0.001, max: 1 }, steps: 1000, embedDim: 2 });
  const v = await visit(file);
  await assertChartsRendered(v, ['loss-vs-step', 'lr-range', 'embedding']);
  await v.page.screenshot({ path: path.join(OUT, 'range.png'), fullPage: true });
  await v.page.close();
});

test('a random-search report with early stopping draws parallel coordinates and a scatter per key, and says what stopping saved', { skip: SKIP && 'RUN_EXP_SKIP_BROWSER=1' }, async () => {
  const file = await report({
    name: 'random',
    description: 'A random search of lr (log-uniform) and hidden size (int-uniform), 30 draws, ASHA stopping the hopeless ones.',
    grid: { 'train.lr': { log_uniform: [0.003, 2] }, 'model.hidden': { int_uniform: [32, 400] } },
    search: { trials: 30, seed: 1 },
    earlyStop: { method: 'asha', grace: 100, eta: 3 },
    steps: 2700,
    evalEvery: 100,
    failed: [4],
  });
  const v = await visit(file);
  await assertChartsRendered(v, ['loss-vs-step', 'parallel', 'final-vs-p0', 'final-vs-p1']);
  const line = (await v.page.textContent('#early-stopping')) ?? '';
  assert.match(line, /^early stopping \(ASHA, grace 100 steps, η = 3\): \d+ of 30 trials stopped, [\d,]+ of 81,000 steps saved \(\d+ %\)$/);
  // The best trials come first, lowest dev loss first; the same five are the first five of the table sorted by dev loss.
  const best = await v.page.$$eval('#best tbody tr', (rows) => (rows as HTMLTableRowElement[]).map((r) => r.cells[1]!.textContent));
  assert.equal(best.length, 5);
  await v.page.locator('#trials th button', { hasText: 'dev loss' }).click();
  const sorted = await v.page.$$eval('#trials tbody tr', (rows) => (rows as HTMLTableRowElement[]).map((r) => r.cells[0]!.textContent));
  assert.deepEqual(best, sorted.slice(0, 5));
  assert.ok((await v.page.locator('#trials tr.row-stopped .reason', { hasText: /^ASHA: dev loss/ }).count()) > 0, 'stopped trials show their reason');
  // Hovering the parallel coordinates picks out a trial without an error.
  // Hovering a trial where its line crosses the middle axis names it in a tooltip and picks out its line.
  await v.page.locator('#parallel').scrollIntoViewIfNeeded();
  const at = await v.page.evaluate(crossingOnPage, { chart: 'parallel', axis: 'model.hidden' });
  await v.page.mouse.move(at.x, at.y);
  await v.page.waitForSelector('#vg-tooltip-element.visible');
  const tip = await v.page.textContent('#vg-tooltip-element');
  assert.match(tip ?? '', /^triallr=[\d.]+ hidden=\d+status(ok|stopped)steps[\d,]+ of 2,700train\.lr[\d.]+model\.hidden\d+final dev loss\d\.\d{4}$/);
  assert.equal(await v.page.evaluate(() => (window as unknown as ReportWindow).reportViews['parallel']!.data('hover_store').length), 1, 'the hovered trial is picked out');
  await (await v.page.$('#parallel'))!.screenshot({ path: path.join(OUT, 'random-parallel.png') });
  await v.page.mouse.move(0, 0);
  assert.deepEqual(v.errors, [], 'no error after the interactions');
  await v.page.screenshot({ path: path.join(OUT, 'random.png'), fullPage: true });
  await v.page.close();
});

test("a report with diagnostics draws Inside the network, and the trial picker switches the ratio charts", { skip: SKIP && 'RUN_EXP_SKIP_BROWSER=1' }, async () => {
  const file = await report({
    name: 'inits',
    grid: { 'model.init': [{}, { W2: 0.01, b2: 0 }, { W1: 0.2, b1: 0.01, W2: 0.01, b2: 0 }, { W1: 'kaiming', b1: 0.01, W2: 0.01, b2: 0 }] },
    steps: 4000,
    evalEvery: 500,
    diagnostics: 100,
  });
  const v = await visit(file);
  await assertChartsRendered(v, ['loss-vs-step', 'final-vs-p0', 'inside-histogram', 'inside-saturation', 'inside-ratios']);
  assert.equal(await v.page.locator('#inside .findings').count(), 4);
  // The picker shows one trial's lines at a time: the first, then the one picked.
  const shown = () => v.page.evaluate(() => (window as unknown as { reportViews: Record<string, { signal(name: string): unknown }> }).reportViews['inside-ratios']!.signal('trial_pick'));
  assert.equal(await shown(), 'init={}');
  await v.page.locator('#inside-ratios select').selectOption('init={W1: kaiming, b1: 0.01, W2: 0.01, b2: 0}');
  await v.page.waitForTimeout(200);
  assert.equal(await shown(), 'init={W1: kaiming, b1: 0.01, W2: 0.01, b2: 0}');
  assert.deepEqual(v.errors, [], 'no error after picking a trial');
  await (await v.page.$('#inside'))!.screenshot({ path: path.join(OUT, 'inside.png') });
  await v.page.close();
});

test('a 100-trial grid of 10,000 steps each stays a few MB and opens in seconds', { skip: SKIP && 'RUN_EXP_SKIP_BROWSER=1' }, async (t) => {
  const file = await report({
    name: 'grid100',
    grid: { 'train.lr': [0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1.6], 'model.hidden': [50, 100, 150, 200, 250, 300, 350, 400, 450, 500] },
    steps: 10_000,
    evalEvery: 1000,
    sample: 5,
  });
  const bytes = (await stat(file)).size;
  const v = await visit(file);
  await assertChartsRendered(v, ['loss-vs-step', 'parallel', 'final-vs-p0', 'final-vs-p1']);
  t.diagnostic(`100 trials × 10,000 steps: ${(bytes / 1e6).toFixed(2)} MB, every chart drawn ${(v.ms / 1000).toFixed(1)} s after opening`);
  assert.ok(bytes < 4e6, `${bytes} bytes`);
  // Generous: this machine is shared; on an idle laptop it is a few seconds.
  assert.ok(v.ms < 60_000, `${v.ms} ms to draw`);
  await v.page.screenshot({ path: path.join(OUT, 'grid100.png'), fullPage: false });
  await v.page.close();
  await rm(path.join(OUT, 'grid100'), { recursive: true, force: true }); // 60 MB of metrics; the report itself stays
});

test('a report from a real short training run (the CLI: plan, workers, tfjs) renders every chart', { skip: SKIP && 'RUN_EXP_SKIP_BROWSER=1' }, async () => {
  const yaml = path.join(OUT, 'real.yaml');
  await writeFile(
    yaml,
    stringify({
      name: 'real',
      description: 'A tiny real run: two batch sizes, a 2-D embedding, 300 steps on 500 names, diagnostics every 50.',
      data: { slice: { first: 500 } },
      model: { embed_dim: 2, hidden: 32 },
      train: { steps: 300, batch_size: 32, lr: 0.1 },
      eval: { every: 100 },
      sample: 5,
      grid: { 'train.batch_size': [16, 64] },
      diagnostics: { every: 50 },
      expect: { status: 'ok' },
    }),
  );
  const run = await execa(process.execPath, [path.join(ROOT, 'bin', 'run-exp.js'), yaml, '--out', OUT, '--quiet', '--jobs', '1'], { reject: false, cwd: ROOT });
  assert.equal(run.exitCode, 0, `run-exp exited ${run.exitCode}: ${run.stderr}`);
  const file = path.join(OUT, 'real.html');
  const v = await visit(file);
  await assertChartsRendered(v, ['loss-vs-step', 'final-vs-p0', 'loss-vs-time', 'embedding', 'inside-histogram', 'inside-saturation', 'inside-ratios']);
  assert.equal(await v.page.locator('#trials tbody tr .status-ok').count(), 2);
  assert.match((await v.page.textContent('#inside')) ?? '', /The first loss is \d+\.\d at step 0 where a uniform guess over 27 characters costs ln 27 = 3\.30/);
  // The runner writes run.json before the report, so the header has the run's versions and commit.
  assert.match((await v.page.textContent('.facts')) ?? '', /versions\s*run-exp \d+\.\d+\.\d+, Node v\d+/);
  await v.page.screenshot({ path: path.join(OUT, 'real.png'), fullPage: true });
  await v.page.close();
});
