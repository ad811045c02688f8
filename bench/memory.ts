// Memory of long trials: peak RSS of the run-exp process and of its worker against train.steps. Both must stay flat:
// nothing a trial keeps grows with its steps (learning rates per chunk, metrics streamed to metrics.jsonl, the report's
// curves reduced while metrics.jsonl is read).
//
// usage: node dist/bench/memory.js [--steps 100000,1000000,10000000] [--backend auto]
//
// Each run is the real command line on one small trial (block 3, embedding 2, hidden 16, batch 8, the built-in names,
// 10 evaluations), report included. Peaks are the kernel's own high-water marks (VmHWM in /proc/PID/status), read
// every 100 ms while the processes live; the worker is the run-exp process's child. At ~4,000 steps/s, 10^7 steps take
// about 45 minutes.
import { readFile, readdir, stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execaNode } from 'execa';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'bin', 'run-exp.js');

const { values } = parseArgs({ options: { steps: { type: 'string', default: '100000,1000000,10000000' }, backend: { type: 'string', default: 'auto' } } });
const counts = values.steps.split(',').map(Number);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** VmHWM of a process in bytes, or undefined once it is gone. */
async function highWater(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** The pids of a process's children. */
async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
  return lists.flatMap((l) => l.trim().split(/\s+/)).filter(Boolean).map(Number);
}

console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
console.log('steps        parent peak  worker peak  metrics.jsonl  report   time');
for (const steps of counts) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-memory-'));
  try {
    const file = path.join(dir, 'long.yaml');
    await writeFile(file, `name: long\nmodel: {embed_dim: 2, hidden: 16}\ntrain: {steps: ${steps}, batch_size: 8, lr: 0.1}\neval: {every: ${steps / 10}}\nsample: 5\n`);
    const started = performance.now();
    const cli = execaNode(CLI, [file, '--out', path.join(dir, 'out'), '--quiet', '--jobs', '1', '--backend', values.backend], { reject: false, nodeOptions: [] });
    const peaks = { parent: 0, worker: 0 };
    let running = true;
    const poll = (async () => {
      while (running) {
        peaks.parent = Math.max(peaks.parent, (await highWater(cli.pid!)) ?? 0);
        for (const child of await childrenOf(cli.pid!)) peaks.worker = Math.max(peaks.worker, (await highWater(child)) ?? 0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const result = await cli;
    running = false;
    await poll;
    if (result.exitCode !== 0) throw new Error(`run-exp exited with ${result.exitCode}:\n${result.stderr}`);
    const trials = path.join(dir, 'out', 'long', 'trials');
    const [id] = await readdir(trials);
    const metrics = (await stat(path.join(trials, id!, 'metrics.jsonl'))).size;
    const report = (await stat(path.join(dir, 'out', 'long.html'))).size;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${steps.toLocaleString('en-US').padEnd(12)} ${mb(peaks.parent).padStart(11)}  ${mb(peaks.worker).padStart(11)}  ${mb(metrics).padStart(13)}  ${mb(report).padStart(6)}  ${seconds.toFixed(0)} s`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
