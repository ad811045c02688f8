// `run-exp task SUBMISSION INDEX`: what one Slurm array task runs. It trains trial INDEX of SUBMISSION/tasks.json in
// this process and writes the trial's files itself through a TrialRecorder (src/launch/recorder.ts), as the local
// pool's parent does: config.json at the start, metrics.jsonl a chunk at a time, the samples, the weights,
// summary.json last; and progress.json along the way for the parent to show.
//
// The task exits 0 when the trial ended as a result (ok or diverged), 1 when it failed (its summary says why, and
// Slurm's record shows FAILED). A task that Slurm kills cannot write its summary: the parent or `run-exp status`
// does that from Slurm's record (see watch.ts).
//
// Checkpoints: every checkpoint.every steps, and on a signal. USR1 comes executor.signal_delay_s before the time limit
// (sbatch --signal=B:USR1@N; the batch shell execs this process, so it is ours): the task writes a checkpoint at the
// next chunk boundary and requeues itself (`scontrol requeue`); Slurm ends it and starts it again later, and it goes on
// from that checkpoint (as a re-run of the experiment would). SIGTERM (scancel, a requeue from outside, preemption, the
// time limit itself) writes a checkpoint at the next chunk boundary too, then the task ends by the signal.
import os from 'node:os';
import path from 'node:path';
import * as msg from '../../messages.js';
import { EvaluationsOnDisk } from '../../store/early-stop-files.js';
import { readSummary, trialDir } from '../../store/files.js';
import { StoreFault } from '../../store/fs-errors.js';
import type { SlurmTaskInfo, TrainState } from '../../types.js';
import { EarlyStopper } from '../early-stop.js';
import { InFlight } from '../in-flight.js';
import { TrialRecorder } from '../recorder.js';
import { requeue } from './commands.js';
import { readTaskFile } from './submission.js';

/** After SIGTERM, how long to wait for a chunk boundary's checkpoint before ending without one (Slurm's KillWait is 30 s by default). */
const SIGTERM_CHECKPOINT_MS = 5000;

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
  const restarts = Number(process.env['SLURM_RESTART_COUNT'] ?? 0);
  process.stderr.write(`run-exp task: trial ${trial.id} (${where}${restarts > 0 ? `, started again by Slurm: restart ${restarts}` : ''}), backend ${tasks.backend}\n`);

  // Early stopping: a task hears no sibling, so at each evaluation it reads what the others have written so far to
  // their metrics.jsonl in the shared DIR (finished trials of earlier runs included) and decides for itself.
  const stopper = tasks.early_stop === undefined ? undefined : new EarlyStopper(tasks.early_stop);
  const others = stopper === undefined ? undefined : new EvaluationsOnDisk(path.join(tasks.out, tasks.name, 'trials'), tasks.plan_ids ?? tasks.trials.map((t) => t.id), stopper);
  const slurm: SlurmTaskInfo = { job_id: jobId, task: index, node: os.hostname() };
  // A write that fails (the shared disk is full, read-only …; a checkpoint's too) ends the task at once: its metrics end
  // with a whole line, its previous checkpoint stands, and whoever watches the array fails the trial with Slurm's record.
  let opened: TrialRecorder | undefined;
  const onFault = (fault: StoreFault) => {
    process.stderr.write(`run-exp task: stopped: ${fault.message}; trial ${trial.id} keeps ${opened?.stepsWritten ?? 0} steps of metrics\n`);
    process.exit(1);
  };
  const say = (line: string) => void process.stderr.write(`run-exp task: ${line}\n`);
  const record = (opened = await TrialRecorder.open(trial, dir, { backend: tasks.backend, stopper, slurm, progress: { job_id: jobId, task: index }, onFault, note: say })); // config.json, and metrics.jsonl cut back to the checkpoint (or empty)

  // Signals: USR1 asks for a checkpoint and a requeue, SIGTERM for a checkpoint and the end (see the top of this file).
  // Without checkpoints (checkpoint.every: never) USR1 changes nothing: the task trains on until Slurm's limit. (USR1
  // always has a handler here: Node's own would open the inspector.)
  const every = tasks.checkpoint_every ?? 'auto';
  let wanted: 'requeue' | 'stop' | undefined;
  let requeued = false;
  const endBySigterm = () => void record.settle().finally(() => process.kill(process.pid, 'SIGTERM')); // the handler is gone: ended by the signal, as Slurm records it
  process.on('SIGUSR1', () => {
    say(msg.taskNearLimit(every !== 'never'));
    if (every !== 'never') wanted ??= 'requeue';
  });
  process.once('SIGTERM', () => {
    if (requeued || every === 'never') {
      say(msg.taskTerminated(trial.id, record.stepsWritten, requeued ? 'requeued' : 'end'));
      return endBySigterm();
    }
    say(msg.taskTerminated(trial.id, record.stepsWritten, 'checkpoint'));
    wanted = 'stop';
    setTimeout(() => {
      say(msg.taskNoBoundary(SIGTERM_CHECKPOINT_MS / 1000, record.checkpointStep));
      endBySigterm();
    }, SIGTERM_CHECKPOINT_MS).unref();
  });
  const onCheckpoint = async (state: TrainState) => {
    await record.checkpoint(state);
    if (wanted === undefined) return;
    say(msg.taskCheckpointWritten(state.step));
    if (wanted === 'stop') {
      endBySigterm();
      return new Promise<never>(() => {});
    }
    try {
      await requeue(jobId, index);
      requeued = true;
      say(msg.taskRequeued(index, jobId));
      return new Promise<never>(() => {}); // Slurm ends this process (SIGTERM)
    } catch (error) {
      say(msg.taskNotRequeued(index, jobId, (error as Error).message));
      wanted = undefined;
    }
  };
  const onEvaluated =
    others === undefined
      ? undefined
      : async (step: number) => {
          await others.refresh(trial.id); // the siblings' evaluations written since the last look
          return record.decide(step);
        };

  const written = new InFlight();
  try {
    const { trainTrial } = await import('../../train/trial.js'); // TF.js loads here, after the cheap checks above
    const output = await trainTrial(trial.config, {
      id: trial.id,
      backend: tasks.backend,
      onProgress: (p) => record.progress(p),
      onMetrics: (rows) => written.add(record.metrics(rows)), // a chunk or two ahead of the disk at most
      onDiagnostics: (rows) => record.diagnostics(rows),
      ...(onEvaluated === undefined ? {} : { onEvaluated }),
      ...(record.resume === undefined ? {} : { resume: record.resume }),
      onStart: (start) => record.begin(start),
      ...(every === 'never' ? {} : { checkpointEvery: every, onCheckpoint, checkpointNow: () => wanted !== undefined }),
    });
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
