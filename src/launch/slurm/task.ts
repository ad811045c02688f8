// `run-exp task SUBMISSION INDEX`: what one Slurm array task runs. It trains trial INDEX of SUBMISSION/tasks.json in
// this process and writes the trial's files itself through a TrialRecorder (src/launch/recorder.ts), as the local
// pool's parent does: config.json at the start, metrics.jsonl a chunk at a time, the samples, the weights,
// summary.json last; and progress.json along the way for the parent to show.
//
// The task exits 0 when the trial ended as a result (ok or diverged), 1 when it failed (its summary says why, and
// Slurm's record shows FAILED). A task that Slurm kills cannot write its summary: the parent or `run-exp status`
// does that from Slurm's record (see watch.ts).
import os from 'node:os';
import path from 'node:path';
import { EvaluationsOnDisk } from '../../store/early-stop-files.js';
import { readSummary, trialDir } from '../../store/files.js';
import { StoreFault } from '../../store/fs-errors.js';
import type { SlurmTaskInfo } from '../../types.js';
import { EarlyStopper } from '../early-stop.js';
import { TrialRecorder } from '../recorder.js';
import { readTaskFile } from './submission.js';

/** Run one array task; resolves to its exit code. */
export async function runTask(submission: string, indexText: string): Promise<number> {
  const tasks = await readTaskFile(submission);
  const index = Number(indexText);
  const trial = Number.isInteger(index) ? tasks.trials[index] : undefined;
  if (trial === undefined) {
    process.stderr.write(`run-exp task: expected a task index from 0 to ${tasks.trials.length - 1}, got ${JSON.stringify(indexText)}\n`);
    return 2;
  }
  const dir = trialDir(tasks.out, tasks.name, trial.id);
  const jobId = process.env['SLURM_ARRAY_JOB_ID'] ?? process.env['SLURM_JOB_ID'] ?? 'none';
  const where = `task ${index} of job ${jobId} on ${os.hostname()}`;
  // Slurm may start a task again (requeued after a node failure): a result this array already wrote is kept.
  const earlier = await readSummary(dir);
  if (earlier !== undefined && earlier.status !== 'failed' && earlier.slurm?.job_id === jobId && earlier.slurm.task === index) {
    process.stderr.write(`run-exp task: trial ${trial.id} already finished (${earlier.status}); nothing to do\n`);
    return 0;
  }
  process.stderr.write(`run-exp task: trial ${trial.id} (${where}), backend ${tasks.backend}\n`);

  // Early stopping: a task hears no sibling, so at each evaluation it reads what the others have written so far to
  // their metrics.jsonl in the shared DIR (finished trials of earlier runs included) and decides for itself.
  const stopper = tasks.early_stop === undefined ? undefined : new EarlyStopper(tasks.early_stop);
  const others = stopper === undefined ? undefined : new EvaluationsOnDisk(path.join(tasks.out, tasks.name, 'trials'), tasks.plan_ids ?? tasks.trials.map((t) => t.id), stopper);
  const slurm: SlurmTaskInfo = { job_id: jobId, task: index, node: os.hostname() };
  // A write that fails (the shared disk is full, read-only …) ends the task at once: its metrics end with a whole line,
  // and whoever watches the array fails the trial with Slurm's record of the task.
  const onFault = (fault: StoreFault) => {
    process.stderr.write(`run-exp task: stopped: ${fault.message}; trial ${trial.id} keeps ${record.stepsWritten} steps of metrics\n`);
    process.exit(1);
  };
  const record = new TrialRecorder(trial, dir, { backend: tasks.backend, stopper, slurm, progress: { job_id: jobId, task: index }, onFault }); // config.json and an empty metrics.jsonl
  // scancel, a time limit or a preemption sends SIGTERM (SIGKILL follows after KillWait): the metrics rows already
  // handed to the record reach metrics.jsonl first (the loop yields between chunks), then the task ends as killed.
  // Its summary is written by whoever watches the array, with Slurm's reason.
  process.once('SIGTERM', () => {
    process.stderr.write(`run-exp task: SIGTERM (cancelled, past its time limit or preempted); trial ${trial.id} keeps ${record.stepsWritten} steps of metrics\n`);
    void record.settle().finally(() => process.kill(process.pid, 'SIGTERM')); // the handler is gone: ended by the signal, as Slurm records it
  });
  const onCheckpoint =
    others === undefined
      ? undefined
      : async (step: number) => {
          await others.refresh(trial.id); // the siblings' evaluations written since the last look
          return record.decide(step);
        };
  try {
    const { trainTrial } = await import('../../train/trial.js'); // TF.js loads here, after the cheap checks above
    const output = await trainTrial(trial.config, { id: trial.id, backend: tasks.backend, onProgress: (p) => record.progress(p), onMetrics: (rows) => record.metrics(rows), ...(onCheckpoint === undefined ? {} : { onCheckpoint }) });
    await record.end({ kind: 'output', output }, ''); // the task's own output is its Slurm log, logs/JOBID_INDEX.out
    return 0;
  } catch (error) {
    if (error instanceof StoreFault) return onFault(error);
    const e = error instanceof Error ? error : new Error(String(error));
    const failure = { kind: 'threw', message: e.message, stack: e.stack ?? e.message } as const;
    await record.end({ kind: 'failed', failure }, '').catch((f: unknown) => (f instanceof StoreFault ? onFault(f) : Promise.reject(f))); // the metrics of the steps it trained stay
    process.stderr.write(`run-exp task: trial ${trial.id} failed: ${e.stack ?? e.message}\n`);
    return 1;
  }
}
