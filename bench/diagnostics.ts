// What diagnostics cost: the lecture's net (block 3, embedding 10, hidden 200, batch 32, lr 0.1) on the built-in names,
// trained in this process with diagnostics off, every 1,000 steps (init-fixes.yaml's) and every 100, in turns within
// each round (the order rotates), so that a busy machine slows every mode alike. Reports each mode's training steps/s
// (summary.steps_per_s: the training loop alone) and the time a diagnostics step adds, from the training loop's CPU
// seconds against the same round's run without diagnostics; and, timed alone, one diagnostics step (diagnose() on a
// minibatch of 32: the forward and backward pass, the reads and the statistics), the median of 200 calls.
// With --baseline DIR (another checkout, compiled, its node_modules linked to these), its trainTrial runs in the same
// rotation without diagnostics: the steps/s of the code before diagnostics existed, beside this code's with them off.
//
// usage: node dist/bench/diagnostics.js [--steps 20000] [--rounds 3] [--backend wasm] [--baseline DIR]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { planExperiment } from '../src/config/plan.js';
import { buildDataset, loadWords } from '../src/train/data.js';
import { diagnose } from '../src/train/diagnostics.js';
import { trialDraws } from '../src/train/draws.js';
import { disposeParams, initParams } from '../src/train/model.js';
import { trainTrial } from '../src/train/trial.js';
import type { BackendName, Summary, TrainOptions, TrialConfig, TrialOutput } from '../src/types.js';
import { ROOT } from '../test/paths.js';

const { values } = parseArgs({
  options: { steps: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' }, backend: { type: 'string', default: 'wasm' }, baseline: { type: 'string' } },
});
const steps = Number(values.steps);
type Train = (config: TrialConfig, options: TrainOptions) => Promise<TrialOutput>;
const baseline: Train | null =
  values.baseline === undefined ? null : ((await import(pathToFileURL(path.resolve(values.baseline, 'dist/src/train/trial.js')).href)) as { trainTrial: Train }).trainTrial;
const MODES: { name: string; every: number | null; train: Train }[] = [
  ...(baseline === null ? [] : [{ name: 'baseline', every: null, train: baseline }]),
  { name: 'off', every: null, train: trainTrial },
  { name: 'every 1,000', every: 1000, train: trainTrial },
  { name: 'every 100', every: 100, train: trainTrial },
];

const { plan } = await planExperiment(`${ROOT}/experiments/quickstart.yaml`, [`train.steps=${steps}`, 'train.lr=0.1', `eval.every=${steps}`, 'sample=0']);
const base = plan.trials[0]!;
const runs = new Map<string, Summary[]>(MODES.map((m) => [m.name, []]));
const perDiagnostic: Map<string, number[]> = new Map(MODES.filter((m) => m.every !== null).map((m) => [m.name, []]));
await trainTrial(base.config, { id: 'warm-up', backend: values.backend as BackendName }); // the WASM kernels run cold once

for (let round = 0; round < Number(values.rounds); round++) {
  const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]!);
  const inRound = new Map<string, Summary>();
  for (const mode of order) {
    const config = mode.every === null ? base.config : { ...base.config, diagnostics: { every: mode.every } };
    const { summary } = await mode.train(config, { id: mode.name, backend: values.backend as BackendName });
    runs.get(mode.name)!.push(summary);
    inRound.set(mode.name, summary);
  }
  const off = inRound.get('off')!;
  for (const mode of MODES) {
    if (mode.every === null) continue;
    const rows = Math.ceil(steps / mode.every);
    perDiagnostic.get(mode.name)!.push((1000 * (inRound.get(mode.name)!.train_cpu_seconds! - off.train_cpu_seconds!)) / rows);
  }
  console.error(`round ${round + 1}: ${order.map((m) => `${m.name} ${Math.round(inRound.get(m.name)!.steps_per_s)} steps/s`).join(', ')}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${steps.toLocaleString('en-US')} steps of the lecture's net, ${values.rounds} rounds, backend ${values.backend}:`);
for (const mode of MODES) {
  const rates = runs.get(mode.name)!.map((s) => s.steps_per_s);
  const extra = perDiagnostic.get(mode.name);
  const cost = extra === undefined ? '' : `; a diagnostics step costs ${median(extra).toFixed(2)} ms of CPU (median; ${extra.map((x) => x.toFixed(2)).join(', ')})`;
  console.log(`  ${mode.name.padEnd(12)} ${Math.round(median(rates)).toLocaleString('en-US')} steps/s (median; ${rates.map((r) => Math.round(r)).join(', ')})${cost}`);
}

// One diagnostics step alone, on the lecture's net at its init and the first minibatch of 32.
const dataset = buildDataset(await loadWords(base.config.data), base.config.data, base.config.model.block_size, base.config.rng);
const draws = trialDraws(base.config.seed, base.config.rng);
const params = initParams(draws.init, dataset.vocab.length, base.config.model);
const rows = draws.batch.fillInt(new Int32Array(32), dataset.train.n);
const T = base.config.model.block_size;
const X = new Int32Array(32 * T);
rows.forEach((row, b) => X.set(dataset.train.X.subarray(row * T, row * T + T), b * T));
const batch = { X: tf.tensor2d(X, [32 * T, 1], 'int32'), Y: tf.tensor1d(rows.map((row) => dataset.train.Y[row]!), 'int32') };
const times: number[] = [];
for (let i = 0; i < 220; i++) {
  const t0 = performance.now();
  diagnose(params, batch, 0.1, base.config.loss, 0);
  if (i >= 20) times.push(performance.now() - t0); // the first calls warm the kernels
}
tf.dispose([batch.X, batch.Y]);
disposeParams(params);
console.log(`  one diagnostics step alone: ${median(times).toFixed(2)} ms (median of 200; the quartiles ${quantile(times, 0.25).toFixed(2)}–${quantile(times, 0.75).toFixed(2)} ms)`);
// What that adds to training at each interval, against the steps/s measured without diagnostics: N steps take N / rate s.
const offRate = median(runs.get('off')!.map((s) => s.steps_per_s));
for (const mode of MODES) {
  if (mode.every === null) continue;
  console.log(`  ${mode.name}: one diagnostics step per ${(mode.every / offRate).toFixed(2)} s of training, ${((100 * median(times)) / 1000 / (mode.every / offRate)).toFixed(2)} % more time`);
}

function quantile(xs: number[], q: number): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
}
