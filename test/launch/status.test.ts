// `run-exp status` of a local run: every trial of the plan (plan.json), finished ones with their status, the ones the
// live run trains with their step (its progress.json under its lock's token), the rest waiting; the run named.
// And a trial's row: its state, step and note, from its summary, its checkpoint, its progress and Slurm's record.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { knownTrial, readStatus, statusRow } from '../../src/launch/status.js';
import type { TaskView } from '../../src/launch/slurm/watch.js';
import { planFile, trialDir, type PlanFile } from '../../src/store/files.js';
import { acquireLock, lockFile } from '../../src/store/lock.js';
import { writeProgress } from '../../src/store/progress.js';
import type { Summary } from '../../src/types.js';
import { fixturePlan, tempOut } from '../e2e/helpers.js';

const ids = ['aaaa000001', 'aaaa000002', 'aaaa000003'];

/** DIR/NAME with plan.json of three trials, the first finished (ok), the second with progress.json of run `token`. */
async function localRun(token: string) {
  const out = await tempOut();
  await mkdir(path.join(out, 'exp', 'trials'), { recursive: true });
  const plan: PlanFile = { trials: ids, params: ids.map((_, i) => ({ 'train.lr': [0.1, 0.2, 0.3][i] })), steps: [1000, 1000, 1000] };
  await writeFile(planFile(out, 'exp'), JSON.stringify(plan));
  await mkdir(trialDir(out, 'exp', ids[0]!));
  await writeFile(path.join(trialDir(out, 'exp', ids[0]!), 'summary.json'), JSON.stringify({ id: ids[0], status: 'ok', steps: 1000, steps_planned: 1000, final: { train_loss: 2, dev_loss: 2.1, test_loss: null }, finished_at: new Date().toISOString() }));
  await mkdir(trialDir(out, 'exp', ids[1]!));
  writeProgress(trialDir(out, 'exp', ids[1]!), { step: 500, steps: 1000, loss: 2.5, steps_per_s: 100, run: token, node: 'vm', pid: process.pid, started_at: '', updated_at: '' });
  return out;
}

describe('the status of a local run', () => {
  it('lists every trial of the plan: done, running at its step (the live run\'s progress), and waiting', async () => {
    const out = await localRun('placeholder');
    const taken = await acquireLock(lockFile(path.join(out, 'exp')), { argv: ['exp.yaml'] });
    assert.equal(taken.kind, 'acquired');
    if (taken.kind !== 'acquired') return;
    try {
      writeProgress(trialDir(out, 'exp', ids[1]!), { step: 500, steps: 1000, loss: 2.5, steps_per_s: 100, run: taken.lock.record.token, node: 'vm', pid: process.pid, started_at: '', updated_at: '' });
      const status = await readStatus(out, 'exp');
      assert.equal(status.kind, 'status');
      if (status.kind !== 'status') return;
      assert.deepEqual(status.doc.trials.map((r) => [r.id, r.params, r.state, r.step, r.steps]), [
        [ids[0], { 'train.lr': 0.1 }, 'ok', 1000, 1000],
        [ids[1], { 'train.lr': 0.2 }, 'running', 500, 1000],
        [ids[2], { 'train.lr': 0.3 }, 'pending', null, 1000],
      ]);
      assert.match(status.doc.run ?? '', new RegExp(`^pid ${process.pid} on host .*: run-exp exp\\.yaml`));
    } finally {
      await taken.lock.release();
    }
  });

  it('takes no progress.json for running without a live run that wrote it (a run killed before it could remove it)', async () => {
    const out = await localRun('a-run-that-is-gone');
    const status = await readStatus(out, 'exp');
    assert.equal(status.kind, 'status');
    if (status.kind !== 'status') return;
    assert.deepEqual(status.doc.trials.map((r) => r.state), ['ok', 'pending', 'pending']);
    assert.equal(status.doc.run, null);
  });
});

describe('statusRow', () => {
  const trial = knownTrial(fixturePlan('status', [{ behave: 'ok' }]).trials[0]!); // 20 steps
  const summary = { id: trial.id, status: 'ok', steps: 20, final: { train_loss: 2, dev_loss: 2.1, test_loss: null } } as Summary;

  it('says from which step a finished trial was resumed', () => {
    const row = statusRow(trial, undefined, { ...summary, resumed_from: 12 });
    assert.deepEqual([row.state, row.step, row.resumed_from, row.checkpoint, row.reason], ['ok', 20, 12, null, 'resumed from step 12']);
  });

  it("shows an unfinished trial's checkpoint as its step, and that the next run resumes from there", () => {
    const row = statusRow(trial, undefined, undefined, { checkpoint: 15 });
    assert.deepEqual([row.state, row.step, row.checkpoint, row.reason], ['pending', 15, 15, 'checkpoint at step 15: it resumes from there']);
  });

  it("shows a resumed trial that a live local run trains: at its progress's step, resumed from its checkpoint's", () => {
    const progress = { step: 18, steps: 20, loss: 2.5, steps_per_s: 100, run: 'token', node: 'vm', pid: 1, started_at: '', updated_at: '', resumed_from: 10 };
    const row = statusRow(trial, undefined, undefined, { progress, checkpoint: 15 });
    assert.deepEqual([row.state, row.step, row.resumed_from, row.checkpoint, row.reason], ['running', 18, 10, 15, 'resumed from step 10; checkpoint at step 15']);
  });

  it('counts a task that Slurm requeued as waiting, not lost, and says so with the checkpoint it goes on from', () => {
    const record = { index: 0, jobId: '7', state: 'PENDING', reason: 'BeginTime', exitCode: '0:0', node: undefined, startTime: undefined, endTime: undefined, restarts: 1 };
    const view: TaskView = { index: 0, trial: fixturePlan('status', [{ behave: 'ok' }]).trials[0]!, phase: 'pending', record, accounted: undefined, summary: undefined, progress: undefined };
    const row = statusRow(trial, view, undefined, { checkpoint: 10 });
    assert.deepEqual([row.state, row.slurm_state, row.reason], ['pending', 'PENDING', 'requeued by Slurm (restart 1), waiting to start again (BeginTime); checkpoint at step 10: it resumes from there']);
    const running = statusRow(trial, { ...view, phase: 'running', record: { ...record, state: 'RUNNING', reason: 'None' } }, undefined, { checkpoint: 10 });
    assert.deepEqual([running.state, running.reason], ['running', 'checkpoint at step 10']);
  });
});
