// Parallel execution and warm workers: --jobs N trials overlap in time; a worker runs successive trials until one fails.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Summary } from '../../src/types.js';
import { fixtureOptions, fixturePlan, runDriver, summaryOf, tempOut } from './helpers.js';

const interval = (s: Summary) => [Date.parse(s.started_at), Date.parse(s.finished_at)] as const;
const pidOf = (s: Summary) => s.backend_version.replace('fixture pid ', '');

describe('parallel execution', () => {
  for (const { jobs, overlap } of [
    { jobs: 2, overlap: true },
    { jobs: 1, overlap: false },
  ]) {
    it(`runs two sleeping trials ${overlap ? 'at the same time' : 'one after the other'} with --jobs ${jobs}`, async () => {
      const out = await tempOut();
      const plan = fixturePlan('parallel', [
        { behave: 'sleep', ms: 1200, id: 'a' },
        { behave: 'sleep', ms: 1200, id: 'b' },
      ]);
      const result = await runDriver(plan, fixtureOptions(out, { jobs }));
      assert.equal(result.exitCode, 0, result.stderr);
      const [a0, a1] = interval(await summaryOf(out, 'parallel', 'a'));
      const [b0, b1] = interval(await summaryOf(out, 'parallel', 'b'));
      assert.equal(a0 < b1 && b0 < a1, overlap, `a ${a0}..${a1}, b ${b0}..${b1}`);
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
