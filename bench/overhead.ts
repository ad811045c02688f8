// The cost of running trials in worker processes, and what parallel workers buy.
//
// usage: node dist/bench/overhead.js [--trials 5] [--steps 2000] [--rounds 2] [--backend auto] [--skip-grid]
//
// 1. Overhead per trial (pool of one worker, `--trials` one-step trials on the built-in names): spawn → ready
//    (node + TF.js imports), then for each trial its wall-clock time in the parent minus its training loop
//    (backend set-up, data, evaluation, sampling, IPC), and the time to write its files. The first trial runs on
//    a cold worker, the others on the same warm one.
// 2. A grid of 4 trials of `--steps` steps through the command line, --jobs 1 and --jobs 2, alternating, `--rounds`
//    times each; the ratio of the best times (target ≤ 0.6) and of the medians.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execaNode } from 'execa';
import { planExperiment } from '../src/config/plan.js';
import { writeTrialOutput } from '../src/run/files.js';
import { runPool } from '../src/run/pool.js';
import type { BackendName, Summary } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = path.join(ROOT, 'dist', 'src', 'run', 'worker.js');
const CLI = path.join(ROOT, 'bin', 'run-exp.js');

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '5' },
    steps: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'auto' },
    'skip-grid': { type: 'boolean', default: false },
  },
});
const backend = values.backend as BackendName;
const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-bench-'));
const s = (x: number) => `${x.toFixed(3)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// 1. Overhead per trial.
{
  const file = path.join(dir, 'overhead.yaml');
  await writeFile(file, `name: overhead\ntrain: {steps: 1}\neval: {every: 1, splits: [train, dev]}\nsample: 20\nrepeat: ${Number(values.trials)}\n`);
  const { plan } = await planExperiment(file);
  const spawned = performance.now();
  const rows: { trial: number; wall: number; inside: number; train: number; write: number; load?: number }[] = [];
  let firstStart: number | undefined;
  await runPool(
    plan.trials,
    { jobs: 1, workerPath: WORKER, execArgv: [], backend, signal: new AbortController().signal },
    {
      start: () => {},
      progress: () => {},
      end: async (ended) => {
        if (ended.outcome.kind !== 'output') throw new Error(`trial ${ended.trial.id} did not train: ${JSON.stringify(ended.outcome)}`);
        firstStart ??= ended.started.getTime();
        const t = performance.now();
        await writeTrialOutput(path.join(dir, 'overhead', ended.trial.id), ended.trial, ended.outcome.output, ended.log);
        const summary: Summary = ended.outcome.output.summary;
        rows.push({
          trial: rows.length + 1,
          wall: (ended.finished.getTime() - ended.started.getTime()) / 1000,
          inside: summary.seconds,
          train: summary.train_seconds,
          write: (performance.now() - t) / 1000,
          ...(rows.length === 0 ? { load: ended.worker.load_seconds } : {}),
        });
        if (rows.length === 1) console.log(`backend: ${summary.backend} (${summary.backend_version})`);
      },
    },
  );
  const ready = (firstStart! - performance.timeOrigin - spawned) / 1000;
  console.log(`\n1. overhead per trial (one worker, ${rows.length} one-step trials, built-in names)`);
  console.log(`   spawn → ready (node + imports, TF.js included): ${s(ready)} (the worker says ${s(rows[0]!.load ?? NaN)} since its start)`);
  for (const r of rows) {
    const overhead = r.wall - r.train + r.write;
    console.log(
      `   trial ${r.trial} (${r.trial === 1 ? 'cold' : 'warm'}): overhead ${s(overhead)} = ` +
        `trainTrial outside its loop ${s(r.inside - r.train)} (backend, data, evaluation, samples) + ` +
        `IPC ${s(r.wall - r.inside)} + writing ${s(r.write)}`,
    );
  }
  const warm = rows.slice(1).map((r) => r.wall - r.train + r.write);
  const cold = ready + rows[0]!.wall - rows[0]!.train + rows[0]!.write;
  console.log(`   a fresh worker per trial would cost ${s(cold)} a trial; a warm worker costs ${s(median(warm))} (median of ${warm.length})`);
}

// 2. A grid of 4 trials, --jobs 1 against --jobs 2.
if (!values['skip-grid']) {
  const steps = Number(values.steps);
  const file = path.join(dir, 'grid.yaml');
  await writeFile(file, `name: grid\ntrain: {steps: ${steps}}\neval: {every: ${steps}}\nsample: 5\ngrid: {train.lr: [0.05, 0.1, 0.2, 0.4]}\n`);
  const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
  console.log(`\n2. a grid of 4 trials of ${steps} steps (lecture network, batch 32) through the command line`);
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const jobs of [1, 2] as const) {
      const t = performance.now();
      const result = await execaNode(CLI, [file, '--jobs', String(jobs), '--force', '--quiet', '--json', '--backend', backend, '--out', path.join(dir, `out-${jobs}`)], { reject: false, nodeOptions: [] });
      const seconds = (performance.now() - t) / 1000;
      if (result.exitCode !== 0) throw new Error(`--jobs ${jobs} exited with ${result.exitCode}:\n${result.stderr}`);
      const trialSeconds = (JSON.parse(result.stdout) as { trials: { seconds: number }[] }).trials.map((x) => x.seconds);
      times[jobs].push(seconds);
      console.log(`   round ${round}, --jobs ${jobs}: ${s(seconds)} (trials ${trialSeconds.map((x) => x.toFixed(1)).join(', ')} s)`);
    }
  }
  const best = Math.min(...times[2]) / Math.min(...times[1]);
  const mid = median(times[2]) / median(times[1]);
  console.log(`   --jobs 2 / --jobs 1: ${best.toFixed(2)} (best times), ${mid.toFixed(2)} (medians); target ≤ 0.6`);
}
console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; files in ${dir}`);
