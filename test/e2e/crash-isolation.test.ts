// Crash isolation: every way a worker can fail marks only its own trial failed; the others run to their end.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { filesOf, fixtureOptions, fixturePlan, runDriver, summaryOf, tempOut, tempFilesUnder } from './helpers.js';

const plan = fixturePlan('failures', [
  { behave: 'ok' },
  { behave: 'throw' },
  { behave: 'exit' },
  { behave: 'sigkill' },
  { behave: 'oom' },
  { behave: 'stderr' },
  { behave: 'diverged' },
  { behave: 'midway' },
  { behave: 'ok', id: 'last-ok' },
]);

const expected: { id: string; status: string; reason?: RegExp; error?: RegExp; stderrLog: boolean }[] = [
  { id: 't0-ok', status: 'ok', stderrLog: false },
  { id: 't1-throw', status: 'failed', reason: /^the trial threw: fixture: the trial threw on purpose$/, error: /Error: fixture: the trial threw on purpose\n\s+at /, stderrLog: false },
  { id: 't2-exit', status: 'failed', reason: /exited with code 3/, error: /stderr \(last 20 lines\):\nfixture: about to exit with code 3/, stderrLog: true },
  { id: 't3-sigkill', status: 'failed', reason: /killed by SIGKILL/, stderrLog: false },
  { id: 't4-oom', status: 'failed', reason: /ran out of memory/, error: /heap out of memory/, stderrLog: true },
  { id: 't5-stderr', status: 'ok', stderrLog: true },
  { id: 't6-diverged', status: 'diverged', stderrLog: false },
  { id: 't7-midway', status: 'failed', reason: /killed by SIGKILL/, stderrLog: false },
  { id: 'last-ok', status: 'ok', stderrLog: false },
];

describe('a run whose workers throw, exit, are killed or run out of memory', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof runDriver>>;
  before(async () => {
    out = await tempOut();
    result = await runDriver(plan, fixtureOptions(out, { jobs: 2, workerExecArgv: ['--max-old-space-size=64'] }));
  });

  it('exits with code 1 because trials failed', () => {
    assert.equal(result.exitCode, 1, result.stderr);
  });

  for (const e of expected) {
    it(`records trial ${e.id} as ${e.status}${e.reason ? ` (${e.reason.source})` : ''}`, async () => {
      const summary = await summaryOf(out, 'failures', e.id);
      assert.equal(summary.status, e.status);
      if (e.reason) assert.match(summary.reason ?? '', e.reason);
      if (e.error) assert.match(summary.error ?? '', e.error);
      const files = await filesOf(out, 'failures', e.id);
      assert.equal(files.includes('stderr.log'), e.stderrLog, `files: ${files.join(', ')}`);
      assert.ok(files.includes('config.json') && files.includes('metrics.jsonl'), `files: ${files.join(', ')}`); // what it trained stays
      for (const f of ['samples.txt', 'weights.json']) assert.equal(files.includes(f), e.status !== 'failed', `${f} in ${files.join(', ')}`);
    });
  }

  it('keeps the metrics of the steps a killed trial trained, and counts them in its summary', async () => {
    const summary = await summaryOf(out, 'failures', 't7-midway');
    const rows = (await readFile(path.join(out, 'failures', 'trials', 't7-midway', 'metrics.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { step: number });
    assert.deepEqual(rows.map((r) => r.step), Array.from({ length: 10 }, (_, i) => i));
    assert.equal(summary.steps, 10);
  });

  it('lists every trial with its status in the end table', () => {
    for (const e of expected) assert.match(result.stdout, new RegExp(`^${e.id}\\s+\\S+\\s+${e.status}\\b`, 'm'));
  });

  it('leaves no temp files behind', async () => {
    assert.deepEqual(await tempFilesUnder(out), []);
  });
});

describe('a run with a per-trial timeout', () => {
  it('stops a hanging trial at its limit, marks it failed, and runs the others to their end', async () => {
    const out = await tempOut();
    const plan = fixturePlan('timeout', [{ behave: 'hang' }, { behave: 'sleep', ms: 300 }, { behave: 'ok' }]);
    const result = await runDriver(plan, fixtureOptions(out, { jobs: 2, timeoutSeconds: 1.5 }));
    assert.equal(result.exitCode, 1, result.stderr);
    const hang = await summaryOf(out, 'timeout', 't0-hang');
    assert.equal(hang.status, 'failed');
    assert.equal(hang.reason, 'the trial ran past its limit of 1.5 s and was stopped');
    assert.ok(hang.seconds >= 1.5 && hang.seconds < 5, `the hanging trial lasted ${hang.seconds} s`);
    for (const id of ['t1-sleep', 't2-ok']) assert.equal((await summaryOf(out, 'timeout', id)).status, 'ok');
  });
});

describe('a --timeout beyond what one Node timer holds (24.8 days)', () => {
  it('lets trials run to their end instead of failing them at once', async () => {
    const out = await tempOut();
    const plan = fixturePlan('long-timeout', [{ behave: 'sleep', ms: 300 }, { behave: 'ok' }]);
    const result = await runDriver(plan, fixtureOptions(out, { jobs: 2, timeoutSeconds: 30 * 24 * 3600 }));
    assert.equal(result.exitCode, 0, result.stderr);
    for (const t of plan.trials) assert.equal((await summaryOf(out, 'long-timeout', t.id)).status, 'ok');
    assert.doesNotMatch(result.stderr, /TimeoutOverflowWarning/);
  });
});
