// The report while a run goes on, written by the run's own process (real processes: the driver, the pool, fixture
// workers that report progress; the real report stage): it exists from the first chunk, says it is live and which
// trials run, and the final report replaces it; an interrupted run leaves it closed, saying so; a signal while a live
// page is being built still ends the run at once. DIR/index.html is written at the start and at the end.
import assert from 'node:assert/strict';
import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { writeFixtureResults } from '../report/fixture-results.js';
import type { Plan } from '../../src/types.js';
import { fixtureOptions, fixturePlan, startDriver, stderrUntil, tempOut } from './helpers.js';

const exists = (p: string) => access(p).then(() => true, () => false);
/** Whether a page has this (asserted without printing the page, a few MB of inlined libraries). */
const has = (page: string, pattern: RegExp, message: string) => assert.ok(pattern.test(page), message);
const lacks = (page: string, pattern: RegExp, message: string) => assert.ok(!pattern.test(page), message);
const temps = async (dir: string) => (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.tmp'));

/** Wait until a file's content matches (or fail after 30 s); returns it. */
async function fileUntil(file: string, pattern: RegExp): Promise<string> {
  for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 25))) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (pattern.test(text)) return text;
    assert.ok(Date.now() - t0 < 30_000, `${file} never matched ${pattern}`);
  }
}

describe('the report of a run that goes on', () => {
  it('is written from the first chunk on, live, with the running trials; the final report replaces it; the index lists the experiment before and after', async () => {
    const out = await tempOut();
    const plan = fixturePlan('going', [{ behave: 'sleep', ms: 2500 }, { behave: 'sleep', ms: 2500 }]);
    const run = startDriver(plan, fixtureOptions(out, { jobs: 2 }), 'real');
    const page = await fileUntil(path.join(out, 'going.html'), /id="live-data"/);
    has(page, /● Live: this run is going on/, 'the banner says it is live');
    has(page, /0 of 2 trials of this run ended, [12] running\./, 'how many run');
    has(page, /<td>behave=sleep ms=2500<\/td><td class="num">\d+ \/ 20<\/td>/, 'a running trial and how far it is');
    const during = await readFile(path.join(out, 'index.html'), 'utf8');
    has(during, /<span class="running-now">running<\/span>/, 'the index written at the start shows the run');
    const result = await run;
    assert.equal(result.exitCode, 0, result.stderr);
    const final = await readFile(path.join(out, 'going.html'), 'utf8');
    lacks(final, /id="live"/, 'the final report is not live');
    has(final, /<span class="status status-ok">2 ok<\/span>/, 'the final report has both trials');
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    has(index, /<a href="going\.html">going<\/a>/, 'the index links the report');
    lacks(index, /<span class="running-now">/, 'the index written at the end: no longer running');
    assert.deepEqual(await temps(out), []);
  });

  it('interrupted (SIGINT): the last live page is closed, saying so, and no longer reloads; the index is written; exit 130', async () => {
    const out = await tempOut();
    const plan = fixturePlan('stopped', [{ behave: 'sleep', ms: 20_000 }]);
    const run = startDriver(plan, fixtureOptions(out, { jobs: 1 }), 'real');
    await fileUntil(path.join(out, 'stopped.html'), /id="live-data"/);
    run.kill('SIGINT');
    const result = await run;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(result.stdout, new RegExp(`interrupted: 0 of 1 trials finished; run the same command again to resume \\(an unfinished trial goes on from its checkpoint\\); ${path.join(out, 'stopped.html').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} shows the run as it was when interrupted`));
    const closed = await readFile(path.join(out, 'stopped.html'), 'utf8');
    lacks(closed, /id="live-data"/, 'the closed page does not reload');
    has(closed, /<h2>Interrupted<\/h2>\n<p>The run was interrupted \(SIGINT\) at [\d-]+ [\d:]+ UTC, before its final report: this page shows it as it was then\./, 'the banner says why');
    has(await readFile(path.join(out, 'index.html'), 'utf8'), /value="stopped"/, 'the index lists the experiment');
    assert.deepEqual(await temps(out), []);
    assert.equal(await exists(path.join(out, 'stopped', 'run.lock')), false);
  });

  describe('a signal while a live page is being built', () => {
    // 100 trials finished by an earlier run (4,000 steps each: the first live page reads them all, seconds here) and
    // one that runs now: its first chunk starts the page, and the signal comes while it is being built.
    let out = '';
    let plan: Plan;
    before(async () => {
      out = await tempOut();
      const lrs = Array.from({ length: 100 }, (_, i) => Number((0.01 + i * 0.002).toFixed(3)));
      const { experiment, trials } = await writeFixtureResults(out, { name: 'big', grid: { 'train.lr': lrs }, steps: 4000, evalEvery: 1000, sample: 4 });
      const sleeper = fixturePlan('big', [{ behave: 'sleep', ms: 20_000 }]).trials[0]!;
      const grid = { ...experiment.grid, behave: ['sleep'] };
      plan = { file: path.join(out, 'big.yaml'), experiment: { ...experiment, grid }, trials: [...trials, { ...sleeper, index: trials.length }] };
    });

    it('ends the run at once: the page is dropped (no temp file), the lock released, exit 130', async () => {
      const run = startDriver(plan, fixtureOptions(out, { jobs: 1 }), 'real');
      await stderrUntil(run, /start t0-sleep/);
      await new Promise((r) => setTimeout(r, 300)); // its first chunk, and the page begins
      const sent = Date.now();
      run.kill('SIGTERM');
      const result = await run;
      const ms = Date.now() - sent;
      assert.equal(result.exitCode, 130, result.stderr);
      assert.ok(ms < 10_000, `it took ${ms} ms to stop`);
      assert.equal(await exists(path.join(out, 'big.html')), false, 'the first page was still being built: dropped');
      assert.deepEqual(await temps(out), []);
      assert.equal(await exists(path.join(out, 'big', 'run.lock')), false);
    });
  });
});
