// The live report: pages from the first chunk on, never more often than the interval or the share of the parent's
// time allows, none while one is being built, dropped on stop or a signal, closed when the run ends without its
// final report; and what a live page shows (the running trials, their curves so far), with a real report stage.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { writeReport, type ReportOptions } from '../../src/report/index.js';
import { LiveReport, type LiveOptions } from '../../src/report/live.js';
import type { Progress, Trial } from '../../src/types.js';
import { withDir, writeFixtureResults } from './fixture-results.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TRIAL = { id: 't0', index: 0, params: {}, repeat: 0 } as unknown as Trial;
const P: Progress = { step: 500, steps: 2000, loss: 2.5, steps_per_s: 1000 };
const RUN = { name: 'x', file: 'x.yaml', started_at: new Date().toISOString(), git_commit: null, run_exp_version: '0.1.0', node_version: 'v20', argv: [] };

/** A live report over a fake report stage that records each call (its start, end and options). */
function liveWith(write: (options: ReportOptions) => Promise<void>, more: Partial<LiveOptions> = {}) {
  const calls: { start: number; end?: number; options: ReportOptions }[] = [];
  const failures: string[] = [];
  const run = new AbortController();
  const live = new LiveReport({
    out: '/nowhere',
    name: 'x',
    trials: [TRIAL],
    run: RUN,
    signal: run.signal,
    onFailure: (e) => failures.push(e.message),
    write: async (_out, _name, options = {}) => {
      const call: (typeof calls)[number] = { start: Date.now(), options };
      calls.push(call);
      await write(options);
      call.end = Date.now();
      return '/nowhere/x.html';
    },
    ...more,
  });
  return { live, calls, failures, run };
}

test('the first chunk writes a page at once; later events within the interval make one more page when it has passed, not one each', async () => {
  const { live, calls } = liveWith(async () => {}, { minIntervalMs: 200 });
  live.progress(TRIAL, P);
  await sleep(20);
  assert.equal(calls.length, 1);
  assert.deepEqual([...calls[0]!.options.live!.running], [['t0', P]], 'the running trial and how far it is');
  assert.deepEqual([calls[0]!.options.live!.info.trials, calls[0]!.options.live!.info.ended], [1, 0]);
  for (let i = 0; i < 10; i++) live.progress(TRIAL, { ...P, step: 600 + i });
  await sleep(50);
  assert.equal(calls.length, 1, 'not before the interval');
  await sleep(250);
  assert.equal(calls.length, 2, 'one page for the events meanwhile');
  assert.equal(calls[1]!.options.live!.running.get('t0')!.step, 609, 'with the latest progress');
  await sleep(300);
  assert.equal(calls.length, 2, 'no events, no page');
  await live.stop();
});

test('building a page of d ms is followed by at least d × (1 / share − 1) ms without one: the pages take at most that share of the time', async () => {
  const { live, calls } = liveWith(async () => void (await sleep(100)), { minIntervalMs: 10, share: 0.25 });
  const t0 = Date.now();
  while (Date.now() - t0 < 1300) {
    live.progress(TRIAL, P);
    await sleep(10);
  }
  await live.stop();
  assert.ok(calls.length >= 2 && calls.length <= 4, `${calls.length} pages in 1.3 s`);
  for (let i = 1; i < calls.length; i++) {
    const quiet = calls[i]!.start - calls[i - 1]!.end!;
    const built = calls[i - 1]!.end! - calls[i - 1]!.start;
    assert.ok(quiet >= built * 3 - 5, `page ${i}: ${quiet} ms after a build of ${built} ms`);
  }
  // Each build is followed by its quiet time; only the last one's falls outside the run.
  assert.ok((live.cost.buildMs - live.cost.longestMs) / (Date.now() - t0) <= 0.25 + 0.02, `${live.cost.buildMs} ms of building in ${Date.now() - t0} ms`);
});

test('no page while one is being built; stop() drops it (its signal aborts) and waits for it; nothing after', async () => {
  let seen: AbortSignal | undefined;
  const { live, calls } = liveWith((options) => {
    seen = options.signal;
    return new Promise<void>((_, reject) => options.signal!.addEventListener('abort', () => reject(options.signal!.reason)));
  }, { minIntervalMs: 0 });
  live.progress(TRIAL, P);
  for (let i = 0; i < 5; i++) live.progress(TRIAL, P);
  await sleep(20);
  assert.equal(calls.length, 1);
  await live.stop();
  assert.equal(seen!.aborted, true);
  live.progress(TRIAL, P);
  live.end(TRIAL, {} as never);
  await sleep(20);
  assert.equal(calls.length, 1);
  assert.equal(await live.close('Interrupted', 'no page was written'), false, 'nothing to close');
});

test('the run\'s signal drops the page being built', async () => {
  const { live, calls, run, failures } = liveWith((options) => new Promise<void>((_, reject) => options.signal!.addEventListener('abort', () => reject(new Error('aborted')))), { minIntervalMs: 0 });
  live.progress(TRIAL, P);
  await sleep(10);
  run.abort('SIGTERM');
  await live.stop();
  assert.deepEqual([calls.length, failures], [1, []], 'dropped, not a failure');
});

test('a page that cannot be written is said once, and no more pages are tried', async () => {
  const { live, calls, failures } = liveWith(async () => {
    throw new Error('ENOSPC: no space left on device');
  }, { minIntervalMs: 0 });
  live.progress(TRIAL, P);
  await sleep(20);
  live.progress(TRIAL, P);
  await sleep(20);
  await live.stop();
  assert.deepEqual([calls.length, failures], [1, ['ENOSPC: no space left on device']]);
});

