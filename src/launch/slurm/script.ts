// The batch script of a submission: one job array, one trial per task, each task running `run-exp task`. Pure.
import type { Executor } from '../../config/schema.js';

/** What the script needs: where things are, how many tasks, how Slurm should run them. */
export interface ScriptSpec {
  name: string; // the experiment's name
  jobName: string; // --job-name
  tasks: number; // array size: tasks 0 … tasks-1
  executor: Executor;
  submission: string; // absolute: DIR/NAME/slurm/SUBMISSION, holding tasks.json and logs/
  node: string; // absolute path of the node binary (the submitting process's own)
  cli: string; // absolute path of run-exp's bin/run-exp.js
  cwd: string; // the working directory of every task (where run-exp was started)
  version: string; // run-exp's version, for the header
}

/** A value in single quotes for bash. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** sbatch's --time from minutes: D-HH:MM:SS. */
export function slurmTime(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hms = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
  return days > 0 ? `${days}-${hms}` : hms;
}

/** The sbatch options of the submission, in the order the script lists them. */
export function sbatchOptions(spec: ScriptSpec): string[] {
  const e = spec.executor;
  const parallel = Math.min(e.array_parallelism, spec.tasks);
  return [
    `--job-name=${spec.jobName}`,
    `--array=0-${spec.tasks - 1}%${parallel}`,
    `--output=${spec.submission}/logs/%A_%a.out`, // stdout and stderr of each task
    '--open-mode=append', // a requeued task's log goes on after its earlier attempt's (Slurm truncates by default)
    `--chdir=${spec.cwd}`,
    '--requeue', // a task that is preempted, or signalled near its time limit, goes back to the queue and resumes from its checkpoint
    `--signal=B:USR1@${e.signal_delay_s}`, // to the batch shell, which is the task itself (exec): write a checkpoint, requeue

    '--ntasks=1',
    `--cpus-per-task=${e.cpus_per_task}`,
    ...(e.mem_gb === undefined ? [] : [`--mem=${Math.ceil(e.mem_gb * 1024)}M`]),
    ...(e.timeout_min === undefined ? [] : [`--time=${slurmTime(e.timeout_min)}`]),
    ...(e.partition === undefined ? [] : [`--partition=${e.partition}`]),
    ...e.sbatch_args,
  ];
}

/** The batch script: #SBATCH lines, then the task command with absolute paths. */
export function batchScript(spec: ScriptSpec): string {
  return [
    '#!/bin/bash',
    `# run-exp ${spec.version}: experiment ${spec.name}, ${spec.tasks} trial${spec.tasks === 1 ? '' : 's'}, one per array task.`,
    '# Written by `run-exp FILE.yaml --executor slurm`; task i trains the trial at index i of tasks.json and writes',
    '# its files under the experiment directory itself (summary.json last), as a local run does. USR1 (before the time',
    '# limit) makes a task write a checkpoint and requeue itself; started again, it goes on from that checkpoint.',
    ...sbatchOptions(spec).map((o) => `#SBATCH ${o}`),
    'set -eu',
    'export NO_COLOR=1',
    `exec ${shellQuote(spec.node)} ${shellQuote(spec.cli)} task ${shellQuote(spec.submission)} "$SLURM_ARRAY_TASK_ID"`,
    '',
  ].join('\n');
}
