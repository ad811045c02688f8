// The batch script of a submission: its #SBATCH lines from the executor section, and the task command.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Executor } from '../../../src/config/schema.js';
import { batchScript, sbatchOptions, shellQuote, slurmTime, type ScriptSpec } from '../../../src/launch/slurm/script.js';

const DEFAULTS: Executor = { kind: 'slurm', cpus_per_task: 1, array_parallelism: 256, signal_delay_s: 60, sbatch_args: [] };
const spec = (executor: Partial<Executor> = {}, tasks = 4): ScriptSpec => ({
  name: 'sweep',
  jobName: 'run-exp-sweep',
  tasks,
  executor: { ...DEFAULTS, ...executor },
  submission: '/shared/reports/sweep/slurm/submit-1',
  node: '/usr/bin/node',
  cli: '/opt/run-exp/bin/run-exp.js',
  cwd: '/shared/project',
  version: '0.1.0',
});

describe('batchScript', () => {
  it('asks for one array of the trials, one CPU each, logs in the submission, requeueable with USR1 before the time limit, and execs the task with absolute paths', () => {
    const script = batchScript(spec());
    assert.equal(
      script.split('\n').filter((l) => l.startsWith('#SBATCH') || l.startsWith('exec')).join('\n'),
      [
        '#SBATCH --job-name=run-exp-sweep',
        '#SBATCH --array=0-3%4',
        '#SBATCH --output=/shared/reports/sweep/slurm/submit-1/logs/%A_%a.out',
        '#SBATCH --open-mode=append',
        '#SBATCH --chdir=/shared/project',
        '#SBATCH --requeue',
        '#SBATCH --signal=B:USR1@60',
        '#SBATCH --ntasks=1',
        '#SBATCH --cpus-per-task=1',
        'exec /usr/bin/node /opt/run-exp/bin/run-exp.js task /shared/reports/sweep/slurm/submit-1 "$SLURM_ARRAY_TASK_ID"',
      ].join('\n'),
    );
    assert.match(script, /^#!\/bin\/bash\n/);
  });

  it('turns every executor key into its sbatch option, the extra options last', () => {
    const options = sbatchOptions(spec({ partition: 'gpu', timeout_min: 90, cpus_per_task: 2, mem_gb: 1.5, array_parallelism: 16, signal_delay_s: 120, sbatch_args: ['--qos=short', '--account=ml'] }, 100));
    assert.deepEqual(options.slice(1), [
      '--array=0-99%16',
      '--output=/shared/reports/sweep/slurm/submit-1/logs/%A_%a.out',
      '--open-mode=append',
      '--chdir=/shared/project',
      '--requeue',
      '--signal=B:USR1@120',
      '--ntasks=1',
      '--cpus-per-task=2',
      '--mem=1536M',
      '--time=01:30:00',
      '--partition=gpu',
      '--qos=short',
      '--account=ml',
    ]);
  });

  it('quotes paths the shell would split', () => {
    assert.equal(shellQuote('/a/b-c_d.js'), '/a/b-c_d.js');
    assert.equal(shellQuote("/my dir/it's"), `'/my dir/it'\\''s'`);
  });

  const times: [number, string][] = [
    [1, '00:01:00'],
    [90, '01:30:00'],
    [1440, '1-00:00:00'],
    [2 * 1440 + 61, '2-01:01:00'],
  ];
  for (const [minutes, text] of times) it(`writes ${minutes} minutes as --time=${text}`, () => assert.equal(slurmTime(minutes), text));
});
