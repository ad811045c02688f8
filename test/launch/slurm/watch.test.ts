// Why a task that Slurm ended (or forgot) failed its trial: one sentence with Slurm's state and exit code; how long
// an ended task may go without a visible summary.json before it counts as lost; and how many steps it had written.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TaskRecord } from '../../../src/launch/slurm/records.js';
import { COMPLETED_GRACE_MS, GRACE_MS, endedPhase, lostReason, stepsWritten } from '../../../src/launch/slurm/watch.js';

const record = (state: string, exitCode: string): TaskRecord => ({ index: 2, jobId: '41', state, reason: 'None', exitCode, node: 'vm', startTime: undefined, endTime: undefined, restarts: 0 });

describe('lostReason', () => {
  const cases: [string, TaskRecord | undefined, string, RegExp][] = [
    ['cancelled', record('CANCELLED', '0:15'), '', /^the task was cancelled in Slurm \(Slurm: CANCELLED, exit code 0:15\)$/],
    ['past its time limit', record('TIMEOUT', '0:15'), 'slurmstepd: error: *** JOB 41 ON vm CANCELLED AT … DUE TO TIME LIMIT ***', /^the task ran past its Slurm time limit and was killed \(Slurm: TIMEOUT/],
    ['killed at its memory limit (no cgroups: FAILED, signal 9, and slurmstepd says why in the log)', record('FAILED', '0:9'), 'slurmstepd-vm: error: StepId=12.batch exceeded memory limit (106373120 > 104857600), being killed', /^Slurm killed the task at its memory limit \(Slurm: FAILED, exit code 0:9\)$/],
    ['out of memory (cgroups)', record('OUT_OF_MEMORY', '0:125'), '', /^Slurm killed the task at its memory limit/],
    ['on a failed node', record('NODE_FAIL', '0:0'), '', /^the task's node failed/],
    ['completed without a summary', record('COMPLETED', '0:0'), '', /^the task ended without writing summary\.json/],
    ['failed otherwise (run-exp missing on the node)', record('FAILED', '127:0'), 'exec: /opt/run-exp/bin/run-exp.js: not found', /^the task ended before its trial did \(Slurm: FAILED, exit code 127:0\)$/],
    ['vanished (cancelled while pending)', undefined, '', /^Slurm has no record of task 2 of job 41 \(cancelled before it started, or forgotten after it ended\)/],
  ];
  for (const [what, rec, log, expected] of cases) {
    it(`says so for a task ${what}`, () => assert.match(lostReason({ index: 2, record: rec, accounted: undefined }, '41', log), expected));
  }

  it('uses what accounting (sacct) remembers of a task the controller forgot', () => {
    assert.match(lostReason({ index: 2, record: undefined, accounted: { state: 'TIMEOUT', exitCode: '0:15' } }, '41', ''), /time limit and was killed \(Slurm: TIMEOUT, exit code 0:15\)$/);
  });
});

describe('endedPhase: a task Slurm ended, its summary.json not visible yet', () => {
  const end = Date.parse('2026-12-02T16:00:00');
  const cases: [string, string, string, number, 'running' | 'lost'][] = [
    ['COMPLETED 0:0, 10 s ago (NFS may show the summary late)', 'COMPLETED', '0:0', 10_000, 'running'],
    ['COMPLETED 0:0, just under a minute ago', 'COMPLETED', '0:0', COMPLETED_GRACE_MS - 1, 'running'],
    ['COMPLETED 0:0, a minute ago', 'COMPLETED', '0:0', COMPLETED_GRACE_MS, 'lost'],
    ['CANCELLED 0:15, 2 s ago', 'CANCELLED', '0:15', 2000, 'running'],
    ['CANCELLED 0:15, 3 s ago', 'CANCELLED', '0:15', GRACE_MS, 'lost'],
    ['TIMEOUT 0:15, 10 s ago', 'TIMEOUT', '0:15', 10_000, 'lost'],
    ['FAILED 0:9 (killed at its memory limit), 10 s ago', 'FAILED', '0:9', 10_000, 'lost'],
    ['OUT_OF_MEMORY 0:125, 10 s ago', 'OUT_OF_MEMORY', '0:125', 10_000, 'lost'],
    ['FAILED 1:0 (run-exp failed), 10 s ago', 'FAILED', '1:0', 10_000, 'lost'],
  ];
  for (const [what, state, exit, ago, expected] of cases) {
    it(`is ${expected} for ${what}`, () => assert.equal(endedPhase(state, exit, end, end + ago), expected));
  }

  it('is lost for COMPLETED 0:0 with no known end time (accounting that does not say: long over)', () => {
    assert.equal(endedPhase('COMPLETED', '0:0', -Infinity, end), 'lost');
  });
});

describe('stepsWritten', () => {
  const cases: [string, string, number][] = [
    ['no metrics.jsonl', '', 0],
    ['an empty one', '', 0],
    ['step rows, then evaluation rows', '{"step":0,"lr":0.1,"loss":3}\n{"step":1,"lr":0.1,"loss":2.9}\n{"step":2,"split":"train","loss":2.8}\n', 2],
    ['a last line cut short by a kill', '{"step":0,"lr":0.1,"loss":3}\n{"step":1,"lr":0.1,"loss":2.9}\n{"step":2,"lr":0.', 2],
  ];
  for (const [what, text, expected] of cases) {
    it(`counts ${expected} steps for ${what}`, async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-steps-'));
      try {
        if (what !== 'no metrics.jsonl') await writeFile(path.join(dir, 'metrics.jsonl'), text);
        assert.equal(await stepsWritten(dir), expected);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('reads only the end of a long file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-steps-'));
    try {
      const rows = Array.from({ length: 20_000 }, (_, step) => JSON.stringify({ step, lr: 0.1, loss: 2.5 }) + '\n').join('');
      await writeFile(path.join(dir, 'metrics.jsonl'), rows);
      assert.equal(await stepsWritten(dir), 20_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
