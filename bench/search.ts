// Random search with ASHA against a grid over the same space: the best dev loss each finds, and the steps each spends.
//
// usage: node dist/bench/search.js [--jobs 1]
//
// 1. experiments/lr-random.yaml as it is: 27 draws of lr (log-uniform 10^-3 .. 10^0) and hidden size (20 .. 300), ASHA
//    from 2,000 steps, 20,000 at most.
// 2. A 3 × 3 grid over the same space, each trial the full 20,000 steps: lr 10^-3, 10^-1.5, 10^0 (even on the log
//    scale) × hidden 20, 160, 300 (even). 180,000 steps.
// --jobs 1 (the default here) makes ASHA's decisions reproducible: with more workers they depend on which trial
// reaches a rung first.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execaNode } from 'execa';
import { parse, stringify } from 'yaml';
import type { Summary } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'bin', 'run-exp.js');
const EXAMPLE = path.join(ROOT, 'experiments', 'lr-random.yaml');
const { values } = parseArgs({ options: { jobs: { type: 'string', default: '1' } } });

/** The grid: lr-random.yaml without its search and early stopping, and a 3 × 3 grid over the same ranges. */
async function gridFile(dir: string): Promise<string> {
  const e = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
  delete e.search;
  delete e.early_stop;
  const file = path.join(dir, 'lr-grid.yaml');
  await writeFile(file, stringify({ ...e, name: 'lr-grid', grid: { 'train.lr': [0.001, 0.03162, 1], 'model.hidden': [20, 160, 300] } }));
  return file;
}

interface Outcome {
  label: string;
  trials: number;
  stopped: number;
  steps: number;
  best: { dev: number; params: Record<string, unknown> } | null;
  seconds: number;
}

async function run(label: string, name: string, file: string, out: string): Promise<Outcome> {
  const t = performance.now();
  const result = await execaNode(CLI, [file, '--out', out, '--jobs', values.jobs, '--quiet', '--json'], { reject: false, nodeOptions: [] });
  if (result.exitCode !== 0) throw new Error(`${label}: run-exp exited with ${result.exitCode}:\n${result.stderr}`);
  const doc = JSON.parse(result.stdout) as { trials: { id: string; params: Record<string, unknown>; status: string }[] };
  let steps = 0;
  let best: Outcome['best'] = null;
  for (const t of doc.trials) {
    const s = JSON.parse(await readFile(path.join(out, name, 'trials', t.id, 'summary.json'), 'utf8')) as Summary;
    steps += s.steps;
    const dev = s.final.dev_loss;
    if (dev !== null && (best === null || dev < best.dev)) best = { dev, params: t.params };
  }
  return { label, trials: doc.trials.length, stopped: doc.trials.filter((t) => t.status === 'stopped').length, steps, best, seconds: (performance.now() - t) / 1000 };
}

const out = await mkdtemp(path.join(os.tmpdir(), 'run-exp-search-'));
try {
  console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; --jobs ${values.jobs}`);
  const results = [await run('random search + ASHA (lr-random.yaml)', 'lr-random', EXAMPLE, out), await run('3 × 3 grid, same space', 'lr-grid', await gridFile(out), out)];
  for (const r of results) {
    const best = r.best === null ? 'none' : `${r.best.dev.toFixed(4)} at ${Object.entries(r.best.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`;
    console.log(`${r.label}: ${r.trials} trials (${r.stopped} stopped), ${r.steps.toLocaleString('en-US')} steps, best dev ${best}, ${r.seconds.toFixed(0)} s`);
  }
} finally {
  await rm(out, { recursive: true, force: true });
}
