// The Slurm executor against the real test cluster (test/e2e/slurm/cluster.sh): one job array per run, one trial per
// task, the trials' files in the local layout. Real sbatch, real tasks training real (tiny) models.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { isActive } from '../../../src/launch/slurm/records.js';
import { requireCluster, skipWithoutCluster, waitFor } from './cluster.js';
import { gridFile, LECTURE, TINY, jobIdOf, queued, startRunExp, summaryOf, trialFile, trialIds, waitForOutput, workspace } from './helpers.js';

describe('a sweep through Slurm', { skip: await skipWithoutCluster() }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    await requireCluster();
    ({ dir, cleanup } = await workspace());
  });
  after(async () => cleanup());

  it('runs a 4-trial grid as one array, all ok, with the same ids and byte-identical metrics, diagnostics, samples and weights as a local run', async () => {
    const file = await gridFile(dir, 'same', 400, ['diagnostics: {every: 100}']);
    const slurm = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'slurm', '--backend', 'wasm', '--json']);
    assert.equal(slurm.exitCode, 0, slurm.stderr);
    assert.match(slurm.stderr, /submitted Slurm job \d+: 4 trials as array tasks 0-3/);
    const local = await startRunExp(dir, [file, '--out', 'local', '--backend', 'wasm', '--json']);
    assert.equal(local.exitCode, 0, local.stderr);

    const ids = await trialIds(path.join(dir, 'local'), 'same');
    assert.equal(ids.length, 4);
    assert.deepEqual(await trialIds(path.join(dir, 'slurm'), 'same'), ids);
    for (const id of ids) {
      for (const f of ['metrics.jsonl', 'diagnostics.jsonl', 'samples.txt', 'weights.json', 'config.json']) {
        assert.ok((await trialFile(path.join(dir, 'slurm'), 'same', id, f)).equals(await trialFile(path.join(dir, 'local'), 'same', id, f)), `${id}/${f} differs`);
      }
      const s = (await summaryOf(path.join(dir, 'slurm'), 'same', id))!;
      assert.equal(s.status, 'ok');
      assert.match(s.slurm?.job_id ?? '', /^\d+$/);
    }
    const doc = (text: string) => (JSON.parse(text) as { trials: { id: string; status: string; final: unknown }[] }).trials.map((t) => [t.id, t.status, t.final]);
    assert.deepEqual(doc(slurm.stdout), doc(local.stdout));
    assert.ok(existsSync(path.join(dir, 'slurm', 'same.html')));
    const script = await readFile(path.join(dir, 'slurm', 'same', 'slurm', (await import('node:fs')).readdirSync(path.join(dir, 'slurm', 'same', 'slurm')).find((f) => f.startsWith('submit-'))!, 'batch.sh'), 'utf8');
    assert.match(script, /^#SBATCH --array=0-3%4$/m);
    assert.match(script, new RegExp(`^exec ${process.execPath.replace(/[/.]/g, '\\$&')} \\S+/bin/run-exp\\.js task \\S+ "\\$SLURM_ARRAY_TASK_ID"$`, 'm'));
  });

  it('fails the trial whose task is cancelled mid-run and the one cancelled while pending (exit 1), keeps the others, and a re-run completes both, the first from its checkpoint', async () => {
    // Trials of some seconds (the lecture's network), two at a time: tasks 0 and 1 run while 2 and 3 wait.
    const file = await gridFile(dir, 'cancel', 3000, ['engine: tfjs'], LECTURE); // tfjs: the kernel trains 3,000 steps between two looks
    const run = startRunExp(dir, [file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm', '--jobs', '2']);
    await waitForOutput(run, /submitted Slurm job/, 30_000);
    const job = await jobIdOf(path.join(dir, 'out'), 'cancel');
    // Cancel task 0 once it has trained a chunk (progress and metrics rows written), and task 3 while it waits.
    await waitFor('task 0 to train a chunk', 60_000, async () => {
      const ids = await trialIds(path.join(dir, 'out'), 'cancel');
      for (const id of ids) {
        const trial = path.join(dir, 'out', 'cancel', 'trials', id);
        const p = await readFile(path.join(trial, 'progress.json'), 'utf8').then((t) => JSON.parse(t) as { task: number; step: number }, () => undefined);
        const rows = await readFile(path.join(trial, 'metrics.jsonl'), 'utf8').catch(() => '');
        if (p?.task === 0 && p.step > 0 && rows !== '') return true;
      }
      return undefined;
    });
    await execa('scancel', [`${job}_0`, `${job}_3`]);
    const result = await run;
    assert.equal(result.exitCode, 1, result.stderr);
    const tasks = JSON.parse(await readFile(path.join(dir, 'out', 'cancel', 'slurm', JSON.parse(await readFile(path.join(dir, 'out', 'cancel', 'slurm', 'job.json'), 'utf8')).submission, 'tasks.json'), 'utf8')) as { trials: { id: string }[] };
    const [t0, t1, t2, t3] = tasks.trials.map((t) => t.id);
    const s0 = (await summaryOf(path.join(dir, 'out'), 'cancel', t0!))!;
    assert.equal(s0.status, 'failed');
    // Ended by scancel's SIGTERM (0:15), or by the SIGKILL that follows KillWait later on a loaded machine (0:9).
    assert.match(s0.reason!, /cancelled in Slurm \(Slurm: CANCELLED, exit code 0:(15|9)\)/);
    // The metrics it trained stay, and its summary counts them.
    const rows = (await readFile(path.join(dir, 'out', 'cancel', 'trials', t0!, 'metrics.jsonl'), 'utf8')).split('\n').filter((l) => l !== '' && !l.includes('"split"'));
    assert.ok(rows.length > 0 && rows.length < 3000, `${rows.length} step rows`);
    assert.equal(s0.steps, rows.length);
    assert.match(await readFile(path.join(dir, 'out', 'cancel', 'trials', t0!, 'stderr.log'), 'utf8'), new RegExp(`\\*\\*\\* JOB \\d+ ON \\S+ CANCELLED AT`)); // the task's log
    const s3 = (await summaryOf(path.join(dir, 'out'), 'cancel', t3!))!;
    assert.equal(s3.status, 'failed');
    assert.match(s3.reason!, /Slurm has no record of task 3/);
    for (const id of [t1!, t2!]) assert.equal((await summaryOf(path.join(dir, 'out'), 'cancel', id))!.status, 'ok');
    assert.deepEqual(await queued(job), []);

    const again = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stderr, /skipping 2 of 4 trials finished by an earlier run/);
    assert.match(again.stderr, /submitted Slurm job \d+: 2 trials as array tasks 0-1/);
    for (const id of [t0!, t3!]) assert.equal((await summaryOf(path.join(dir, 'out'), 'cancel', id))!.status, 'ok');
    // scancel's SIGTERM made task 0 write a checkpoint at its next chunk boundary: the re-run went on from it.
    assert.equal((await summaryOf(path.join(dir, 'out'), 'cancel', t0!))!.resumed_from, s0.steps);
  });

  it('submits and returns with --detach (the job id on stdout); status shows each trial, and report builds once they are done', async () => {
    const file = await gridFile(dir, 'detached');
    const submitted = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm', '--detach']);
    assert.equal(submitted.exitCode, 0, submitted.stderr);
    const job = submitted.stdout.trim();
    assert.match(job, /^\d+$/);
    assert.equal(await jobIdOf(path.join(dir, 'out'), 'detached'), job);
    assert.ok(!existsSync(path.join(dir, 'out', 'detached.html')), 'no report before the trials ran');

    const first = await startRunExp(dir, ['status', 'detached', '--out', 'out']);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`Slurm job ${job} \\(4 tasks`));
    // Right after the submission the tasks wait or run (a tiny one may have ended already): no state is made up.
    const early = JSON.parse((await startRunExp(dir, ['status', 'detached', '--out', 'out', '--json'])).stdout) as { trials: { state: string; task: number; slurm_state: string | null }[] };
    assert.deepEqual(early.trials.map((t) => t.task), [0, 1, 2, 3]);
    for (const t of early.trials) assert.ok(['pending', 'running', 'ok'].includes(t.state) && t.slurm_state !== null, JSON.stringify(t));
    // A task writes summary.json (the trial is ok) a moment before its process ends, so Slurm can still say RUNNING or
    // COMPLETING then: wait until every trial is ok and Slurm holds none of the tasks as active.
    const done = await waitFor('every trial to finish and its task to end', 60_000, async () => {
      const s = await startRunExp(dir, ['status', 'detached', '--out', 'out', '--json']);
      const doc = JSON.parse(s.stdout) as { trials: { state: string; slurm_state: string | null; exit_code: string | null; task: number }[] };
      return doc.trials.every((t) => t.state === 'ok' && t.slurm_state !== null && !isActive(t.slurm_state)) ? doc : undefined;
    });
    assert.deepEqual(done.trials.map((t) => [t.task, t.slurm_state, t.exit_code]), [[0, 'COMPLETED', '0:0'], [1, 'COMPLETED', '0:0'], [2, 'COMPLETED', '0:0'], [3, 'COMPLETED', '0:0']]);
    const report = await startRunExp(dir, ['report', 'detached', '--out', 'out']);
    assert.equal(report.exitCode, 0, report.stderr);
    assert.equal(report.stdout.trim(), path.join('out', 'detached.html'));
    assert.match(await readFile(path.join(dir, 'out', 'detached.html'), 'utf8'), /<html/);
  });

  it('refuses a re-run while the previous array of the experiment is still queued, and Ctrl-C cancels the array: exit 130, nothing left in squeue, nothing failed', async () => {
    const file = await gridFile(dir, 'interrupt', 200_000, ['engine: tfjs']); // tfjs: every task still runs at the second look
    const run = startRunExp(dir, [file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm']);
    await waitForOutput(run, /start /, 60_000);
    const job = await jobIdOf(path.join(dir, 'out'), 'interrupt');

    const refused = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm']);
    assert.equal(refused.exitCode, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`Slurm job ${job}, submitted \\S+, still has 4 tasks queued or running`));
    assert.equal(await jobIdOf(path.join(dir, 'out'), 'interrupt'), job, 'nothing was submitted');

    const sent = Date.now();
    run.kill('SIGINT');
    const result = await run;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.ok(Date.now() - sent < 25_000, `it took ${Date.now() - sent} ms`); // Slurm's SIGTERM, then SIGKILL after KillWait (10 s)
    assert.match(result.stderr, new RegExp(`cancelled Slurm job ${job}`));
    assert.match(result.stdout, /interrupted: 0 of 4 trials finished/);
    assert.deepEqual(await queued(job), []);
    const status = await startRunExp(dir, ['status', 'interrupt', '--out', 'out', '--json']);
    const states = (JSON.parse(status.stdout) as { trials: { state: string }[] }).trials.map((t) => t.state);
    assert.deepEqual(states, ['pending', 'pending', 'pending', 'pending']);
  });

  it('keeps the trials that finished when Ctrl-C cancels the array, and a re-run submits only the unfinished one', async () => {
    const file = path.join(dir, 'partly.yaml');
    await writeFile(
      file,
      // tfjs: the kernel trains the 200,000 steps before the interrupt comes
      ['name: partly', 'data: {slice: {first: 200}}', `model: ${TINY}`, 'eval: {every: 100}', 'sample: 3', 'engine: tfjs', 'grid: {train.steps: [300, 200000]}'].join('\n') + '\n',
    );
    const run = startRunExp(dir, [file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm', '--jobs', '2']);
    await waitForOutput(run, /^\[1\/2\] .*train\.steps=300: ok, /m, 60_000); // the 300-step trial's end line
    // The attached watcher rewrites the report as the tasks go on: the running one with how far its progress.json says.
    const page = path.join(dir, 'out', 'partly.html');
    await waitFor('a live page with the running task', 30_000, async () => (/id="live-data"/.test(await readFile(page, 'utf8').catch(() => '')) && /<td class="num">[\d,]+ \/ 200,000<\/td>/.test(await readFile(page, 'utf8')) ? true : undefined));
    run.kill('SIGINT');
    const result = await run;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.match(result.stdout, /interrupted: 1 of 2 trials finished; run the same command again to resume \(an unfinished trial goes on from its checkpoint\); out\/partly\.html shows the run as it was when interrupted/);
    assert.ok(/<h2>Interrupted<\/h2>/.test(await readFile(page, 'utf8')), 'the live page, closed');
    const job = await jobIdOf(path.join(dir, 'out'), 'partly');
    assert.deepEqual(await queued(job), []);
    const status = await startRunExp(dir, ['status', 'partly', '--out', 'out', '--json']);
    const states = (JSON.parse(status.stdout) as { trials: { params: Record<string, unknown>; state: string }[] }).trials.map((t) => [t.params['train.steps'], t.state]);
    assert.deepEqual(states, [[300, 'ok'], [200000, 'pending']]);
    // Run again: only the unfinished trial is submitted (then cancelled: it would train for a while).
    const again = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm', '--detach']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stderr, /submitted Slurm job \d+: 1 trial, one per array task/);
    const resubmitted = JSON.parse((await startRunExp(dir, ['status', 'partly', '--out', 'out', '--json'])).stdout) as { trials: { params: Record<string, unknown>; state: string; task: number | null }[] };
    assert.deepEqual(resubmitted.trials.map((t) => [t.params['train.steps'], t.state === 'ok' ? 'ok' : 'not yet', t.task]), [[300, 'ok', null], [200000, 'not yet', 0]]);
    await execa('scancel', [again.stdout.trim()]);
    await waitFor('the re-run\'s task to go', 30_000, async () => ((await queued(again.stdout.trim())).length === 0 ? true : undefined));
  });

  it('stops a hopeless trial early: a task decides from the evaluations its siblings wrote to the shared folder', async () => {
    const file = path.join(dir, 'early.yaml');
    await writeFile(
      file,
      [
        'name: early',
        'data: {slice: {first: 200}}',
        `model: ${TINY}`,
        'train: {steps: 600}',
        'eval: {every: 100}',
        'sample: 3',
        'grid: {train.lr: [0.1, 0.2, 0.0001]}', // the last one barely moves
        'early_stop: {method: median, grace: 200, min_trials: 2}',
      ].join('\n') + '\n',
    );
    // One task at a time, so that the last trial's task finds both others' evaluations on disk.
    const r = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'out', '--backend', 'wasm', '--jobs', '1', '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const trials = (JSON.parse(r.stdout) as { trials: { params: Record<string, unknown>; status: string }[] }).trials;
    assert.deepEqual(trials.map((t) => [t.params['train.lr'], t.status]), [[0.1, 'ok'], [0.2, 'ok'], [0.0001, 'stopped']]);
  });

  it('fails a trial whose task Slurm kills at its memory limit, with that reason and the task log as stderr.log', async () => {
    // Slurm samples a task's memory once a second (JobAcctGatherFrequency=task=1): the trial must outlive a few samples
    // (20,000 steps, about 5 s), or a task that ends within the first second is never caught. The plan's memory check
    // refuses a trial beyond a limit the file sets (mem_gb, or --mem in sbatch_args), and its estimate errs high for a
    // trial this small (123 MB planned; a task passed under --mem=130M), so no limit in the file lets Slurm kill it. The
    // limit comes from outside the file, as a site's environment may set it: SBATCH_MEM_PER_NODE, which sbatch reads
    // over the script's options. On tfjs, whose tensors grow the worker past 50 MB (the kernel's trial stays under it).
    const args = ['--executor', 'slurm', '--out', 'out', '--backend', 'wasm', '--set', 'train.lr=0.1', '--set', 'train.batch_size=32'];
    const refused = await startRunExp(dir, [await gridFile(dir, 'memory', 20_000, ['executor: {sbatch_args: ["--mem=50M"]}', 'repeat: 1', 'engine: tfjs']), ...args]);
    assert.equal(refused.exitCode, 2, refused.stderr);
    assert.match(refused.stderr, /memory\.yaml:10:26 executor\.sbatch_args\[0\]: expected a trial that fits in a Slurm task's memory \(--mem=50M\), got one that needs about \d+ MB at its peak/);
    const file = await gridFile(dir, 'memory', 20_000, ['repeat: 1', 'engine: tfjs']);
    const run = await startRunExp(dir, [file, ...args], { SBATCH_MEM_PER_NODE: '50M' });
    assert.equal(run.exitCode, 1, run.stderr);
    const [id] = await trialIds(path.join(dir, 'out'), 'memory');
    const s = (await summaryOf(path.join(dir, 'out'), 'memory', id!))!;
    assert.equal(s.status, 'failed');
    assert.match(s.reason!, /Slurm killed the task at its memory limit/);
    assert.match(await readFile(path.join(dir, 'out', 'memory', 'trials', id!, 'stderr.log'), 'utf8'), /exceeded memory limit/);
  });

  it('exits 2 with Slurm\'s own message for a bad partition, and writes nothing', async () => {
    const file = await gridFile(dir, 'partition');
    const r = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'nothing', '--set', 'executor.partition=nope']);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /Slurm refused the submission: .*invalid partition specified: nope/s);
    assert.match(r.stderr, /nothing was submitted or written/);
    assert.ok(!existsSync(path.join(dir, 'nothing')));
  });

  it('exits 2 with Slurm\'s own message when the controller cannot be reached, and writes nothing', async () => {
    // Nothing listens on port 1; a short MessageTimeout makes sbatch give up at once instead of after 18 s of retries.
    const conf = (await readFile(process.env['SLURM_CONF'] ?? '/etc/slurm/slurm.conf', 'utf8')) + 'SlurmctldPort=1\nMessageTimeout=1\n';
    const confFile = path.join(dir, 'unreachable.conf');
    await (await import('node:fs/promises')).writeFile(confFile, conf);
    const file = await gridFile(dir, 'unreachable');
    const r = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'nothing'], { SLURM_CONF: confFile });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /Slurm refused the submission: .*Unable to contact slurm controller/s);
    assert.ok(!existsSync(path.join(dir, 'nothing')));
  });
});

describe('the Slurm executor without Slurm', () => {
  it('exits 2 saying sbatch is not on PATH, and writes nothing', async () => {
    const { dir, cleanup } = await workspace();
    try {
      const file = await gridFile(dir, 'nopath');
      const r = await startRunExp(dir, [file, '--executor', 'slurm', '--out', 'nothing'], { PATH: '/nonexistent' });
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, /sbatch is not on PATH/);
      assert.ok(!existsSync(path.join(dir, 'nothing')));
    } finally {
      await cleanup();
    }
  });
});
