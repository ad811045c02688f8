// `npm run bench`: steps/s of the lecture configuration, ours against PyTorch's (one thread each), in one run.
//
// usage: node dist/bench/run.js [--steps 20000] [--backend auto|node|wasm|cpu] [--rounds 1] [--no-torch]
// Prints wall-clock steps/s and steps per CPU second of each training loop: on a shared machine the CPU-time
// figures are the fairer comparison, as neither side is charged for time it spent waiting for a core.
import { parseArgs } from 'node:util';
import type { BackendName } from '../src/types.js';
import { lectureConfig, lectureData, NAMES, runOurs, runTorch, torchAvailable } from './lecture.js';
import { countStepOps } from './ops.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '20000' },
    backend: { type: 'string', default: 'auto' },
    rounds: { type: 'string', default: '1' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const rounds = Number(values.rounds);
const backend = values.backend as BackendName;
const LR = 0.1;

const data = lectureData();
console.log(`data: ${data.file ?? `the built-in names (${NAMES} is absent)`}`);
console.log(`lecture configuration: block 3, embedding 10, hidden 200, batch 32, fused loss, lr ${LR}, ${steps} steps, one thread`);
const withTorch = !values['no-torch'] && (await torchAvailable());
if (!withTorch) console.log('PyTorch: not run (--no-torch, or /usr/bin/python3 cannot import torch, or names.txt is absent)');

const rate = (x: number) => `${x.toFixed(0)} steps/s`;
const ours = { wall: [] as number[], cpu: [] as number[] };
const theirs = { wall: [] as number[], cpu: [] as number[] };
for (let round = 1; round <= rounds; round++) {
  const r = await runOurs(lectureConfig(steps, LR, data), backend);
  ours.wall.push(r.steps_per_s);
  ours.cpu.push(r.cpu_steps_per_s);
  if (round === 1) console.log(`run-exp: ${r.backend.name} (${r.backend.version}), ${(await countStepOps()).total} kernels per step`);
  console.log(
    `run-exp  round ${round}: ${rate(r.steps_per_s)} wall, ${rate(r.cpu_steps_per_s)} CPU (${r.seconds.toFixed(2)} s); ` +
      `train ${r.final.train_loss?.toFixed(4)} dev ${r.final.dev_loss?.toFixed(4)}; peak RSS ${(r.peak_bytes / 2 ** 20).toFixed(0)} MB`,
  );
  if (withTorch) {
    const t = await runTorch(steps, LR, steps, LR);
    theirs.wall.push(t.steps_per_s);
    theirs.cpu.push(t.cpu_steps_per_s);
    console.log(
      `PyTorch  round ${round}: ${rate(t.steps_per_s)} wall, ${rate(t.cpu_steps_per_s)} CPU (${t.seconds} s); ` +
        `train ${t.train.toFixed(4)} dev ${t.dev.toFixed(4)}; torch ${t.torch}, ${t.threads} thread`,
    );
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
if (withTorch) {
  console.log(`ratio run-exp / PyTorch, wall clock: ${(mean(ours.wall) / mean(theirs.wall)).toFixed(2)} × (${rate(mean(ours.wall))} vs ${rate(mean(theirs.wall))})`);
  console.log(`ratio run-exp / PyTorch, CPU time:   ${(mean(ours.cpu) / mean(theirs.cpu)).toFixed(2)} × (${rate(mean(ours.cpu))} vs ${rate(mean(theirs.cpu))})`);
}
