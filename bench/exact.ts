// Lecture-exact fidelity: run-exp with rng: torch against PyTorch running the lecture's code on the same generators.
//
// usage: node dist/bench/exact.js [--steps 200000] [--backend auto|node|wasm|cpu] [--no-nudge] [--trace 1000]
//
// Both sides: the lecture's 32,033 names (run-exp's built-in makemore list; PyTorch reads the same file,
// data/makemore.txt), random.seed(42) + random.shuffle, 80/10/10, manual_seed(2147483647) for C, W1, b1, W2, b2 and
// then every torch.randint minibatch of 32, block 3, embedding 10, hidden 200, lr 0.1 then 0.01 from half-way.
// PyTorch runs bench/reference/lecture_torch.py; a second PyTorch run with W1[0, 0] nudged by one float32 ulp is the
// yardstick of how far PyTorch drifts from itself on one rounding difference (--no-nudge skips it). Then PyTorch samples
// `--trace` names from run-exp's trained weights with manual_seed(seed + 10), and run-exp redraws every one of those
// draws from the same context and the same generator state: a draw that differs is a float32 softmax boundary flip.
// Checks: the step-0 loss within 1e-4 and the final dev loss within 0.01 of PyTorch's (exit 1 otherwise).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName, MetricRow, TrialConfig, Weight } from '../src/types.js';
import { trainTrialInMemory } from '../src/train/trial.js';
import { logitsOf, type Params } from '../src/train/model.js';
import { torchSampleGenerator } from '../src/train/draws.js';
import { builtinWords } from '../src/train/builtin.js';
import { vocabularyOf } from '../src/train/data.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'bench', 'reference', 'lecture_torch.py');
const WORDS = path.join(ROOT, 'data', 'makemore.txt');
const PYTHON = '/usr/bin/python3';
const SEED = 2147483647;

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '200000' },
    backend: { type: 'string', default: 'auto' },
    'no-nudge': { type: 'boolean', default: false },
    trace: { type: 'string', default: '1000' },
  },
});
const steps = Number(values.steps);
const decayAt = Math.floor(steps / 2);
const KEEP = Math.min(1000, steps);

/** What lecture_torch.py prints. */
interface TorchRun {
  torch: string;
  examples: number[];
  losses: number[];
  train: number;
  dev: number;
  test: number;
  samples: string[];
  seconds: number;
}

