// Peak memory of a run-exp command line and its workers, as the kernel counts it: each process's high-water mark
// (VmHWM in /proc/PID/status), read every few ms while the command runs (bench/memory.ts, bench/memory-estimate.ts).
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execaNode, type Result } from 'execa';

const CLI = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'), 'bin', 'run-exp.js');

/** VmHWM of a process in bytes, or undefined once it is gone. */
async function highWater(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** The pids of a process's children. */
async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
  return lists.flatMap((l) => l.trim().split(/\s+/)).filter(Boolean).map(Number);
}

/** Run `run-exp ARGS` to its end (never rejects), reading the parent's and the workers' high-water marks every `everyMs`. */
export async function runWithPeaks(args: string[], everyMs: number): Promise<{ result: Result; peaks: { parent: number; worker: number } }> {
  const cli = execaNode(CLI, args, { reject: false, nodeOptions: [] });
  const peaks = { parent: 0, worker: 0 };
  let running = true;
  const poll = (async () => {
    while (running) {
      peaks.parent = Math.max(peaks.parent, (await highWater(cli.pid!)) ?? 0);
      for (const child of await childrenOf(cli.pid!)) peaks.worker = Math.max(peaks.worker, (await highWater(child)) ?? 0);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  const result = await cli;
  running = false;
  await poll;
  return { result, peaks };
}
