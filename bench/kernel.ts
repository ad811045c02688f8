// `node dist/bench/kernel.js`: the WebAssembly kernel bare against PyTorch (one thread each, taking turns in one run)
// at four sizes of the lecture's net, and the tfjs engine at the lecture's size; medians over the rounds.
//
// usage: node dist/bench/kernel.js [--rounds 3] [--scale 1] [--no-torch]
// Also, per round: the kernel's two losses at loss-modes.yaml's net (embedding 2, hidden 100, batch 32), one after
// the other. Ratios to PyTorch are given of the medians and, steadier on a shared machine, as the median of each
// round's ratio (ours and PyTorch's run next to each other within a round).
//
// Ours: the kernel engine's loop alone (src/train/kernel: the training split resident, each chunk of 500 steps' row
// indices drawn by the trial's generator as the Trainer draws them, lr 0.1), no evaluation, files or IPC. PyTorch:
// ../shared/bench/torch_mlp.py, whose own clock times its loop. Both train on names.txt (block 3, embedding 10, the
// fused loss) from plain N(0, 1) weights. GFLOP/s counts the six matrix products of a step, forward and backward:
// 6·B·H·(T·E + V) (layout.ts's stepFlops; 2.19 MFLOP at the lecture's size); the elementwise work is not counted.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LossMode } from '../src/config/schema.js';
import { initBackend } from '../src/train/backend.js';
import { buildDataset, loadWords, type Split } from '../src/train/data.js';
import { TfjsEngine } from '../src/train/engines/tfjs.js';
import { Kernel, type KernelWeights } from '../src/train/kernel/index.js';
import { stepFlops } from '../src/train/kernel/layout.js';
import { disposeParams, initParams } from '../src/train/model.js';
import { Rng } from '../src/rng/streams.js';
import { lectureData, runTorch, torchAvailable } from './lecture.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1' }, // × the steps of every run
    'no-torch': { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const scale = Number(values.scale);

const [T, LR, CHUNK] = [3, 0.1, 500];
// Steps per run: PyTorch takes about five seconds on each of them (ours much less).
const SIZES = [
  { name: 'lecture', hidden: 200, batch: 32, steps: 10_000 },
  { name: 'hidden 1000', hidden: 1000, batch: 32, steps: 2_000 },
  { name: 'batch 256', hidden: 200, batch: 256, steps: 1_500 },
  { name: 'hidden 1000, batch 512', hidden: 1000, batch: 512, steps: 150 },
];

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const gflops = (hidden: number, batch: number, V: number, E = 10) => stepFlops({ n: 0, T, E, H: hidden, V, batch }) / 1e9;

const data = lectureData();
const dataset = buildDataset(await loadWords(data), data, T, 'streams');
const { train } = dataset;
const V = dataset.vocab.length;
const withTorch = !values['no-torch'] && (await torchAvailable());
console.log(`data: ${data.file ?? 'the built-in names'}: ${train.n} training examples, V ${V}; load average ${loadavg()}`);
if (!withTorch) console.log('PyTorch: not run (--no-torch, or /usr/bin/python3 cannot import torch, or names.txt is absent)');

/** Steps/s of the kernel alone, wall clock and per CPU second. */
function runKernel(split: Split, hidden: number, batch: number, steps: number, loss: LossMode = 'fused', E = 10): { wall: number; cpu: number } {
  const kernel = new Kernel(split, { T, E, H: hidden, V, batch, steps: CHUNK, loss });
  const rng = new Rng(1);
  const draw = (size: number) => rng.fillNormal(new Float32Array(size));
  const w: KernelWeights = { C: draw(V * E), W1: draw(T * E * hidden), b1: draw(hidden), W2: draw(hidden * V), b2: draw(V) };
  kernel.setWeights(w);
  const indices = new Rng(2);
  const rows = new Int32Array(CHUNK * batch);
  const lrs = new Float64Array(CHUNK).fill(LR);
  const losses = new Float32Array(CHUNK);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let done = 0; done < steps; done += CHUNK) {
    const k = Math.min(CHUNK, steps - done);
    indices.fillInt(rows.subarray(0, k * batch), split.n);
    kernel.train(rows, lrs, losses, k);
  }
  const cpu = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  kernel.dispose();
  return { wall: steps / wall, cpu: steps / ((cpu.user + cpu.system) / 1e6) };
}

