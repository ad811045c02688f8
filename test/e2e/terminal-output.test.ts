// What the user sees: the end table, --json, --quiet, plain progress lines, and the exit codes of the end of a run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureOptions, fixturePlan, runDriver, tempOut } from './helpers.js';

describe('the end of a run', () => {
  it('prints exactly one JSON document on stdout with --json, and the table on stderr', async () => {
    const out = await tempOut();
    const plan = fixturePlan('json', [{ behave: 'ok' }, { behave: 'throw' }]);
    const result = await runDriver(plan, fixtureOptions(out, { json: true }));
    assert.equal(result.exitCode, 1);
    const doc = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(doc), ['report', 'trials', 'expectations']);
    assert.equal(doc.report, `${out}/json.html`);
    assert.deepEqual(doc.trials[0], {
      id: 't0-ok',
      params: { behave: 'ok' },
      status: 'ok',
      steps: 20,
      steps_planned: 20,
      engine: 'kernel',
      final: { train_loss: 2.5, dev_loss: 2.6, test_loss: null },
      steps_per_s: 1000,
      seconds: doc.trials[0].seconds,
      resumed_from: null,
    });
    assert.equal(typeof doc.trials[0].seconds, 'number');
    assert.equal(doc.trials[1].status, 'failed');
    assert.match(result.stderr, /^id\s+behave\s+status/m);
  });

  it('prints only the final lines with --quiet', async () => {
    const out = await tempOut();
    const result = await runDriver(fixturePlan('quiet', [{ behave: 'ok' }]), fixtureOptions(out, { quiet: true }));
    assert.equal(result.exitCode, 0);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^t0-ok\s+ok\s+ok/m);
    assert.match(result.stdout, /^report: .*quiet\.html$/m);
  });

  it('prints a plain line per trial at its start, while it runs, and at its end when stderr is not a terminal', async () => {
    const out = await tempOut();
    const plan = fixturePlan('lines', [{ behave: 'sleep', ms: 1500 }]);
    const result = await runDriver(plan, fixtureOptions(out, { progressIntervalMs: 300 }));
    assert.equal(result.exitCode, 0);
    assert.match(result.stderr, /^\[1\/1\] start t0-sleep behave=sleep ms=1500$/m);
    assert.match(result.stderr, /^t0-sleep: step \d+\/20, loss \d\.\d{4}, \d+ steps\/s, ETA /m);
    assert.match(result.stderr, /^\[1\/1\] t0-sleep behave=sleep ms=1500: ok, train 2\.5000 dev 2\.6000, \d/m);
  });

  const exitCodes = [
    { title: 'exits 0 when a trial diverged: a diverged trial is a result', behaves: ['ok', 'diverged'], report: 'fake', code: 0 },
    { title: 'exits 1 when a trial failed', behaves: ['ok', 'exit'], report: 'fake', code: 1 },
    { title: 'exits 1, and says why, when the report cannot be built', behaves: ['ok'], report: 'fail', code: 1 },
  ] as const;
  for (const c of exitCodes) {
    it(c.title, async () => {
      const out = await tempOut();
      const plan = fixturePlan(`code-${c.code}-${c.report}`, c.behaves.map((behave) => ({ behave })));
      const result = await runDriver(plan, fixtureOptions(out), c.report);
      assert.equal(result.exitCode, c.code, result.stderr + result.stdout);
      if (c.report === 'fail') assert.match(result.stdout, /the report could not be built: fixture: the report stage failed on purpose/);
      else assert.match(result.stdout, /^report: /m);
    });
  }
});
