// The local launcher: the trials run in a pool of warm worker processes on this machine (pool.ts), and this process
// writes each trial's files as it runs (a TrialRecorder per trial: metrics, checkpoints, the end); a trial with a
// checkpoint goes on from it; early stopping decides here, from every trial's evaluations as they arrive. On the
// signal each running trial writes a checkpoint (pool.ts) and the run says what each one keeps.
import { fileURLToPath } from 'node:url';
import type { Launcher, LaunchEvents, LaunchOutcome, LaunchRequest } from '../launcher.js';
import { TrialRecorder } from '../recorder.js';
import { activeArrayRefusal } from '../slurm/launcher.js';
import { trialDir } from '../../store/files.js';
import { StoreFault } from '../../store/fs-errors.js';
import * as msg from '../../messages.js';
import type { Summary, Trial } from '../../types.js';
import { workerCount } from './jobs.js';
import { PAUSE_GRACE_MS, runPool } from './pool.js';

/** The training worker (worker.ts compiled); tests give their fixture workers instead. */
const DEFAULT_WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/** What the local pool needs besides the request: the worker's module and its node flags (tests use fixtures). */
export interface LocalOptions {
  workerPath?: string; // default: the training worker, src/launch/local/worker.ts
  workerExecArgv?: string[]; // node flags of the workers (tests: a small --max-old-space-size)
}

/** The local pool as a launcher. */
export function localLauncher(options: LocalOptions = {}): Launcher {
  return {
    async preflight(plan, out) {
      // An earlier Slurm array of the experiment still writes into the same trial folders: wait for it, where Slurm can be asked.
      const refusal = await activeArrayRefusal(plan, out, { unreachable: 'ignore' });
      return refusal === undefined ? undefined : msg.nothingRun(refusal);
    },
    launch: (request, events) => launchLocal(request, events, options),
  };
}

/**
 * Run the trials in the pool until all have ended or the signal stops them; the first write that fails on the disk
 * stops them too (every worker at once, as a signal does): the trials that finished stay, the rest stay unfinished.
 */
async function launchLocal(request: LaunchRequest, events: LaunchEvents, options: LocalOptions): Promise<LaunchOutcome> {
  const { trials, stopper } = request;
  const summaries = new Map<string, Summary>();
  const { workers, warning } = workerCount(request.jobs, trials.length);
  if (warning !== undefined && trials.length > 0) events.note(`warning: ${warning}`);
  const records = new Map<string, TrialRecorder>(); // the trials under way
  const interrupted: { trial: Trial; saved: boolean }[] = [];
  let unwritten = 0;
  let fault: StoreFault | undefined;
  const stop = new AbortController(); // the pool's signal: the run's (a signal), or the first fault of the disk
  const onFault = (f: StoreFault) => {
    fault ??= f;
    stop.abort(f);
  };
  const interrupt = () => stop.abort(request.signal.reason);
  if (request.signal.aborted) interrupt();
  request.signal.addEventListener('abort', interrupt);
  const signal = stop.signal;
  try {
    await runPool(
      trials,
      {
        jobs: workers,
        workerPath: options.workerPath ?? DEFAULT_WORKER,
        execArgv: options.workerExecArgv ?? [],
        backend: request.backend,
        timeoutSeconds: request.timeoutSeconds,
        signal,
        earlyStop: stopper !== undefined,
        checkpointEvery: request.plan.experiment.checkpoint.every,
        pause: (reason) => !(reason instanceof StoreFault), // a signal: checkpoints first; a failing disk: stop at once
      },
      {
        start: async (trial) => {
          const dir = trialDir(request.out, request.plan.experiment.name, trial.id);
          const record = await TrialRecorder.open(trial, dir, { backend: request.backend, stopper, progress: { run: request.runToken }, onFault, note: (line) => events.note(line) });
          records.set(trial.id, record);
          events.start(trial);
          return record.resume === undefined ? {} : { resume: record.resume };
        },
        started: (trial, start) => records.get(trial.id)?.begin(start),
        progress: (trial, p) => {
          records.get(trial.id)?.progress(p);
          events.progress(trial, p);
        },
        metrics: (trial, rows) => records.get(trial.id)?.metrics(rows),
        diagnostics: (trial, rows) => records.get(trial.id)?.diagnostics(rows),
        checkpoint: (trial, state) => void records.get(trial.id)?.checkpoint(state),
        evaluated: (trial, step) => records.get(trial.id)?.decide(step) ?? { stop: false },
        interrupted: (trial, saved) => interrupted.push({ trial, saved }),
        end: async (ended) => {
          const record = records.get(ended.trial.id)!;
          records.delete(ended.trial.id);
          try {
            if (ended.outcome.kind === 'interrupted') throw new Error(`trial ${ended.trial.id} was interrupted; it has no files to write`);
            const summary = await record.end(ended.outcome, ended.log, { started: ended.started, finished: ended.finished });
            summaries.set(ended.trial.id, summary);
            events.end(ended.trial, summary);
          } catch (error) {
            if (error instanceof StoreFault) return onFault(error);
            unwritten += 1;
            events.note(msg.couldNotWrite(ended.trial.id, (error as Error).message));
          }
        },
      },
    );
  } finally {
    request.signal.removeEventListener('abort', interrupt);
    await Promise.all([...records.values()].map((r) => r.abandon())); // stopped trials: what they trained stays, unfinished, with their checkpoints
  }
  if (request.signal.aborted) for (const { trial, saved } of interrupted) events.note(msg.interruptedTrial(trial.id, saved, records.get(trial.id)?.checkpointStep ?? null, PAUSE_GRACE_MS / 1000), 'always');
  return { kind: 'ran', summaries, interrupted: request.signal.aborted, ...(fault === undefined ? {} : { fault }), unwritten };
}
