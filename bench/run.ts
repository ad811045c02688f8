// `npm run bench`: steps/s of the lecture configuration, ours against PyTorch's (one thread each), in one run.
//
// usage: node dist/bench/run.js [--steps 20000] [--backend auto|node|wasm|cpu] [--rounds 1] [--no-torch]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { trainTrial } from '../src/train/trial.js';
import type { BackendName } from '../src/types.js';
import { lectureConfig, lectureData, NAMES, runTorch, torchAvailable } from './lecture.js';
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
console.log(`data: ${data.file ?? 'built-in names (' + NAMES + ' is absent)'}`);
console.log(`lecture configuration: block 3, embedding 10, hidden 200, batch 32, fused loss, lr ${LR}, ${steps} steps`);
const withTorch = !values['no-torch'] && (await torchAvailable());
if (!withTorch) console.log('PyTorch: not run (--no-torch, or /usr/bin/python3 cannot import torch, or names.txt is absent)');

const ours: number[] = [];
const theirs: number[] = [];
for (let round = 0; round < rounds; round++) {
  const { summary } = await trainTrial(lectureConfig(steps, LR, data), { id: 'bench', backend });
  ours.push(summary.steps_per_s);
  if (round === 0) {
    console.log(`run-exp: ${summary.backend} (${summary.backend_version}), ${(await countStepOps()).total} kernels per step`);
  }
  const mb = (summary.peak_bytes ?? 0) / 2 ** 20;
  console.log(
    `run-exp  round ${round + 1}: ${summary.steps_per_s.toFixed(0)} steps/s (${summary.train_seconds.toFixed(2)} s), ` +
      `train ${summary.final.train_loss?.toFixed(4)} dev ${summary.final.dev_loss?.toFixed(4)}, peak RSS ${mb.toFixed(0)} MB, ` +
      `tensors ${tf.memory().numTensors}`,
  );
  if (withTorch) {
    const t = await runTorch(steps, LR, steps, LR);
    theirs.push(t.steps_per_s);
    console.log(`PyTorch  round ${round + 1}: ${t.steps_per_s} steps/s (${t.seconds} s), train ${t.train.toFixed(4)} dev ${t.dev.toFixed(4)}, torch ${t.torch}, ${t.threads} thread`);
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
if (withTorch) {
  console.log(`ratio run-exp / PyTorch: ${(mean(ours) / mean(theirs)).toFixed(2)} × (${mean(ours).toFixed(0)} vs ${mean(theirs).toFixed(0)} steps/s)`);
}