async function torch(extra: string[]): Promise<TorchRun> {
  const args = [SCRIPT, '--words', WORDS, '--steps', String(steps), '--decay-at', String(decayAt), '--keep', String(KEEP), ...extra];
  const { stdout } = await promisify(execFile)(PYTHON, args, { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as TorchRun;
}

const config: TrialConfig = {
  seed: SEED,
  rng: 'torch',
  data: { builtin: 'makemore', split: { train: 0.8, dev: 0.1, test: 0.1 }, shuffle_seed: 42 },
  model: { block_size: 3, embed_dim: 10, hidden: 200 },
  loss: 'fused',
  engine: 'tfjs',
  train: { steps, batch_size: 32, lr: { schedule: 'step', start: 0.1, drops: [{ at: decayAt, lr: 0.01 }] } },
  eval: { every: steps, splits: ['train', 'dev', 'test'] },
  sample: 20,
};

console.log(`exact: the lecture's names, rng: torch, ${steps} steps, lr 0.1 then 0.01 from step ${decayAt}, block 3, embedding 10, hidden 200, batch 32`);
// PyTorch runs in its own processes meanwhile (the two cores are shared; only the losses matter here).
const reference = torch([]);
const nudged = values['no-nudge'] ? null : torch(['--nudge']);
const ours = await trainTrialInMemory(config, { id: 'exact', backend: values.backend as BackendName });
const t = await reference;
const ourLosses = ours.metrics.filter((m): m is Extract<MetricRow, { lr: number }> => 'lr' in m).map((m) => m.loss);

/** How two loss curves part: |Δ| at step 0, the largest |Δ| and the mean |Δ| over the kept steps, the first step past 1e-3. */
function drift(a: readonly number[], b: readonly number[]) {
  const d = b.slice(0, KEEP).map((x, i) => Math.abs(x - a[i]!));
  const max = Math.max(...d);
  return { step0: d[0]!, max, maxAt: d.indexOf(max), mean: d.reduce((s, x) => s + x, 0) / d.length, past1e3: d.findIndex((x) => x > 1e-3) };
}
const f = (x: number | null | undefined, digits = 4) => (x == null ? 'n/a' : x.toFixed(digits));
const show = (name: string, r: ReturnType<typeof drift>) =>
  console.log(`${name}: step 0 |Δ| ${r.step0.toExponential(2)}; first ${KEEP} steps: max |Δ| ${f(r.max)} (step ${r.maxAt}), mean |Δ| ${f(r.mean)}, first step past 1e-3: ${r.past1e3 < 0 ? 'none' : r.past1e3}`);

console.log(`examples: run-exp ${ours.summary.examples.train} / ${ours.summary.examples.dev} / ${ours.summary.examples.test}, PyTorch ${t.examples.join(' / ')}`);
console.log(`run-exp (${ours.summary.backend}): train ${f(ours.summary.final.train_loss)}  dev ${f(ours.summary.final.dev_loss)}  test ${f(ours.summary.final.test_loss)}  (${ours.summary.train_seconds.toFixed(0)} s)`);
console.log(`PyTorch ${t.torch}: train ${f(t.train)}  dev ${f(t.dev)}  test ${f(t.test)}  (${t.seconds.toFixed(0)} s)`);
const ourDrift = drift(t.losses, ourLosses);
show('run-exp against PyTorch', ourDrift);
if (nudged) {
  const n = await nudged;
  show('PyTorch nudged by 1 ulp against PyTorch', drift(t.losses, n.losses));
  console.log(`PyTorch nudged: train ${f(n.train)}  dev ${f(n.dev)}  test ${f(n.test)}`);
}
console.log(`samples (own weights each): ${ours.samples.filter((s, i) => s === t.samples[i]).length} of 20 equal; run-exp ${ours.samples.slice(0, 5).join(' ')} …; PyTorch ${t.samples.slice(0, 5).join(' ')} …`);

// Sampling on the same weights: PyTorch samples from run-exp's weights; run-exp redraws each of its draws.
const traceCount = Number(values.trace);
if (traceCount > 0) {
  const dir = await mkdtemp(path.join(tmpdir(), 'run-exp-exact-'));
  try {
    const file = path.join(dir, 'weights.json');
    await writeFile(file, JSON.stringify(ours.weights));
    const sampled = await promisify(execFile)(PYTHON, [SCRIPT, '--words', WORDS, '--steps', '0', '--keep', '0', '--weights', file, '--samples', String(traceCount)], { maxBuffer: 64 << 20 });
    const names = (JSON.parse(sampled.stdout) as TorchRun).samples;
    const { draws, flips, same } = redraw(ours.weights, names);
    console.log(`sampling from run-exp's weights, ${traceCount} names: PyTorch's ${draws} draws redrawn by run-exp from the same contexts and generator: ${flips} differ (${((100 * flips) / draws).toFixed(3)} %); free-running, the first ${same} names are equal`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const step0 = ourDrift.step0 <= 1e-4;
const devGap = Math.abs(ours.summary.final.dev_loss! - t.dev);
console.log(`step-0 loss within 1e-4: ${step0 ? 'PASS' : 'FAIL'}; final dev gap ${devGap.toFixed(4)} (tolerance 0.01): ${devGap <= 0.01 ? 'PASS' : 'FAIL'}`);
if (!step0 || devGap > 0.01) process.exitCode = 1;

/**
 * Each of PyTorch's draws again, by run-exp: for every name PyTorch sampled, the same contexts (PyTorch's characters)
 * and the same generator state (each draw takes V exponentials whatever it picks), so only the softmax's float32
 * rounding can make a draw differ. `same`: how many names at the start free-running sampling gets equal.
 */
function redraw(weights: Weight[], torchNames: string[]): { draws: number; flips: number; same: number } {
  const vocab = vocabularyOf(builtinWords('makemore'));
  const stoi = new Map([...vocab].map((c, i) => [c, i]));
  const params = Object.fromEntries(weights.map((w) => [w.name, tf.tensor(w.values, w.shape, 'float32')])) as unknown as Params;
  const g = torchSampleGenerator(SEED);
  const T = config.model.block_size;
  let draws = 0;
  let flips = 0;
  let same = -1;
  torchNames.forEach((name, k) => {
    const context = new Int32Array(T);
    let differs = false;
    for (const ch of [...name, '.']) {
      const probs = tf.tidy(() => tf.softmax(logitsOf(params, tf.tensor2d(context, [T, 1], 'int32'))).dataSync() as Float32Array);
      const ours = g.multinomial1(probs);
      const theirs = stoi.get(ch)!;
      draws++;
      if (ours !== theirs) {
        flips++;
        differs = true;
      }
      context.copyWithin(0, 1);
      context[T - 1] = theirs;
    }
    if (differs && same < 0) same = k;
  });
  for (const v of Object.values(params)) (v as tf.Tensor).dispose();
  return { draws, flips, same: same < 0 ? torchNames.length : same };
}
