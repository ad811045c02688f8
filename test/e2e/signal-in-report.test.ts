// A signal in the report stage, of a run and of `run-exp report`: the trials stay, no temp file is left, the message
// says how to build the report, the exit code is 130. The real report stage, on results big enough to take seconds.
import assert from 'node:assert/strict';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { execa } from 'execa';
import { ROOT } from '../paths.js';
import { writeFixtureResults } from '../report/fixture-results.js';
import type { Plan } from '../../src/types.js';
import { fixtureOptions, snapshot, startDriver, stderrUntil, tempOut } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'run-exp.js');
const exists = (p: string) => access(p).then(() => true, () => false);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const temps = async (dir: string) => (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.tmp'));

describe('a signal during the report stage', () => {
  // 100 finished trials of 4,000 steps: reading and building their report takes seconds here (a few times the
  // milliseconds a signal needs to arrive), so a signal sent once the stage has begun lands inside it.
  let out = '';
  let plan: Plan;
  before(async () => {
    out = await tempOut();
    const lrs = Array.from({ length: 100 }, (_, i) => Number((0.01 + i * 0.002).toFixed(3)));
    const { experiment, trials } = await writeFixtureResults(out, { name: 'big', grid: { 'train.lr': lrs }, steps: 4000, evalEvery: 1000, sample: 4 });
    plan = { file: path.join(out, 'big.yaml'), experiment, trials };
  });

  it('of a run (SIGTERM): the trials are kept, the report is not written and no temp file is left, the message says how to build it, exit 130', async () => {
    const trialsBefore = await snapshot(path.join(out, 'big', 'trials'));
    const run = startDriver(plan, fixtureOptions(out), 'real');
    await stderrUntil(run, /^building the report /m);
    const sent = Date.now();
    run.kill('SIGTERM');
    const result = await run;
    const ms = Date.now() - sent;
    assert.equal(result.exitCode, 130, result.stderr + result.stdout);
    assert.match(result.stderr, /skipping 100 of 100 trials finished by an earlier run/);
    assert.match(
      result.stdout,
      new RegExp(
        `^interrupted \\(SIGTERM\\) before the report was written: 100 of 100 trials finished and are kept in ${escape(path.join(out, 'big'))}; ` +
          `${escape(path.join(out, 'big.html'))} was not written \\(build it with \`run-exp report big --out ${escape(out)}\`\\)$`,
        'm',
      ),
    );
    assert.deepEqual(await temps(out), []);
    assert.equal(await exists(path.join(out, 'big.html')), false);
    assert.equal(await exists(path.join(out, 'big', 'run.lock')), false, 'the lock is released');
    assert.deepEqual(await snapshot(path.join(out, 'big', 'trials')), trialsBefore, 'the trials are untouched');
    assert.ok(ms < 10_000, `it took ${ms} ms to stop`);
  });

  it('of a run, twice (SIGTERM then SIGHUP): it stops on the spot, still with exit 130, the lock released and no temp file left', async () => {
    const run = startDriver(plan, fixtureOptions(out), 'real');
    await stderrUntil(run, /^building the report /m);
    run.kill('SIGTERM');
    run.kill('SIGHUP');
    const result = await run;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(result.stderr, /(SIGTERM|SIGHUP) again: stopping now/); // pending together, the kernel delivers SIGHUP (1) first
    assert.deepEqual(await temps(out), []);
    assert.equal(await exists(path.join(out, 'big', 'run.lock')), false);
    assert.equal(await exists(path.join(out, 'big.html')), false);
  });

  it('of `run-exp report NAME` (SIGHUP): the earlier report is left as it was, no temp file, exit 130; run again, it builds the report', async () => {
    const html = path.join(out, 'big.html');
    await writeFile(html, '<!doctype html><title>an earlier report</title>\n');
    const report = execa(process.execPath, [BIN, 'report', 'big', '--out', out], { reject: false, env: { NO_COLOR: '1' } });
    await stderrUntil(report, /^run-exp report: building /m);
    report.kill('SIGHUP');
    const result = await report;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`^run-exp report: interrupted \\(SIGHUP\\): ${escape(html)} was not written \\(an earlier one is left as it was\\); the results in ${escape(path.join(out, 'big'))} are untouched$`, 'm'),
    );
    assert.equal(result.stdout, '');
    assert.deepEqual(await temps(out), []);
    assert.equal(await readFile(html, 'utf8'), '<!doctype html><title>an earlier report</title>\n');

    const rebuilt = await execa(process.execPath, [BIN, 'report', 'big', '--out', out], { reject: false });
    assert.equal(rebuilt.exitCode, 0, rebuilt.stderr);
    assert.equal(rebuilt.stdout, html);
    assert.match(await readFile(html, 'utf8'), /<title>big · run-exp report<\/title>/);
  });
});
