// A worker ends itself within a fraction of a second of its parent's death, whatever it is computing. Its own event
// loop may be held for seconds by one synchronous step (a full-batch step of a large net is one long call into
// TF.js), so neither the IPC channel's 'disconnect' nor a check between chunks can be relied on: a small thread of its
// own (parent-watch-thread.ts) looks at the parent's pid every WATCH_MS and kills the process once it has changed (the
// worker was re-parented: its parent is gone, SIGKILL included). The worker writes no files (its parent writes them
// all), so nothing is lost.
import { Worker } from 'node:worker_threads';

/** How often the thread looks: the worker outlives its parent by about this much (measured: 52–255 ms, README). */
const WATCH_MS = 100;

let watching = false;

/** The variable in which the pool names itself to its workers: a worker whose parent died before it looked still knows it. */
export const PARENT_ENV = 'RUN_EXP_PARENT_PID';

/**
 * Start the thread that ends this process when its parent is gone (the pool that named itself in PARENT_ENV, else the
 * parent it has now); once per process, and it keeps no event loop alive.
 */
export function endWithParent(): void {
  if (watching) return;
  watching = true;
  const named = Number(process.env[PARENT_ENV]);
  const thread = new Worker(new URL('./parent-watch-thread.js', import.meta.url), {
    workerData: { parent: Number.isInteger(named) && named > 0 ? named : process.ppid, pid: process.pid, ms: WATCH_MS },
    execArgv: [], // not the worker's own node flags (--max-old-space-size …)
    resourceLimits: { maxOldGenerationSizeMb: 8 },
  });
  thread.on('error', () => {}); // without the thread, 'disconnect' still ends an idle worker
  thread.unref();
}
