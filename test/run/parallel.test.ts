// Parallel execution and warm workers: --jobs N trials overlap in time; a worker runs successive trials until one fails.
import assert from 'node:assert/strict';
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
