// `run-exp status` of a local run: every trial of the plan (plan.json), finished ones with their status, the ones the
// live run trains with their step (its progress.json under its lock's token), the rest waiting; the run named.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readStatus } from '../../src/launch/status.js';
import { planFile, trialDir, type PlanFile } from '../../src/store/files.js';
import { acquireLock, lockFile } from '../../src/store/lock.js';
import { writeProgress } from '../../src/store/progress.js';
import { tempOut } from '../e2e/helpers.js';

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
