// Slurm requeues a task, and the task goes on from its checkpoint (#20), against the real test cluster: a task that
// `scontrol requeue` ends mid-run, and a task that its time limit's USR1 (sbatch --signal=B:USR1@…) makes requeue
// itself. Both end with the bytes a local run writes. The two run at once (the node has two CPUs): the time limit's
// signal comes at Slurm's time-limit check, every 30 s, which is most of this file's time.
//
// Slurm 22.05 holds a requeued task back for 121 s (its begin time); the tests release it 2 s after (StartTime=now).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { isActive } from '../../../src/launch/slurm/records.js';
import { requireCluster, skipWithoutCluster, waitFor } from './cluster.js';
import { TINY, jobIdOf, startRunExp, summaryOf, trialFile, trialIds, workspace } from './helpers.js';

/** A one-trial experiment of the tiny model: `steps` steps, a checkpoint every chunk (500 steps), diagnostics every 250 (diagnostics.jsonl resumes too). */
async function oneTrial(dir: string, name: string, steps: number, executor = '', engine = 'kernel'): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    [`name: ${name}`, 'data: {slice: {first: 200}}', `model: ${TINY}`, `train: {steps: ${steps}, batch_size: 16}`, 'eval: {every: 5000}', 'sample: 3', 'checkpoint: {every: 500}', 'diagnostics: {every: 250}', `engine: ${engine}`, executor].join('\n') + '\n',
  );
  return file;
}

/** A task's record as `scontrol show job -o` gives it: state, reason, restarts. */
async function task(job: string): Promise<{ state: string; reason: string; restarts: number } | undefined> {
  const shown = await execa('scontrol', ['show', 'job', '-o', `${job}_0`], { reject: false });
  const field = (key: string) => new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(shown.stdout)?.[1];
  const state = field('JobState');
  return state === undefined ? undefined : { state, reason: field('Reason') ?? '', restarts: Number(field('Restarts') ?? 0) };
}

/** Task 0's log of the experiment's latest submission. */
async function taskLog(out: string, name: string): Promise<string> {
  const job = JSON.parse(await readFile(path.join(out, name, 'slurm', 'job.json'), 'utf8')) as { job_id: string; submission: string };
  return readFile(path.join(out, name, 'slurm', job.submission, 'logs', `${job.job_id}_0.out`), 'utf8').catch(() => '');
}

/**
 * Wait until the requeued task waits for its begin time, then release it. Not in the second its first attempt was
 * killed: slurmd refuses a job credential made in the second it revoked the old one ("Job credential revoked"; the
 * begin time Slurm sets, 121 s ahead, is the credential's lifetime and one more second), and the task then fails.
 */
async function release(job: string, extra: string[] = []): Promise<void> {
  await waitFor('the requeued task to wait in the queue', 90_000, async () => {
    const t = await task(job);
    return t !== undefined && t.restarts >= 1 && t.state === 'PENDING' ? true : undefined;
  });
  await new Promise((r) => setTimeout(r, 2000));
  await execa('scontrol', ['update', `JobId=${job}_0`, 'StartTime=now', ...extra]);
}

/** What Slurm and the task's log say, for a failure's message. */
async function said(out: string, name: string, job: string): Promise<string> {
  const shown = await execa('scontrol', ['show', 'job', '-o', `${job}_0`], { reject: false });
  return `Slurm: ${shown.stdout || shown.stderr}\nthe task's log:\n${await taskLog(out, name)}`;
}

/** Run `body` with the run-exp processes it starts and the Slurm jobs it names; whatever happens, none of them outlives it. */
async function withChildren(dir: string, body: (start: (args: string[]) => ReturnType<typeof startRunExp>, job: (id: string) => string) => Promise<void>): Promise<void> {
  const children: ReturnType<typeof startRunExp>[] = [];
  const jobs: string[] = [];
  try {
    await body(
      (args) => {
        const child = startRunExp(dir, args);
        children.push(child);
        return child;
      },
      (id) => (jobs.push(id), id),
    );
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(children);
    if (jobs.length > 0) await execa('scancel', jobs, { reject: false });
    await waitFor('the jobs to end', 60_000, async () => ((await Promise.all(jobs.map(task))).every((t) => t === undefined || !isActive(t.state)) ? true : undefined));
  }
}

