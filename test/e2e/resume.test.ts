// Resume: a re-run skips finished trials, runs failed and missing ones again; --force runs everything again.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readResults } from '../../src/report/load.js';
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

  it('shows in the report only the trials of the latest plan (plan.json), and says which stored ones it leaves out', async () => {
    const out = await tempOut();
    const first = fixturePlan('shrink', [{ behave: 'ok' }, { behave: 'ok' }, { behave: 'ok' }]);
    assert.equal((await runDriver(first, fixtureOptions(out))).exitCode, 0);
    const shrunk = { ...first, trials: first.trials.slice(1, 2).map((t) => ({ ...t, index: 0 })) };
    const again = await runDriver(shrunk, fixtureOptions(out));
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual(JSON.parse(await readFile(path.join(out, 'shrink', 'plan.json'), 'utf8')), { trials: ['t1-ok'], params: [{ behave: 'ok' }], steps: [20], engines: ['kernel'] });
    const results = await readResults(out, 'shrink');
    assert.deepEqual(results.trials.map((t) => t.trial.id), ['t1-ok']);
    assert.deepEqual(results.unread, [
      { damaged: false, problem: `${path.join(out, 'shrink', 'trials')}: 2 stored trials are not in the latest run's plan of 1 (an earlier grid or search of the experiment): t0-ok, t2-ok; not shown` },
    ]);
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
