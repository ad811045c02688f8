// Fidelity: the lecture's full training run, ours against PyTorch's torch_mlp.py, on names.txt.
//
// usage: node dist/bench/fidelity.js [--steps 200000] [--backend auto|node|wasm|cpu] [--no-torch]
// Settings as in the lecture: block 3, embedding 10, hidden 200, batch 32, lr 0.1 then 0.01 from half-way,
// split 80/10/10. The splits differ (our seeded shuffle against Python's random.seed(42)), and so do the initial
// weights and the minibatches; what must agree is where training lands: dev loss within 0.03 of PyTorch's.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BackendName } from '../src/types.js';
import { lectureConfig, lectureData, NAMES, runOurs, runTorch, torchAvailable, type TorchResult } from './lecture.js';

const TOLERANCE = 0.03; // on the final dev loss

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '200000' },
    backend: { type: 'string', default: 'auto' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const decayAt = Math.floor(steps / 2);
if (!existsSync(NAMES)) {
  console.error(`${NAMES}: expected the lecture's names.txt, found no file`);
  process.exit(2);
}
const lr = { schedule: 'step' as const, start: 0.1, drops: [{ at: decayAt, lr: 0.01 }] };
console.log(`fidelity: ${NAMES}, ${steps} steps, lr 0.1 then 0.01 from step ${decayAt}, block 3, embedding 10, hidden 200, batch 32`);

// PyTorch runs in its own process meanwhile (the two cores are shared; only the losses matter here).
const torch: Promise<TorchResult> | null = !values['no-torch'] && (await torchAvailable()) ? runTorch(steps, 0.1, decayAt, 0.01) : null;
const ours = await runOurs(lectureConfig(steps, lr, lectureData()), values.backend as BackendName);
const f = (x: number | null | undefined) => (x == null ? 'n/a' : x.toFixed(4));
console.log(`run-exp (${ours.backend.name}): train ${f(ours.final.train_loss)}  dev ${f(ours.final.dev_loss)}  test ${f(ours.final.test_loss)}  (${ours.status}, ${ours.seconds.toFixed(0)} s)`);
if (!torch) {
  console.log('PyTorch: not run (--no-torch, or /usr/bin/python3 cannot import torch)');
} else {
  const t = await torch;
  console.log(`PyTorch ${t.torch}: train ${f(t.train)}  dev ${f(t.dev)}  test ${f(t.test)}  (${t.seconds} s)`);
  const gap = Math.abs(ours.final.dev_loss! - t.dev);
  const ok = gap <= TOLERANCE;
  console.log(`dev loss gap: ${gap.toFixed(4)} (tolerance ${TOLERANCE}): ${ok ? 'PASS' : 'FAIL'}`);
  if (!ok) process.exitCode = 1;
}
