// The plan's memory estimate (src/train/memory.ts) against the peaks of real workers: for each shape, one trial run
// through the command line (--jobs 1, WASM), the worker's and the parent's high-water marks (VmHWM in /proc/PID/status)
// read every 50 ms while they live, beside the estimate of the worker's peak and its parts.
//
// usage: node dist/bench/memory-estimate.js [--only NAME,NAME] [--backend wasm]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runWithPeaks } from './peaks.js';
import { planExperiment } from '../src/config/plan.js';
import { dataSizes } from '../src/launch/estimate.js';
import { trialMemory } from '../src/train/memory.js';


/** The shapes measured: the lecture's net, large batches, full batches, wide and deep contexts, a large vocabulary. */
const SHAPES: { name: string; yaml: string }[] = [
  { name: 'lecture (b32 h200)', yaml: 'model: {block_size: 3, embed_dim: 10, hidden: 200}\ntrain: {steps: 2000, batch_size: 32}' },
  { name: 'makemore b32', yaml: 'data: {builtin: makemore}\nmodel: {block_size: 3, embed_dim: 10, hidden: 200}\ntrain: {steps: 1000, batch_size: 32}' },
  { name: 'b4096', yaml: 'model: {block_size: 3, embed_dim: 10, hidden: 200}\ntrain: {steps: 50, batch_size: 4096}' },
  { name: 'b32768 h500', yaml: 'model: {block_size: 3, embed_dim: 10, hidden: 500}\ntrain: {steps: 4, batch_size: 32768}' },
  { name: 'full batch, names', yaml: 'model: {block_size: 3, embed_dim: 10, hidden: 200}\ntrain: {steps: 3, batch_size: full}' },
  { name: 'full batch, makemore', yaml: 'data: {builtin: makemore}\nmodel: {block_size: 3, embed_dim: 10, hidden: 200}\ntrain: {steps: 2, batch_size: full}' },
  { name: 'full batch, makemore, manual', yaml: 'data: {builtin: makemore}\nloss: manual\nmodel: {block_size: 3, embed_dim: 10, hidden: 100}\ntrain: {steps: 2, batch_size: full}' },
  { name: 'h4000 b64', yaml: 'model: {block_size: 3, embed_dim: 10, hidden: 4000}\ntrain: {steps: 20, batch_size: 64}' },
  { name: 'h20000 b32', yaml: 'model: {block_size: 3, embed_dim: 10, hidden: 20000}\ntrain: {steps: 5, batch_size: 32}' },
  { name: 'block 20 embed 300 h300', yaml: 'model: {block_size: 20, embed_dim: 300, hidden: 300}\ntrain: {steps: 5, batch_size: 256}' },
  { name: 'block 200', yaml: 'model: {block_size: 200, embed_dim: 10, hidden: 100}\ntrain: {steps: 20, batch_size: 128}' },
  { name: 'vocab 3,000 (file)', yaml: 'data: {file: WORDS}\nmodel: {block_size: 3, embed_dim: 10, hidden: 200}\ntrain: {steps: 200, batch_size: 32}' },
];

const { values } = parseArgs({ options: { only: { type: 'string' }, backend: { type: 'string', default: 'wasm' } } });
const only = values.only?.split(',');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

/** 20,000 words over 3,000 distinct characters (CJK ideographs), deterministic. */
function wideVocabulary(): string {
  const words: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const length = 2 + (i % 4);
    words.push(Array.from({ length }, (_, k) => String.fromCharCode(0x4e00 + ((i * 7 + k * 131) % 3000))).join(''));
  }
  return words.join('\n') + '\n';
}

console.log(`machine: ${os.availableParallelism()} cores, ${mb(os.totalmem())} memory, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}; backend ${values.backend}`);
console.log('| shape | estimate (worker) | measured (worker) | error | parent | largest parts of the estimate |');
console.log('|---|---|---|---|---|---|');
const errors: number[] = [];
for (const shape of SHAPES.filter((s) => only === undefined || only.includes(s.name))) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-memory-estimate-'));
  try {
    await writeFile(path.join(dir, 'words.txt'), wideVocabulary());
    const file = path.join(dir, 'shape.yaml');
    await writeFile(file, `name: shape\n${shape.yaml.replace('WORDS', 'words.txt')}\neval: {every: 100000}\nsample: 2\n`);
    const { plan, files } = await planExperiment(file);
    const trial = plan.trials[0]!;
    const estimate = trialMemory(trial.config, dataSizes(trial, files));
    const { result, peaks } = await runWithPeaks([file, '--out', path.join(dir, 'out'), '--quiet', '--jobs', '1', '--backend', values.backend!], 50);
    if (result.exitCode !== 0) throw new Error(`${shape.name}: run-exp exited with ${result.exitCode}:\n${result.stderr}`);
    const error = (estimate.bytes - peaks.worker) / peaks.worker;
    errors.push(error);
    const parts = [...estimate.parts].sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((p) => `${p.name} ${mb(p.bytes)}`).join(', ');
    console.log(`| ${shape.name} | ${mb(estimate.bytes)} | ${mb(peaks.worker)} | ${error >= 0 ? '+' : ''}${(100 * error).toFixed(0)} % | ${mb(peaks.parent)} | ${parts} |`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const worst = errors.reduce((m, e) => (Math.abs(e) > Math.abs(m) ? e : m), 0);
console.log(`\n${errors.length} shapes; error from ${(100 * Math.min(...errors)).toFixed(0)} % to ${(100 * Math.max(...errors)).toFixed(0)} % (worst ${(100 * worst).toFixed(0)} %)`);
