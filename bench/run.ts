// `npm run bench`: the speed table. run-exp's trials (trainTrial in this process: the Trainer and its engine, as a
// worker runs them) and PyTorch's reference (../shared/bench/torch_mlp.py, one thread) taking turns within each round,
// at the lecture's configuration (block 3, embedding 10, hidden 200, batch 32, fused) and three larger nets; the tfjs
// engine at the lecture's configuration too. Medians over the rounds.
//
// usage: node dist/bench/run.js [--rounds 3] [--scale 1] [--backend auto|node|wasm|cpu] [--no-torch] [--no-tfjs]
//
// Steps/s of each side is its training loop's own (run-exp: summary.steps_per_s, the loop without evaluation or
// sampling; PyTorch: the script's own clock around its loop). "× PyTorch" is given twice: the ratio of the medians, and
// the median of each round's ratio (steadier when other work on a shared machine comes and goes, since the two runs
// of a round are next to each other). GFLOP/s counts the six matrix products of a step, forward and backward,
// 6·B·H·(T·E + V) (src/train/kernel/layout.ts's stepFlops); the elementwise work is not counted. The load average is
// printed before and after: figures from a loaded machine are labelled as such in the README.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { EngineName } from '../src/config/schema.js';
import { stepFlops } from '../src/train/kernel/layout.js';
import type { BackendName } from '../src/types.js';
import { lectureConfig, lectureData, NAMES, runOurs, runTorch, torchAvailable } from './lecture.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1' }, // × the steps of every run
    backend: { type: 'string', default: 'auto' },
    'no-torch': { type: 'boolean', default: false },
    'no-tfjs': { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const scale = Number(values.scale);
const backend = values.backend as BackendName;
const LR = 0.1;

// Steps per run: PyTorch takes about 5–10 s on each (the kernel a second or less, the tfjs engine about 5 s).
const SIZES = [
  { name: 'lecture', hidden: 200, batch: 32, steps: 10_000 },
  { name: 'hidden 1000', hidden: 1000, batch: 32, steps: 3_000 },
  { name: 'batch 256', hidden: 200, batch: 256, steps: 2_000 },
  { name: 'hidden 1000, batch 512', hidden: 1000, batch: 512, steps: 200 },
];
const TFJS_STEPS = 10_000; // the tfjs engine, lecture size only

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const count = (x: number) => Math.round(x).toLocaleString('en-US');

const data = lectureData();
const withTorch = !values['no-torch'] && (await torchAvailable());
console.log(`data: ${data.file ?? `the built-in names (${NAMES} is absent)`}; ${rounds} round(s), one thread each; load average ${loadavg()}`);
if (!withTorch) console.log('PyTorch: not run (--no-torch, or /usr/bin/python3 cannot import torch, or names.txt is absent)');

/** A row of the table: one engine at one size, its rounds' steps/s (wall and per CPU second), and PyTorch's beside it. */
interface Row {
  label: string;
  flop: number; // of one step
  ours: { wall: number[]; cpu: number[] };
  torch: { wall: number[]; cpu: number[] } | null; // null: no PyTorch run of its own (the tfjs engine: the lecture's)
  ratios: number[]; // each round's ours / PyTorch's, wall clock
}
const flopOf = (hidden: number, batch: number) => stepFlops({ n: 0, T: 3, E: 10, H: hidden, V: 27, batch });
const rows: Row[] = SIZES.map((s) => ({ label: `kernel, H ${s.hidden}, B ${s.batch}`, flop: flopOf(s.hidden, s.batch), ours: { wall: [], cpu: [] }, torch: { wall: [], cpu: [] }, ratios: [] }));
const tfjsRow: Row = { label: 'tfjs engine, H 200, B 32', flop: flopOf(200, 32), ours: { wall: [], cpu: [] }, torch: null, ratios: [] };

async function ours(engine: EngineName, hidden: number, batch: number, steps: number) {
  const config = lectureConfig(steps, LR, data);
  return runOurs({ ...config, engine, model: { ...config.model, hidden }, train: { ...config.train, batch_size: batch }, eval: { every: steps, splits: ['train'] } }, backend);
}

let backendName = '';
for (let round = 1; round <= rounds; round++) {
  for (const [i, size] of SIZES.entries()) {
    const steps = Math.max(1, Math.round(size.steps * scale));
    const r = await ours('kernel', size.hidden, size.batch, steps);
    if (r.engine !== 'kernel') throw new Error(`the kernel engine did not run (${r.engine_fallback ?? r.engine}): nothing to measure`);
    rows[i]!.ours.wall.push(r.steps_per_s);
    rows[i]!.ours.cpu.push(r.cpu_steps_per_s);
    let line = `round ${round}, ${size.name} (H ${size.hidden}, B ${size.batch}, ${count(steps)} steps): kernel ${count(r.steps_per_s)} steps/s`;
    if (withTorch) {
      const t = await runTorch(steps, LR, steps, LR, size);
      rows[i]!.torch!.wall.push(t.steps_per_s);
      rows[i]!.torch!.cpu.push(t.cpu_steps_per_s);
      rows[i]!.ratios.push(r.steps_per_s / t.steps_per_s);
      line += `, PyTorch ${count(t.steps_per_s)} steps/s (${(r.steps_per_s / t.steps_per_s).toFixed(1)} ×)`;
    }
    console.log(`${line}; load ${loadavg()}`);
    if (i === 0 && !values['no-tfjs']) {
      const f = await ours('tfjs', 200, 32, Math.max(1, Math.round(TFJS_STEPS * scale)));
      backendName = `${f.backend.name}: ${f.backend.version}`;
      tfjsRow.ours.wall.push(f.steps_per_s);
      tfjsRow.ours.cpu.push(f.cpu_steps_per_s);
      if (withTorch) tfjsRow.ratios.push(f.steps_per_s / rows[0]!.torch!.wall.at(-1)!);
      console.log(`round ${round}, lecture, tfjs engine (${f.backend.name}): ${count(f.steps_per_s)} steps/s; load ${loadavg()}`);
    }
  }
}

console.log(`\nmedians of ${rounds} round(s); load average at the end ${loadavg()}${backendName ? `; tfjs ${backendName}` : ''}`);
console.log('| | steps/s | × PyTorch | × PyTorch, median of rounds | GFLOP/s | steps per CPU s | × PyTorch per CPU s |');
console.log('|---|---|---|---|---|---|---|');
const lectureTorch = rows[0]!.torch!;
for (const row of [rows[0]!, ...(values['no-tfjs'] ? [] : [tfjsRow]), ...rows.slice(1)]) {
  const [w, c] = [median(row.ours.wall), median(row.ours.cpu)];
  const gflops = ((w * row.flop) / 1e9).toFixed(1);
  if (!withTorch) {
    console.log(`| ${row.label} | ${count(w)} | | | ${gflops} | ${count(c)} | |`);
    continue;
  }
  const torch = row.torch ?? lectureTorch;
  const [tw, tc] = [median(torch.wall), median(torch.cpu)];
  console.log(`| ${row.label} | ${count(w)} | ${(w / tw).toFixed(1)} × | **${median(row.ratios).toFixed(1)} ×** | ${gflops} | ${count(c)} | ${(c / tc).toFixed(1)} × |`);
  if (row.torch !== null) console.log(`| PyTorch, ${row.label.replace(/^kernel, /, '')} | ${count(tw)} | 1 | 1 | ${((tw * row.flop) / 1e9).toFixed(1)} | ${count(tc)} | 1 |`);
}