test('a live page (the real report stage): a banner with the running trial and how far, its curve so far, reloading; closed, it no longer reloads', () =>
  withDir(async (out) => {
    const { trials } = await writeFixtureResults(out, { name: 'going', grid: { 'train.lr': [0.05, 0.1] }, steps: 400, evalEvery: 100, unfinished: [1], expect: { status: 'ok' } });
    const running = trials[1]!;
    const metrics = path.join(out, 'going', 'trials', running.id, 'metrics.jsonl');
    const rows = Array.from({ length: 150 }, (_, step) => JSON.stringify({ step, lr: 0.1, loss: 3 - step / 100 }) + '\n').join('');
    await appendFile(metrics, rows + '{"step":150,"lr":0.1,"lo'); // a chunk being appended: its cut line is not read
    const run = new AbortController();
    const failures: string[] = [];
    const live = new LiveReport({ out, name: 'going', trials, run: RUN, write: writeReport, signal: run.signal, onFailure: (e) => failures.push(e.stack ?? e.message) });
    live.progress(running, { step: 150, steps: 400, loss: 1.5, steps_per_s: 2000 });
    while (live.cost.pages === 0 && failures.length === 0) await sleep(20);
    await live.stop();
    assert.deepEqual(failures, []);
    const html = await readFile(path.join(out, 'going.html'), 'utf8');
    assert.match(html, /<h2>● Live: this run is going on<\/h2>/);
    assert.match(html, /0 of 2 trials of this run ended, 1 running\./);
    assert.match(html, /<td class="num">1<\/td><td>lr=0\.1<\/td><td class="num">150 \/ 400<\/td><td><progress max="1" value="0\.3750"><\/progress> 37 %<\/td><td class="num">1\.5000<\/td><td class="num">2,000<\/td>/);
    const state = JSON.parse(/<script type="application\/json" id="live-data">([^<]*)<\/script>/.exec(html)![1]!) as { reload_ms: number; stale_ms: number };
    assert.deepEqual([state.reload_ms, state.stale_ms], [4000, 60000]);
    assert.match(html, /<span class="status status-running">running<\/span>/);
    assert.doesNotMatch(html, /expectation checks/, 'expectations wait for the end');
    const data = JSON.parse(/<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)![1]!) as { datasets: Record<string, { trial: number; step: number }[]> };
    const curve = data.datasets['curve']!.filter((r) => r.trial === 1);
    assert.deepEqual([curve.length, curve.at(-1)!.step], [150, 149], 'the running trial\'s whole lines so far');
    assert.equal(await live.close('Interrupted', 'The run was interrupted (SIGTERM).'), true);
    const closed = await readFile(path.join(out, 'going.html'), 'utf8');
    assert.doesNotMatch(closed, /id="live-data"/);
    assert.match(closed, /<section class="live live-ended" id="live">\n<h2>Interrupted<\/h2>\n<p>The run was interrupted \(SIGTERM\)\.<\/p>/);
    assert.equal(closed.length > html.length - 2000, true, 'the rest of the page as it was');
    await writeReport(out, 'going');
    const final = await readFile(path.join(out, 'going.html'), 'utf8');
    assert.ok(!/id="live"/.test(final), 'the final report is not live');
    assert.deepEqual([...live.cache.keys()], [trials[0]!.id], 'the finished trial the page read and checked is kept');
    await writeReport(out, 'going', { cache: live.cache });
    assert.ok((await readFile(path.join(out, 'going.html'), 'utf8')) === final, 'a final report from the kept trials is the same page');
    assert.equal(await live.close('Interrupted', 'again'), false, 'a page that is no longer live is left alone');
  }));

test('a live page that would leave the disk less than the trials still write (the plan\'s estimate) is not written, and that is said', () =>
  withDir(async (out) => {
    const { trials } = await writeFixtureResults(out, { name: 'full', grid: { 'train.lr': [0.05, 0.1] }, steps: 200, evalEvery: 100, unfinished: [1] });
    const run = new AbortController();
    const failures: string[] = [];
    const disk = await statfs(out);
    const leaveFree = disk.bavail * disk.bsize; // all of it: no page fits beside it
    const live = new LiveReport({ out, name: 'full', trials, run: RUN, write: writeReport, signal: run.signal, leaveFree, onFailure: (e) => failures.push(e.message) });
    live.progress(trials[1]!, { step: 100, steps: 200, loss: 2, steps_per_s: 1000 });
    while (failures.length === 0) await sleep(20);
    await live.stop();
    assert.match(failures[0]!, /^the page \(\d+(\.\d)? [KM]B\) and the \d+(\.\d)? [KMGT]B the trials still write by the plan's estimate need more than the \d+(\.\d)? [KMGT]B free on the disk$/);
    assert.equal(live.cost.pages, 0);
    assert.ok(!existsSync(path.join(out, 'full.html')), 'nothing written');
    const room = new LiveReport({ out, name: 'full', trials, run: RUN, write: writeReport, signal: run.signal, leaveFree: 1000, onFailure: (e) => failures.push(e.message) });
    room.progress(trials[1]!, { step: 100, steps: 200, loss: 2, steps_per_s: 1000 });
    while (room.cost.pages === 0 && failures.length === 1) await sleep(20);
    await room.stop();
    assert.deepEqual([failures.length, room.cost.pages], [1, 1], 'with room, the page is written');
  }));
