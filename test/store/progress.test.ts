// progress.json: written whole by whoever records a running trial, read only for the run that asks (a Slurm array by
// its job id, a local run by its lock's token), removed when the trial ends.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { readProgress, removeProgress, writeProgress, type TrialProgress } from '../../src/store/progress.js';
import { tempOut } from '../e2e/helpers.js';

const at = { step: 500, steps: 1000, loss: 2.5, steps_per_s: 2000, node: 'vm', pid: 42, started_at: '2026-12-07T12:00:00.000Z', updated_at: '2026-12-07T12:00:01.000Z' };

describe('progress.json', () => {
  it('is read back only for the run that wrote it: a Slurm array by its job id, a local run by its token', async () => {
    const dir = await tempOut();
    const local: TrialProgress = { ...at, run: 'token-a' };
    writeProgress(dir, local);
    assert.deepEqual(await readProgress(dir, { run: 'token-a' }), local);
    assert.equal(await readProgress(dir, { run: 'token-b' }), undefined, 'a file left by another run (killed) is not this run\'s');
    assert.equal(await readProgress(dir, { job_id: '41' }), undefined);
    const slurm: TrialProgress = { ...at, job_id: '41', task: 3 };
    writeProgress(dir, slurm);
    assert.deepEqual(await readProgress(dir, { job_id: '41' }), slurm);
    assert.equal(await readProgress(dir, { job_id: '40' }), undefined);
    assert.equal(await readProgress(dir, { run: 'token-a' }), undefined);
  });

  it('goes when the trial ends, and leaves no temp file', async () => {
    const dir = await tempOut();
    writeProgress(dir, { ...at, run: 't' });
    removeProgress(dir);
    removeProgress(dir); // twice: nothing to remove is not an error
    assert.deepEqual(await readdir(dir), []);
  });
});
