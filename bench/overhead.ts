// The cost of running trials in worker processes, and what parallel workers buy.
//
// usage: node dist/bench/overhead.js [--trials 5] [--steps 10000] [--rounds 4] [--backend auto] [--skip-grid]
//
// 1. Overhead per trial (pool of one worker, `--trials` one-step trials on the built-in names): spawn → ready
//    (node + TF.js imports), then for each trial its wall-clock time in the parent minus its training loop
//    (backend set-up, data, evaluation, sampling, IPC), and the time to write its files. The first trial runs on
//    a cold worker, the others on the same warm one.
// 2. A grid of 4 trials of `--steps` steps through the command line, --jobs 1 and --jobs 2, and the same four trials
//    in bare processes (bench/train-alone.ts: one process for all four, and two processes of two at once), in a
//    rotating order, `--rounds` times; the ratios within each round, and their median (target ≤ 0.6). The bare ratio
//    is what this machine gives two trainings at once; the run-exp ratio can only come close to it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execaNode } from 'execa';
import { planExperiment } from '../src/config/plan.js';
import { TrialWriter } from '../src/store/trial-files.js';
import { runPool } from '../src/launch/local/pool.js';
import type { BackendName, Summary } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER = path.join(ROOT, 'dist', 'src', 'launch', 'local', 'worker.js');
const CLI = path.join(ROOT, 'bin', 'run-exp.js');
const ALONE = path.join(ROOT, 'dist', 'bench', 'train-alone.js');

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '5' },
    steps: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '4' },
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
  const writers = new Map<string, TrialWriter>();
  await runPool(
    plan.trials,
    { jobs: 1, workerPath: WORKER, execArgv: [], backend, signal: new AbortController().signal },
    {
      start: async (trial) => {
        writers.set(trial.id, new TrialWriter(path.join(dir, 'overhead', trial.id), trial));
        return {};
      },
      started: () => {},
      progress: () => {},
      metrics: (trial, rows) => writers.get(trial.id)!.metrics(rows),
      checkpoint: () => {},
      interrupted: () => {},
      end: async (ended) => {
        if (ended.outcome.kind !== 'output') throw new Error(`trial ${ended.trial.id} did not train: ${JSON.stringify(ended.outcome)}`);
        firstStart ??= ended.started.getTime();
        const t = performance.now();
        await writers.get(ended.trial.id)!.finish(ended.outcome.output, ended.log);
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

// 2. A grid of 4 trials, --jobs 1 against --jobs 2, next to the same trials in bare processes (the machine's yardstick).
if (!values['skip-grid']) {
  const steps = Number(values.steps);
  const file = path.join(dir, 'grid.yaml');
  await writeFile(file, `name: grid\ntrain: {steps: ${steps}}\neval: {every: ${steps}}\nsample: 5\ngrid: {train.lr: [0.05, 0.1, 0.2, 0.4]}\n`);
  const timed = async (run: () => Promise<void>) => {
    const t = performance.now();
    await run();
    return (performance.now() - t) / 1000;
  };
  const cli = (jobs: 1 | 2) =>
    timed(async () => {
      const result = await execaNode(CLI, [file, '--jobs', String(jobs), '--force', '--quiet', '--backend', backend, '--out', path.join(dir, `out-${jobs}`)], { reject: false, nodeOptions: [] });
      if (result.exitCode !== 0) throw new Error(`--jobs ${jobs} exited with ${result.exitCode}:\n${result.stderr}`);
    });
  const alone = (processes: 1 | 2) =>
    timed(async () => {
      const parts = Array.from({ length: processes }, (_, i) => execaNode(ALONE, [file, '--part', `${i + 1}/${processes}`, '--backend', backend], { nodeOptions: [] }));
      await Promise.all(parts);
    });
  const ways = { 'run-exp --jobs 1': () => cli(1), 'run-exp --jobs 2': () => cli(2), 'bare, 1 process': () => alone(1), 'bare, 2 processes': () => alone(2) };
  type Way = keyof typeof ways;
  const times = Object.fromEntries(Object.keys(ways).map((w) => [w, [] as number[]])) as Record<Way, number[]>;
  console.log(`\n2. a grid of 4 trials of ${steps} steps (lecture network, batch 32): run-exp, and the same trials bare (trainTrial alone`);
  console.log('   in a process: no pool, no files, no report), one process for all four against two processes of two at once');
  for (let round = 1; round <= Number(values.rounds); round++) {
    const order = Object.keys(ways) as Way[];
    const line: string[] = [];
    for (const way of [...order.slice(round % 4), ...order.slice(0, round % 4)]) {
      const seconds = await ways[way]();
      times[way].push(seconds);
      line.push(`${way} ${s(seconds)}`);
    }
    console.log(`   round ${round}: ${line.join(', ')}`);
  }
  const ratio = (two: Way, one: Way) => {
    const perRound = times[two].map((t, i) => t / times[one][i]!);
    return `${median(perRound).toFixed(2)} (median of the rounds' ratios; each round ${perRound.map((r) => r.toFixed(2)).join(', ')})`;
  };
  console.log(`   run-exp --jobs 2 / --jobs 1: ${ratio('run-exp --jobs 2', 'run-exp --jobs 1')}; target ≤ 0.6`);
  console.log(`   bare, 2 processes / 1 process: ${ratio('bare, 2 processes', 'bare, 1 process')}: what this machine gives two at once`);
}
console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; files in ${dir}`);
