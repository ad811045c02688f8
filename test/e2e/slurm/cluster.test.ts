// The test cluster itself (test/e2e/slurm/cluster.sh): sbatch runs a task on it, and the task's end is on record.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { jobState, requireCluster, skipWithoutCluster, waitFor } from './cluster.js';

describe('the test cluster', { skip: await skipWithoutCluster() }, () => {
  let dir: string;
  before(async () => {
    await requireCluster();
    dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-slurm-smoke-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('runs a batch task submitted with sbatch, which then shows as COMPLETED with exit code 0:0', async () => {
    const out = path.join(dir, 'out.txt');
    const submitted = await execa('sbatch', ['--parsable', '--job-name=run-exp-smoke', `--output=${out}`, `--chdir=${dir}`, '--wrap', 'echo "task on $SLURMD_NODENAME in $PWD"']);
    const id = submitted.stdout.trim();
    assert.match(id, /^\d+$/);
    await waitFor(`job ${id} to complete`, 30_000, async () => ((await jobState(id)) === 'COMPLETED' ? true : undefined));
    assert.match(await readFile(out, 'utf8'), new RegExp(`^task on \\S+ in ${dir}\\n$`));
    const shown = (await execa('scontrol', ['show', 'job', '-o', id])).stdout;
    assert.match(shown, /\bExitCode=0:0\b/);
  });

  it('forgets nothing it has run: a cancelled array task stays on record as CANCELLED with its signal', async () => {
    const submitted = await execa('sbatch', ['--parsable', '--job-name=run-exp-smoke', '--array=0-1', '--output=/dev/null', '--wrap', 'exec sleep 60']); // exec: the batch shell is sleep, which the signal ends (a shell could catch it and exit 143)
    const job = submitted.stdout.trim();
    await waitFor(`task ${job}_0 to run`, 30_000, async () => ((await jobState(`${job}_0`)) === 'RUNNING' ? true : undefined));
    await execa('scancel', [job]);
    await waitFor(`task ${job}_0 to be cancelled`, 30_000, async () => ((await jobState(`${job}_0`)) === 'CANCELLED' ? true : undefined));
    assert.match((await execa('scontrol', ['show', 'job', '-o', `${job}_0`])).stdout, /\bExitCode=0:15\b/);
  });
});
