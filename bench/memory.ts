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
import { readdir, stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runWithPeaks } from './peaks.js';


const { values } = parseArgs({ options: { steps: { type: 'string', default: '100000,1000000,10000000' }, backend: { type: 'string', default: 'auto' } } });
const counts = values.steps.split(',').map(Number);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
console.log('steps        parent peak  worker peak  metrics.jsonl  report   time');
for (const steps of counts) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-memory-'));
  try {
    const file = path.join(dir, 'long.yaml');
    await writeFile(file, `name: long\nmodel: {embed_dim: 2, hidden: 16}\ntrain: {steps: ${steps}, batch_size: 8, lr: 0.1}\neval: {every: ${steps / 10}}\nsample: 5\n`);
    const started = performance.now();
    const { result, peaks } = await runWithPeaks([file, '--out', path.join(dir, 'out'), '--quiet', '--jobs', '1', '--backend', values.backend], 100);
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
