// What the index of DIR and the live report cost: the index over 1,000 trials, a live page of a 100-trial experiment,
// and a real 100-trial run with and without live pages.
//
// usage: node dist/bench/pages.js [--pages 5] [--rounds 2] [--steps 1000]
//
// 0. DIR/index.html over 10 experiments of 100 trials each (writeIndex: it reads config.json and summary.json), 5 times.
// 1. Pages of a 100-trial grid of 10,000 steps each, 90 finished and 10 running (5,000 rows so far): the first live
//    page (it reads and checks every finished trial), the next `--pages` (finished trials kept from the first read:
//    only the running trials' metrics so far, and the page), and the final report (every trial checked), for scale.
//    With the schedule of src/report/live.ts a page of d ms is followed by max(3 s, 19 d) without one: 5 %.
// 2. A real run of a 100-trial grid (lr × hidden, `--steps` steps each, 500 names, --jobs 2) through runExperiment,
//    with live pages and without, `--rounds` times (which goes first alternates): the wall time, the parent's CPU
//    time, the final report's time (after live pages it reads only the trials that ended since the last page), and the
//    pages written and the time spent building them.
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { planExperiment } from '../src/config/plan.js';
import { writeReport, type ReportOptions } from '../src/report/index.js';
import { LiveReport } from '../src/report/live.js';
import { writeIndex } from '../src/report/overview/index.js';
import { runExperiment, type RunEvents } from '../src/run.js';
import { writeFixtureResults } from '../test/report/fixture-results.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '5' }, rounds: { type: 'string', default: '2' }, steps: { type: 'string', default: '1000' } } });
const out = await mkdtemp(path.join(os.tmpdir(), 'run-exp-bench-live-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
try {
  await index();
  await pages(Number(values.pages));
  await runs(Number(values.rounds), Number(values.steps));
} finally {
  await rm(out, { recursive: true, force: true });
}

async function index(): Promise<void> {
  const dir = path.join(out, 'index');
  for (let e = 0; e < 10; e++) await writeFixtureResults(dir, { name: `exp-${e}`, grid: { 'train.lr': Array.from({ length: 50 }, (_, i) => 0.01 + i / 100) }, repeat: 2, steps: 100, evalEvery: 50, sample: 2 });
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    await writeIndex(dir);
    times.push(performance.now() - t);
  }
  console.log(`0. DIR/index.html over 10 experiments × 100 trials: median ${median(times).toFixed(0)} ms (${times.map((x) => x.toFixed(0)).join(', ')})`);
}

async function pages(n: number): Promise<void> {
  const lrs = [0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1.6];
  const running = Array.from({ length: 10 }, (_, i) => 90 + i);
  const { trials } = await writeFixtureResults(out, { name: 'grid100', grid: { 'train.lr': lrs, 'model.hidden': [50, 100, 150, 200, 250, 300, 350, 400, 450, 500] }, steps: 10_000, evalEvery: 1000, sample: 5, unfinished: running });
  for (const i of running) {
    const rows = Array.from({ length: 5000 }, (_, step) => JSON.stringify({ step, lr: 0.1, loss: 3 - step / 5000 }) + '\n').join('');
    await appendFile(path.join(out, 'grid100', 'trials', trials[i]!.id, 'metrics.jsonl'), rows);
  }
  const times: number[] = [];
  const run = { name: 'grid100', file: 'grid100.yaml', started_at: new Date().toISOString(), git_commit: null, run_exp_version: 'bench', node_version: process.version, argv: [] };
  const timed: typeof writeReport = async (o, name, options) => {
    const t = performance.now();
    const file = await writeReport(o, name, options);
    times.push(performance.now() - t);
    return file;
  };
  const live = new LiveReport({ out, name: 'grid100', trials: running.map((i) => trials[i]!), run, write: timed, signal: new AbortController().signal, onFailure: (e) => { throw e; }, minIntervalMs: 0, share: 1 });
  for (let p = 0; p <= n; p++) {
    for (const i of running) live.progress(trials[i]!, { step: 5000, steps: 10_000, loss: 2, steps_per_s: 2000 });
    while (live.cost.pages <= p) await new Promise((r) => setTimeout(r, 5));
  }
  await live.stop();
  const t = performance.now();
  await writeReport(out, 'grid100');
  const final = performance.now() - t;
  const later = times.slice(1);
  console.log('1. live pages of a 100-trial grid (10,000 steps each; 90 finished, 10 running at 5,000)');
  console.log(`   first page ${times[0]!.toFixed(0)} ms; the next ${later.length}: median ${median(later).toFixed(0)} ms (${later.map((x) => x.toFixed(0)).join(', ')}); the final report ${final.toFixed(0)} ms`);
  console.log(`   so pages come every ${Math.max(3, (median(later) * 19) / 1000).toFixed(1)} s at most while such a run goes on (5 % of the parent's time)`);
}

async function runs(rounds: number, steps: number): Promise<void> {
  const file = path.join(out, 'grid.yaml');
  await writeFile(file, stringify({
    name: 'livegrid', data: { slice: { first: 500 } }, model: { embed_dim: 2, hidden: 16 }, train: { steps }, eval: { every: 500 }, sample: 2,
    grid: { 'train.lr': [0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5], 'model.hidden': [8, 10, 12, 14, 16, 18, 20, 22, 24, 26] },
  }));
  const { plan } = await planExperiment(file);
  const quiet: RunEvents = { begin() {}, finish() {}, note() {}, start() {}, progress() {}, end() {} };
  console.log(`2. a real run of ${plan.trials.length} trials (${steps.toLocaleString('en-US')} steps each, --jobs 2), with live pages and without`);
  for (let r = 0; r < rounds; r++) {
    for (const liveReport of r % 2 === 0 ? [true, false] : [false, true]) { // in turns, either first
      await rm(path.join(out, 'livegrid'), { recursive: true, force: true });
      const built: number[] = [];
      let final = 0;
      const write: typeof writeReport = async (o, name, options: ReportOptions = {}) => {
        const t = performance.now();
        try {
          return await writeReport(o, name, options);
        } finally {
          if (options.live !== undefined) built.push(performance.now() - t);
          else final = performance.now() - t;
        }
      };
      const cpu = process.cpuUsage();
      const t = performance.now();
      const result = await runExperiment(plan, { out, jobs: 2, backend: 'auto', force: true, argv: ['bench'], writeReport: write, liveReport }, quiet);
      const wall = (performance.now() - t) / 1000;
      const used = process.cpuUsage(cpu);
      if (result.kind !== 'ended' || result.exitCode !== 0) throw new Error(`the run ended ${result.kind} ${'exitCode' in result ? result.exitCode : ''}`);
      const sum = built.reduce((a, b) => a + b, 0);
      console.log(
        `   round ${r + 1}, live ${liveReport ? 'on ' : 'off'}: ${wall.toFixed(1)} s, parent CPU ${((used.user + used.system) / 1e6).toFixed(1)} s, the final report ${final.toFixed(0)} ms` +
          (liveReport ? `; ${built.length} live pages, ${(sum / 1000).toFixed(2)} s building them (${((100 * sum) / 1000 / wall).toFixed(1)} % of the run), the longest ${Math.max(...built).toFixed(0)} ms` : ''),
      );
    }
  }
}