describe('a task that Slurm requeues', { skip: await skipWithoutCluster(), concurrency: true }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    await requireCluster();
    ({ dir, cleanup } = await workspace());
    // Both CPUs of the node for these two tasks: tasks that earlier files cancelled may still be writing their checkpoints.
    await waitFor('the queue to empty', 60_000, async () => ((await execa('squeue', ['-h'])).stdout.trim() === '' ? true : undefined));
  });
  after(async () => cleanup());

  it('is requeued mid-run by `scontrol requeue`: it writes a checkpoint on SIGTERM, waits (status says requeued), goes on from there and ends with a local run\'s files', async () => {
    const file = await oneTrial(dir, 'requeued', 12_000, '', 'tfjs'); // tfjs: the kernel's task ended before the requeue could reach it
    await withChildren(dir, async (start, cancelled) => {
      const local = start([file, '--out', 'local', '--backend', 'wasm']);
      const run = start([file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm']); // attached: its watcher must wait, not fail the trial
      const out = path.join(dir, 'out');
      const job = cancelled(await waitFor('the submission', 60_000, () => jobIdOf(out, 'requeued').catch(() => undefined)));
      await waitFor('the task to train 2,000 steps', 120_000, async () => ((await progressStep(out, 'requeued')) >= 2000 ? true : undefined));
      await execa('scontrol', ['requeue', `${job}_0`]);
      await waitFor('the task to wait again', 60_000, async () => ((await task(job))?.state === 'PENDING' ? true : undefined));
      const status = JSON.parse((await startRunExp(dir, ['status', 'requeued', '--out', 'out', '--json'])).stdout) as { trials: { state: string; reason: string | null }[] };
      assert.equal(status.trials[0]!.state, 'pending');
      assert.match(status.trials[0]!.reason ?? '', /^requeued by Slurm \(restart 1\), waiting to start again \(BeginTime\); checkpoint at step [\d,]+: it resumes from there$/);
      await release(job);

      const result = await run;
      assert.equal(result.exitCode, 0, result.stderr);
      const log = await taskLog(out, 'requeued');
      const saved = /SIGTERM \(cancelled, requeued, past its time limit or preempted\)[^\n]*\nrun-exp task: checkpoint at step ([\d,]+) written/.exec(log);
      assert.ok(saved !== null, log);
      assert.match(log, new RegExp(`started again by Slurm: restart 1\\)[^\\n]*\\nrun-exp task: trial \\S+: resumed from step ${saved[1]} of 12,000`));
      assert.equal((await local).exitCode, 0);
      const [id] = await trialIds(out, 'requeued');
      assert.equal((await summaryOf(out, 'requeued', id!))!.resumed_from, Number(saved[1]!.replace(/,/g, '')));
      for (const f of ['metrics.jsonl', 'diagnostics.jsonl', 'weights.json', 'samples.txt']) {
        assert.ok((await trialFile(out, 'requeued', id!, f)).equals(await trialFile(path.join(dir, 'local'), 'requeued', id!, f)), `${f} differs from the local run's`);
      }
    });
  });

  it('near its time limit (USR1 from --signal=B:USR1@…) writes a checkpoint and requeues itself; started again it goes on bit for bit', async () => {
    // A trial that outlasts the test, with a time limit of one minute and the signal 40 s ahead of it: due at Slurm's
    // first check after the start. The local run of the same trial is the reference for the rows.
    const file = await oneTrial(dir, 'limited', 10_000_000, 'executor: {timeout_min: 1, signal_delay_s: 40}');
    await withChildren(dir, async (start, cancelled) => {
      const local = start([file, '--out', 'local', '--backend', 'wasm']);
      const out = path.join(dir, 'out');
      const submitted = await start([file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm', '--detach']);
      assert.equal(submitted.exitCode, 0, submitted.stderr);
      const job = cancelled(submitted.stdout.trim());
      await release(job, ['TimeLimit=10']); // started again with ten minutes: no second signal
      const log = await waitFor('the task to go on from its checkpoint', 120_000, async () => {
        const text = await taskLog(out, 'limited');
        return /resumed from step/.test(text) ? text : undefined;
      }).catch(async (error: Error) => assert.fail(`${error.message}\n${await said(out, 'limited', job)}`));
      assert.match(log, /USR1 \(the time limit is near\): a checkpoint at the next chunk boundary, then this task requeues itself/);
      const saved = /checkpoint at step ([\d,]+) written\n(?:.*\n)*?run-exp task: requeued task 0 of job \d+: Slurm starts it again later/.exec(log);
      assert.ok(saved !== null, log);
      assert.match(log, new RegExp(`resumed from step ${saved[1]} of 10,000,000`));
      // It trains on past its checkpoint; then scancel ends it (a checkpoint at the next chunk boundary, then the end).
      const from = Number(saved[1]!.replace(/,/g, ''));
      await waitFor('the task to train 1,000 steps past its checkpoint', 60_000, async () => ((await progressStep(out, 'limited')) >= from + 1000 ? true : undefined));
      await execa('scancel', [job]);
      await waitFor('the task to end', 60_000, async () => {
        const t = await task(job);
        return t === undefined || !isActive(t.state) ? true : undefined;
      });
      assert.match(await taskLog(out, 'limited'), /SIGTERM \(cancelled, requeued, past its time limit or preempted\)[^\n]*\nrun-exp task: checkpoint at step [\d,]+ written\n/);
      const [id] = await trialIds(out, 'limited');
      const rows = await trialFile(out, 'limited', id!, 'metrics.jsonl');
      assert.ok(rows.toString().split('\n').length > from + 1000, 'it trained on past its checkpoint');
      // The local run of the same trial, as far: its rows begin with the task's, byte for byte.
      await waitFor('the local run to train as far', 120_000, async () => ((await trialFile(path.join(dir, 'local'), 'limited', id!, 'metrics.jsonl')).length >= rows.length ? true : undefined));
      const reference = await trialFile(path.join(dir, 'local'), 'limited', id!, 'metrics.jsonl');
      assert.ok(reference.subarray(0, rows.length).equals(rows), 'the rows across the requeue differ from the local run\'s');
      assert.equal(local.exitCode, null, 'the local run still trains');
    });
  });
});

/** The step of the experiment's one trial in its progress.json (0 before there is one). */
async function progressStep(out: string, name: string): Promise<number> {
  const [id] = await trialIds(out, name);
  if (id === undefined) return 0;
  return trialFile(out, name, id, 'progress.json').then((b) => (JSON.parse(b.toString()) as { step: number }).step, () => 0);
}
