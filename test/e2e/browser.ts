// Pages in a real browser, for the browser tests: headless Chromium (Debian's package) driven by playwright-core opens
// a page from file:// and records what went wrong (console errors, page errors, any request that is not file:, data:
// or blob:), and checks that every chart was drawn.
//
// Chromium is required: without it these tests fail with instructions, unless RUN_EXP_SKIP_BROWSER=1.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env['RUN_EXP_CHROMIUM'] ?? '/usr/bin/chromium';
/** RUN_EXP_SKIP_BROWSER=1 skips the browser tests (say so in the test's skip reason). */
export const SKIP = process.env['RUN_EXP_SKIP_BROWSER'] === '1';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Start Chromium, or fail saying how to get it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the report's browser tests need it. Install it with ` +
        '`apt-get install -y chromium` (Debian), or point RUN_EXP_CHROMIUM at a Chromium binary, or set RUN_EXP_SKIP_BROWSER=1 to skip these tests.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** What happened while a page was open: console errors, page errors, requests other than file:/data:/blob:. */
export interface Visit {
  page: Page;
  errors: string[];
  requests: string[];
  ms: number; // from the start of navigation to every chart settled
}

/** Watch a page for errors and requests from now on. */
export function watch(page: Page): Pick<Visit, 'errors' | 'requests'> {
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!/^(file|data|blob):/.test(r.url())) requests.push(r.url());
  });
  return { errors, requests };
}

/** Until every chart of the page has settled (rendered or failed); the time since navigation, in the page's clock. */
export async function chartsSettled(page: Page): Promise<number> {
  await page.waitForFunction(() => (window as unknown as { reportReady?: Promise<unknown> }).reportReady !== undefined);
  return page.evaluate(async () => {
    await (window as unknown as { reportReady: Promise<unknown> }).reportReady;
    return performance.now();
  });
}

/** Open a page, wait until every chart has settled, and record what went wrong. */
export async function visit(browser: Browser, file: string): Promise<Visit> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const seen = watch(page);
  await page.goto(pathToFileURL(file).href);
  return { page, ...seen, ms: await chartsSettled(page) };
}

/** Every chart container holds a canvas or an SVG, none shows an error, and they are the charts expected, in order. */
export async function assertChartsRendered(v: Visit, expected: string[]): Promise<void> {
  const charts = await v.page.$$eval('.vis', (els) =>
    els.map((e) => ({ id: e.id, drawn: e.querySelector('canvas, svg') !== null, rendered: e.getAttribute('data-rendered'), error: e.classList.contains('chart-error') ? e.textContent : null })),
  );
  assert.deepEqual(charts.map((c) => c.id), expected);
  for (const c of charts) {
    assert.equal(c.error, null, `${c.id}: ${c.error}`);
    assert.ok(c.drawn && c.rendered === 'true', `${c.id}: no canvas or SVG`);
  }
  // Vega draws into canvases: a blank one would mean nothing was drawn.
  const blank = await v.page.$$eval('.vis canvas', (cs) =>
    (cs as HTMLCanvasElement[]).filter((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return false;
      return true;
    }).length,
  );
  assert.equal(blank, 0, 'every canvas has something drawn on it');
  assert.deepEqual(v.errors, [], 'no console errors');
  assert.deepEqual(v.requests, [], 'no network requests');
  // vega-embed's menu keeps only the local exports: nothing opens the online editor or shows the source.
  const actions = await v.page.$$eval('.vega-actions a', (as) => [...new Set(as.map((a) => a.textContent ?? ''))]);
  assert.deepEqual(actions, expected.length > 0 ? ['Save as SVG', 'Save as PNG'] : []);
}
