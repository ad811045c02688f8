// How many worker processes a local run starts: --jobs (default the CPU cores), never more than there are trials to
// run, and never more than MAX_JOBS_PER_CORE per core. Each worker is a process of 150–250 MB that trains on one core;
// more of them than cores only share the cores (each trial slower by the same factor), so that is said, not silent.
import os from 'node:os';

/** --jobs above this many per CPU core is refused: such a run only makes every trial slower and uses memory for nothing. */
export const MAX_JOBS_PER_CORE = 4;

/** The CPU cores run-exp counts (os.availableParallelism: what this process may use). */
export function cores(): number {
  return os.availableParallelism();
}

/** The largest --jobs accepted on a machine of `n` cores. */
export function maxJobs(n = cores()): number {
  return MAX_JOBS_PER_CORE * n;
}

/** The workers a run of `trials` trials starts for --jobs `jobs`, and a warning when they outnumber the `n` cores. */
export function workerCount(jobs: number, trials: number, n = cores()): { workers: number; warning?: string } {
  const workers = Math.max(1, Math.min(jobs, trials));
  if (workers <= n) return { workers };
  const slower = (workers / n).toFixed(1).replace(/\.0$/, '');
  return {
    workers,
    warning: `--jobs ${jobs}: ${workers} workers on ${n} CPU core${n === 1 ? '' : 's'} take turns on them, so each trial runs about ${slower}× slower; --jobs ${n} (the default) finishes as soon`,
  };
}
