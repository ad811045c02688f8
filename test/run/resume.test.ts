// Resume: a re-run skips finished trials, runs failed and missing ones again; --force runs everything again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureOptions, fixturePlan, runDriver, summaryOf, tempOut } from './helpers.js';

const startedAt = async (out: string, name: string, id: string) => (await summaryOf(out, name, id)).started_at;

describe('a re-run of the same plan', () => {
  it('skips the finished trials, says so, and runs the failed one again', async () => {
    const out = await tempOut();
    const plan = fixturePlan('resume', [{ behave: 'ok' }, { behave: 'diverged' }, { behave: 'throw' }]);
    assert.equal((await runDriver(plan, fixtureOptions(out))).exitCode, 1);
    const before = await Promise.all(plan.trials.map((t) => startedAt(out, 'resume', t.id)));

    const again = await runDriver(plan, fixtureOptions(out));
    assert.equal(again.exitCode, 1, again.stderr);
    assert.match(again.stderr, /skipping 2 of 3 trials finished by an earlier run/);
    assert.match(again.stderr, /running 1 trial that failed in an earlier run again/);
    assert.doesNotMatch(again.stderr, /start t0-ok|start t1-diverged/);
    const after = await Promise.all(plan.trials.map((t) => startedAt(out, 'resume', t.id)));
    assert.deepEqual(after.slice(0, 2), before.slice(0, 2));
    assert.notEqual(after[2], before[2]);
    assert.match(again.stdout, /^t0-ok\s.*\*$/m); // marked as an earlier result in the table
  });

  it('runs only the trials that are new when the plan gains some', async () => {
    const out = await tempOut();
    const first = fixturePlan('grow', [{ behave: 'ok' }, { behave: 'ok' }]);
    assert.equal((await runDriver(first, fixtureOptions(out))).exitCode, 0);
    const grown = fixturePlan('grow', [{ behave: 'ok' }, { behave: 'ok' }, { behave: 'ok' }]);
    const again = await runDriver(grown, fixtureOptions(out));
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stderr, /skipping 2 of 3 trials/);
    assert.match(again.stderr, /\[1\/1\] start t2-ok/);
  });

  it('runs every trial again with --force', async () => {
    const out = await tempOut();
    const plan = fixturePlan('force', [{ behave: 'ok' }, { behave: 'ok' }]);
    assert.equal((await runDriver(plan, fixtureOptions(out))).exitCode, 0);
    const before = await Promise.all(plan.trials.map((t) => startedAt(out, 'force', t.id)));
    const again = await runDriver(plan, fixtureOptions(out, { force: true }));
    assert.equal(again.exitCode, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /skipping/);
    const after = await Promise.all(plan.trials.map((t) => startedAt(out, 'force', t.id)));
    for (let i = 0; i < before.length; i++) assert.notEqual(after[i], before[i]);
  });
});
