// The launcher interface, after Hydra's `Launcher.launch(job_overrides) → JobReturn[]`: the run pipeline hands a
// launcher the trials to run and hears back one outcome, whichever launcher ran them (the local pool of worker
// processes, or a Slurm job array). The pipeline knows neither; src/launch/index.ts picks one by executor.kind.
//
//   preflight(plan, out, force)   before anything is written: can the trials be launched here? (a refusal says why)
//   launch(request, events)       run them, telling `events` as they start, progress and end → LaunchOutcome
import type { EarlyStopper } from './early-stop.js';
import type { StoreFault } from '../store/fs-errors.js';
import type { BackendName, Plan, Progress, Summary, Trial } from '../types.js';

/** What the pipeline asks a launcher to run. */
export interface LaunchRequest {
  plan: Plan; // the whole plan (its experiment's executor section; its trial ids, for early stopping)
  trials: Trial[]; // the trials to run now, in plan order (finished ones were skipped)
  out: string; // DIR
  backend: BackendName;
  signal: AbortSignal; // aborted (Ctrl-C, SIGTERM, SIGHUP): stop every trial now; what finished stays
  /** Early stopping's bookkeeping, already told the evaluations of the kept trials (undefined: no early_stop). */
  stopper?: EarlyStopper;
  jobs: number; // --jobs: worker processes (local), or the array's tasks at once (Slurm: executor.array_parallelism)
  timeoutSeconds?: number; // per trial
  detach: boolean; // submit and return without watching (a launcher that outlives this process)
  /** A launcher that outlives this process names what holds the experiment meanwhile (e.g. its Slurm job), for run.lock. */
  onOwner?: (owner: { kind: string; id: string }) => Promise<void>;
  runToken: string; // the token of this run's run.lock: what its trials' progress.json name as their writer
}

/** What a launcher tells the pipeline while the trials run, in order for each trial: start, progress …, end. */
export interface LaunchEvents {
  /** A line for the user while the trials run (a warning, the submitted job); `always`: shown even with --quiet. */
  note(line: string, level?: 'progress' | 'always'): void;
  start(trial: Trial): void;
  progress(trial: Trial, progress: Progress): void;
  /** The trial ended (ok, diverged, stopped or failed) and its files, summary.json last, are written. */
  end(trial: Trial, summary: Summary): void;
}

/**
 * How launching ended, one shape for every launcher: the trials ran (each ended one has its summary; `interrupted`:
 * a signal stopped the rest; `fault`: the first write that failed on the disk, which stopped the rest; `unwritten`:
 * trials whose results could not be written for another reason), or the launcher was refused before it wrote anything
 * (`message` says why), or it detached (its job runs on without this process).
 */
export type LaunchOutcome =
  | { kind: 'ran'; summaries: Map<string, Summary>; interrupted: boolean; fault?: StoreFault; unwritten: number }
  | { kind: 'refused'; message: string }
  | { kind: 'detached'; jobId: string };

/** A way to run trials: the local pool, Slurm. */
export interface Launcher {
  /**
   * Before anything is written (before the run's lock): whether the trials that are not finished can be launched. The
   * reason it cannot, for the user (nothing was run or written), or undefined.
   */
  preflight(plan: Plan, out: string, force: boolean): Promise<string | undefined>;
  /** Run the trials to their end, or until the signal; failures of single trials are in their summaries. */
  launch(request: LaunchRequest, events: LaunchEvents): Promise<LaunchOutcome>;
}
