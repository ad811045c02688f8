// The Slurm executor's guards against the real test cluster: a second submission refused under the lock, no
// submission after Ctrl-C, no array left running that job.json does not record, and no failed summary written by
// `status` or `report` while a live run holds run.lock (it watches the same tasks and writes them itself).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { planExperiment } from '../../../src/config/plan.js';
import type { LaunchEvents, LaunchRequest } from '../../../src/launch/launcher.js';
import { slurmLauncher } from '../../../src/launch/slurm/launcher.js';
import { acquireLock, lockFile } from '../../../src/store/lock.js';
import type { Plan } from '../../../src/types.js';
import { jobState, requireCluster, skipWithoutCluster, waitFor } from './cluster.js';
import { gridFile, jobIdOf, queued, startRunExp, summaryOf, trialIds, workspace } from './helpers.js';

/** Events that show nothing (the tests read files and Slurm, not progress lines). */
const quiet: LaunchEvents = { note() {}, start() {}, progress() {}, end() {} };

/** A detached submission of every trial of the plan under `out`, with `signal`. */
function detached(plan: Plan, out: string, signal = new AbortController().signal): LaunchRequest {
  return { plan, trials: plan.trials, out, backend: 'wasm', detach: true, signal, jobs: 1, runToken: 'test' };
}

/** The submission folders of an experiment (slurm/submit-…). */
async function submissions(out: string, name: string): Promise<string[]> {
  return (await readdir(path.join(out, name, 'slurm')).catch(() => [] as string[])).filter((f) => f.startsWith('submit-'));
}

describe('submitting without Slurm being asked', () => {
  it('submits nothing when the signal came during planning (Ctrl-C before the array): interrupted, so exit 130, --detach too', async () => {
    const { dir, cleanup } = await workspace();
    try {
      const { plan } = await planExperiment(await gridFile(dir, 'early-signal'));
      const out = path.join(dir, 'out');
      const outcome = await slurmLauncher().launch(detached(plan, out, AbortSignal.abort()), quiet);
      assert.deepEqual(outcome, { kind: 'ran', summaries: new Map(), interrupted: true, unwritten: 0 });
      assert.ok(!existsSync(path.join(out, 'early-signal', 'slurm')), 'no submission files');
    } finally {
      await cleanup();
    }
  });
});

describe('the Slurm executor\'s guards', { skip: await skipWithoutCluster() }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const jobs: string[] = []; // cancelled at the end, whatever happened
  before(async () => {
    await requireCluster();
    ({ dir, cleanup } = await workspace());
  });
  after(async () => {
    if (jobs.length > 0) await execa('scancel', jobs, { reject: false });
    await cleanup();
  });

  it('refuses a submission under the lock when an earlier array was submitted after the check before it: nothing written, job.json kept', async () => {
    const file = await gridFile(dir, 'race', 200_000);
    const out = path.join(dir, 'out');
    const { plan } = await planExperiment(file); // planned (and checked) before the other array exists
    const first = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm', '--detach']);
    assert.equal(first.exitCode, 0, first.stderr);
    const job = first.stdout.trim();
    jobs.push(job);
    const outcome = await slurmLauncher().launch(detached(plan, out), quiet); // a refusal is a value, not an exception
    assert.ok(outcome.kind === 'refused', JSON.stringify(outcome));
    assert.match(outcome.message, new RegExp(`Slurm job ${job}, submitted \\S+, still has 4 tasks queued or running`));
    assert.equal(await jobIdOf(out, 'race'), job, 'job.json still names the first array');
    assert.equal((await submissions(out, 'race')).length, 1, 'no second submission folder');
    await execa('scancel', [job]); // free the cluster for the next tests
  });

  it('cancels the array when job.json cannot be written after sbatch took it, and says so', async () => {
    const file = await gridFile(dir, 'unrecorded', 200_000);
    const out = path.join(dir, 'out');
    await mkdir(path.join(out, 'unrecorded', 'slurm', 'job.json'), { recursive: true }); // a folder: renaming a file over it fails
    const { plan } = await planExperiment(file);
    let job = '';
    await assert.rejects(slurmLauncher().launch(detached(plan, out), quiet), (error: unknown) => {
      const m = /^expected to record Slurm job (\d+) in slurm\/job\.json, got .*; it was cancelled \(scancel \1\)$/.exec((error as Error).message);
      assert.ok(m !== null, (error as Error).message);
      job = m[1]!;
      return true;
    });
    jobs.push(job);
    await waitFor(`job ${job} to leave the queue`, 30_000, async () => ((await queued(job)).length === 0 ? true : undefined));
    assert.ok([undefined, 'CANCELLED'].includes(await jobState(job)), `job ${job}: ${await jobState(job)}`);
  });

  it('leaves lost tasks to the live run that holds run.lock: status and report only look; once the lock is gone, status fails them', async () => {
    const file = await gridFile(dir, 'watched', 200_000);
    const out = path.join(dir, 'out');
    const submitted = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm', '--detach', '--jobs', '1']);
    assert.equal(submitted.exitCode, 0, submitted.stderr);
    const job = submitted.stdout.trim();
    jobs.push(job);
    await execa('scancel', [job]); // the running task ends CANCELLED, the pending ones leave no record: all lost
    await waitFor(`job ${job} to leave the queue`, 30_000, async () => ((await queued(job)).length === 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 3500)); // past the grace of a cancelled task

    const taken = await acquireLock(lockFile(path.join(out, 'watched')), { argv: ['watched.yaml', '--executor', 'slurm'] }); // this process: a live run
    assert.equal(taken.kind, 'acquired');
    const tasks = JSON.parse(await readFile(path.join(out, 'watched', 'slurm', (await submissions(out, 'watched'))[0]!, 'tasks.json'), 'utf8')) as { trials: { id: string }[] };
    const ids = tasks.trials.map((t) => t.id);
    try {
      const looked = await startRunExp(dir, ['status', 'watched', '--out', 'out', '--json']);
      assert.equal(looked.exitCode, 0, looked.stderr);
      const rows = (JSON.parse(looked.stdout) as { trials: { state: string; reason: string | null }[] }).trials;
      assert.equal(rows.length, 4);
      for (const row of rows) {
        assert.equal(row.state, 'running');
        assert.match(row.reason ?? '', /without a summary\.json; the run holding run\.lock records its failure/);
      }
      const report = await startRunExp(dir, ['report', 'watched', '--out', 'out']);
      assert.match(report.stderr, /a run is writing these results/);
      for (const id of ids) assert.equal(await summaryOf(out, 'watched', id), undefined, `${id}: no summary while the run holds the lock`);
    } finally {
      if (taken.kind === 'acquired') await taken.lock.release();
    }

    const settled = await startRunExp(dir, ['status', 'watched', '--out', 'out', '--json']);
    assert.equal(settled.exitCode, 0, settled.stderr);
    assert.deepEqual((JSON.parse(settled.stdout) as { trials: { state: string }[] }).trials.map((t) => t.state), ['failed', 'failed', 'failed', 'failed']);
    for (const id of ids) assert.equal((await summaryOf(out, 'watched', id))?.status, 'failed');
    assert.deepEqual(await trialIds(out, 'watched'), [...ids].sort());
  });
});
