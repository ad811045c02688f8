// The thread of parent-watch.ts: every `ms`, whether the process's parent is still the one it started with; when it
// is not (the parent died and the process was re-parented), SIGKILL to the whole process.
import { workerData } from 'node:worker_threads';

const { parent, pid, ms } = workerData as { parent: number; pid: number; ms: number };
setInterval(() => {
  if (process.ppid !== parent) process.kill(pid, 'SIGKILL');
}, ms);