/** Steps/s of the tfjs engine alone (step.ts's sgdStep, losses read once per chunk) at the lecture's size. */
function runTfjs(split: Split, steps: number): { wall: number; cpu: number } {
  const params = initParams(1, V, { block_size: T, embed_dim: 10, hidden: 200 });
  const engine = new TfjsEngine(split, params, { batch: 32, loss: 'fused', chunkSteps: CHUNK });
  const indices = new Rng(2);
  const rows = new Int32Array(CHUNK * 32);
  const lrs = new Float64Array(CHUNK).fill(LR);
  const losses = new Float32Array(CHUNK);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let done = 0; done < steps; done += CHUNK) {
    const k = Math.min(CHUNK, steps - done);
    indices.fillInt(rows.subarray(0, k * 32), split.n);
    engine.trainChunk(rows, lrs, losses, k);
  }
  const cpu = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  engine.dispose();
  disposeParams(params);
  return { wall: steps / wall, cpu: steps / ((cpu.user + cpu.system) / 1e6) };
}

const backend = await initBackend('auto');
const ours = SIZES.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
const theirs = SIZES.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
const tfjs = { wall: [] as number[], cpu: [] as number[] };
const ratios = SIZES.map(() => [] as number[]); // each round's ours / PyTorch's, wall clock
const modes = { fused: [] as number[], manual: [] as number[] }; // loss-modes.yaml's net, per CPU second
for (let round = 1; round <= rounds; round++) {
  for (const [i, size] of SIZES.entries()) {
    const steps = Math.max(1, Math.round(size.steps * scale));
    const r = runKernel(train, size.hidden, size.batch, steps);
    ours[i]!.wall.push(r.wall);
    ours[i]!.cpu.push(r.cpu);
    let line = `round ${round}, ${size.name} (H ${size.hidden}, B ${size.batch}, ${steps} steps): kernel ${r.wall.toFixed(0)} steps/s`;
    if (withTorch) {
      const t = await runTorch(steps, LR, steps, LR, size);
      theirs[i]!.wall.push(t.steps_per_s);
      theirs[i]!.cpu.push(t.cpu_steps_per_s);
      ratios[i]!.push(r.wall / t.steps_per_s);
      line += `, PyTorch ${t.steps_per_s.toFixed(0)} steps/s (${(r.wall / t.steps_per_s).toFixed(1)} ×)`;
    }
    console.log(`${line}; load ${loadavg()}`);
  }
  const r = runTfjs(train, Math.round(2000 * scale));
  tfjs.wall.push(r.wall);
  tfjs.cpu.push(r.cpu);
  console.log(`round ${round}, tfjs engine (${backend.name}), lecture: ${r.wall.toFixed(0)} steps/s`);
  for (const loss of ['fused', 'manual'] as const) modes[loss].push(runKernel(train, 100, 32, Math.round(10_000 * scale), loss, 2).cpu);
  console.log(`round ${round}, loss-modes.yaml's net: fused ${modes.fused.at(-1)!.toFixed(0)}, manual ${modes.manual.at(-1)!.toFixed(0)} steps per CPU s`);
}

console.log(`\nmedians of ${rounds} rounds, one thread each; load average at the end ${loadavg()}`);
console.log('| | steps/s | × PyTorch | × PyTorch, median of rounds | GFLOP/s | steps per CPU s | × PyTorch per CPU s |');
console.log('|---|---|---|---|---|---|---|');
for (const [i, size] of SIZES.entries()) {
  const flop = gflops(size.hidden, size.batch, V);
  const [w, c] = [median(ours[i]!.wall), median(ours[i]!.cpu)];
  const label = `H ${size.hidden}, B ${size.batch}`;
  if (withTorch) {
    const [tw, tc] = [median(theirs[i]!.wall), median(theirs[i]!.cpu)];
    const perRound = median(ratios[i]!);
    console.log(`| kernel, ${label} | ${w.toFixed(0)} | ${(w / tw).toFixed(1)} × | **${perRound.toFixed(1)} ×** | ${(w * flop).toFixed(1)} | ${c.toFixed(0)} | ${(c / tc).toFixed(1)} × |`);
    console.log(`| PyTorch, ${label} | ${tw.toFixed(0)} | 1 | 1 | ${(tw * flop).toFixed(1)} | ${tc.toFixed(0)} | 1 |`);
  } else {
    console.log(`| kernel, ${label} | ${w.toFixed(0)} | | | ${(w * flop).toFixed(1)} | ${c.toFixed(0)} | |`);
  }
}
const [tw, tc] = [median(tfjs.wall), median(tfjs.cpu)];
const lecture = withTorch ? median(theirs[0]!.wall) : NaN;
console.log(`| tfjs engine (${backend.name}), H 200, B 32 | ${tw.toFixed(0)} | ${withTorch ? `${(tw / lecture).toFixed(2)} ×` : ''} | | ${(tw * gflops(200, 32, V)).toFixed(1)} | ${tc.toFixed(0)} | |`);
const [mf, mm] = [median(modes.fused), median(modes.manual)];
console.log(`loss-modes.yaml's net (embedding 2, hidden 100, batch 32), kernel: fused ${mf.toFixed(0)}, manual ${mm.toFixed(0)} steps per CPU s: fused ${(mf / mm).toFixed(2)} × manual`);
console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
