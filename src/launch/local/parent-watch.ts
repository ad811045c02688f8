// A worker ends itself within a fraction of a second of its parent's death, whatever it is computing. Its own event
// loop may be held for seconds by one synchronous step (a full-batch step of a large net is one long call into
// TF.js), so neither the IPC channel's 'disconnect' nor a check between chunks can be relied on: a small thread of its
// own looks at the parent's pid every WATCH_MS and kills the process once it has changed (the worker was re-parented:
// its parent is gone, SIGKILL included). The worker writes no files (its parent writes them all), so nothing is lost.
import { Worker } from 'node:worker_threads';

/** How often the thread looks: the worker outlives its parent by at most this much (and a thread's wake-up). */
const WATCH_MS = 100;

// Runs in the thread (CommonJS, eval): getppid is the same for every thread of the process.
const WATCHER = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.parent) process.kill(workerData.pid, 'SIGKILL');
}, workerData.ms);
`;

/** Start the thread that ends this process when its parent (the pid it has now) is gone; it keeps no event loop alive. */
export function endWithParent(): void {
  const thread = new Worker(WATCHER, { eval: true, workerData: { parent: process.ppid, pid: process.pid, ms: WATCH_MS }, resourceLimits: { maxOldGenerationSizeMb: 8 } });
  thread.unref();
}
