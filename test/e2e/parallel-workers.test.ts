// Parallel execution and warm workers: --jobs N trials overlap in time; a worker runs successive trials until one fails.
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import type { Summary } from '../../src/types.js';
import { fixtureOptions, fixturePlan, runDriver, summaryOf, tempOut } from './helpers.js';

const pidOf = (s: Summary) => s.backend_version.replace('fixture pid ', '');

describe('parallel execution', () => {
  // Two trials that each wait for the other's mark can only both succeed when they run at the same time.
  for (const { jobs, statuses, title } of [
    { jobs: 2, statuses: ['ok', 'ok'], title: 'runs two trials at the same time with --jobs 2: each meets the other' },
    { jobs: 1, statuses: ['failed', 'ok'], title: 'runs them one after the other with --jobs 1: the first waits in vain' },
  ]) {
    it(title, async () => {
      const out = await tempOut();
      const wait = jobs === 2 ? 30_000 : 1_000;
      const plan = fixturePlan('meet', [
        { behave: 'meet', id: 'a', ms: wait, extra: { dir: out, others: ['b'] } },
        { behave: 'meet', id: 'b', ms: wait, extra: { dir: out, others: ['a'] } },
      ]);
      const result = await runDriver(plan, fixtureOptions(out, { jobs }));
      assert.equal(result.exitCode, statuses.includes('failed') ? 1 : 0, result.stderr);
      assert.deepEqual([(await summaryOf(out, 'meet', 'a')).status, (await summaryOf(out, 'meet', 'b')).status], statuses);
    });
  }
});

describe('how many workers --jobs starts', () => {
  const cores = os.availableParallelism();
  it('starts no more workers than there are trials, and does not warn when they fit the cores', async () => {
    const out = await tempOut();
    const plan = fixturePlan('capped', [{ behave: 'ok' }]);
    const result = await runDriver(plan, fixtureOptions(out, { jobs: 4 * cores }));
    assert.equal(result.exitCode, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /warning/);
  });

  it('warns when the workers outnumber the CPU cores, and runs them all at once as asked', async () => {
    const out = await tempOut();
    const n = cores + 1;
    // Each trial waits for every other's mark: only n workers at once can finish them.
    const ids = Array.from({ length: n }, (_, i) => `m${i}`);
    const plan = fixturePlan('oversubscribed', ids.map((id) => ({ behave: 'meet' as const, id, ms: 30_000, extra: { dir: out, others: ids.filter((o) => o !== id) } })));
    const result = await runDriver(plan, fixtureOptions(out, { jobs: n }));
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`^warning: --jobs ${n}: ${n} workers on ${cores} CPU cores? take turns on them, so each trial runs about [\\d.]+× slower`, 'm'));
  });
});

describe('warm workers', () => {
  it('runs successive trials in the same worker process', async () => {
    const out = await tempOut();
    const plan = fixturePlan('warm', [{ behave: 'ok' }, { behave: 'ok' }, { behave: 'ok' }]);
    const result = await runDriver(plan, fixtureOptions(out, { jobs: 1 }));
    assert.equal(result.exitCode, 0, result.stderr);
    const pids = await Promise.all(plan.trials.map(async (t) => pidOf(await summaryOf(out, 'warm', t.id))));
    assert.equal(new Set(pids).size, 1, pids.join(' '));
  });

  it('starts a fresh worker for the trial after one that threw', async () => {
    const out = await tempOut();
    const plan = fixturePlan('fresh', [{ behave: 'ok' }, { behave: 'throw' }, { behave: 'ok' }]);
    const result = await runDriver(plan, fixtureOptions(out, { jobs: 1 }));
    assert.equal(result.exitCode, 1, result.stderr);
    const first = pidOf(await summaryOf(out, 'fresh', 't0-ok'));
    const last = pidOf(await summaryOf(out, 'fresh', 't2-ok'));
    assert.notEqual(first, last);
  });
});
