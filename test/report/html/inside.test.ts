// The report's "Inside the network": shown when trials took diagnostics or a finding fires, with each trial's numbers
// and only the findings its numbers trigger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from '../../../src/report/index.js';
import { fixtureResults } from '../fixture-results.js';

const LIBS = { vega: '/* vega */', vegaLite: '/* vega-lite */', vegaEmbed: '/* vega-embed */' };

/** The section's HTML, or null when the page has none. */
function section(html: string): string | null {
  return /<section id="inside">[\s\S]*?<\/section>/.exec(html)?.[0] ?? null;
}

test("a grid over model.init with diagnostics: each trial's numbers, the findings they trigger, and the three charts", async () => {
  const results = await fixtureResults({ name: 'inits', grid: { 'model.init': [{}, { W1: 'kaiming', b1: 0.01, W2: 0.01, b2: 0 }] }, steps: 1000, diagnostics: 100 });
  const html = section(buildReport(results, LIBS))!;
  assert.ok(html.includes('<h2>Inside the network</h2>'));
  assert.ok(html.includes('At step 0 and every 100 steps'));
  const [plain, kaiming] = html.split('<div class="findings">').slice(1).map((part) => part.slice(0, part.indexOf('</div>')));
  assert.match(plain!, /<h3>init=\{\}<\/h3>/);
  assert.match(plain!, /70 % of the tanh outputs are beyond ±0\.97 at step 0/); // the fixture's unscaled W1 starts 70 % saturated
  assert.match(kaiming!, /<h3>init=\{W1: kaiming, b1: 0\.01, W2: 0\.01, b2: 0\}<\/h3>/);
  assert.doesNotMatch(kaiming!, /saturated/);
  assert.match(kaiming!, /No finding: the first loss, the saturation at step 0, the dead units and the update:data ratios are within/);
  for (const id of ['inside-histogram', 'inside-saturation', 'inside-ratios']) assert.ok(html.includes(`id="${id}"`), id);
});

test('without diagnostics, the section is there only when the first loss is confidently wrong, and says how to see more', async () => {
  const results = await fixtureResults({ name: 'plain', grid: { 'train.lr': [0.05, 0.1] }, steps: 300 });
  assert.equal(section(buildReport(results, LIBS)), null, 'no diagnostics and nothing fired: no section');
  results.trials[0]!.summary!.first_loss = 27.88;
  results.trials[1]!.summary!.first_loss = 3.31;
  const html = section(buildReport(results, LIBS))!;
  assert.match(html, /The first loss is 27\.9 at step 0 where a uniform guess over 27 characters costs ln 27 = 3\.30/);
  assert.match(html, /No finding: the first loss is within twice a uniform guess \(ln 27\)\./);
  assert.ok(html.includes('set <code>diagnostics: {every: N}</code>'));
  assert.doesNotMatch(html, /<figure/);
});
