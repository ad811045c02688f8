// Planning time against the number of trials: load → validate → resolve → expand of a one-axis grid, in this process
// (no training). Planning must be linear in the trials, and 10,000 trials (the limit) must plan in under a second.
//
// usage: node dist/bench/plan.js [--trials 1250,2500,5000,10000] [--rounds 5]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { planExperiment } from '../src/config/plan.js';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '1250,2500,5000,10000' }, rounds: { type: 'string', default: '5' } } });
const counts = values.trials.split(',').map(Number);
const rounds = Number(values.rounds);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-plan-'));
try {
  console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; median of ${rounds} rounds`);
  await planExperiment(await grid(dir, 100)); // warm up the modules and the JIT
  for (const n of counts) {
    const file = await grid(dir, n);
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      const { plan } = await planExperiment(file);
      times.push((performance.now() - t) / 1000);
      if (plan.trials.length !== n) throw new Error(`expected ${n} trials, planned ${plan.trials.length}`);
    }
    const s = median(times);
    console.log(`${n.toLocaleString('en-US').padStart(6)} trials: ${s.toFixed(3)} s (${((s / n) * 1e6).toFixed(0)} µs a trial)`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** An experiment file whose grid has `n` learning rates (and two more keys in the base, as real files have). */
async function grid(dir: string, n: number): Promise<string> {
  const file = path.join(dir, `grid-${n}.yaml`);
  const lrs = Array.from({ length: n }, (_, i) => (0.001 + i * 1e-6).toPrecision(6)).join(', ');
  await writeFile(file, `name: grid\nmodel: {embed_dim: 2, hidden: 100}\ntrain: {steps: 1000, batch_size: 32}\ngrid:\n  train.lr: [${lrs}]\n`);
  return file;
}
