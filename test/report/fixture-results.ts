// Realistic stored results for report tests: the on-disk layout of design.md with plausible curves,
// written without training (fast, deterministic). Statuses ok, diverged, stopped, failed and unfinished all occur.
// A grid expands as a run expands it; a random search draws its values (seeded, rounded to 4 significant digits)
// and early stopping (ASHA or the median rule) stops trials at their evaluations, in trial order as with --jobs 1.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { expand } from '../../src/config/expand.js';
import type { Distribution, EarlyStop, Experiment, Lr } from '../../src/config/schema.js';
import { readResults } from '../../src/report/load.js';
import { EarlyStopper } from '../../src/launch/early-stop.js';
import type { Results } from '../../src/report/results.js';
import { Rng } from '../../src/rng/streams.js';
import { lrAt } from '../../src/train/schedule.js';
import type { DiagnosticsRow, MetricRow, RunInfo, Summary, Trial, Weight } from '../../src/types.js';
import { HIST_BINS } from '../../src/train/diagnostic-stats.js';
import { initFactor } from '../../src/train/init.js';
import { PARAM_NAMES } from '../../src/train/shapes.js';

const VOCAB = '.abcdefghijklmnopqrstuvwxyz';
const UNIFORM = Math.log(VOCAB.length); // ln 27 ≈ 3.2958
const BIGRAM = 2.4541; // the bigram model's loss on names
const NAMES = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'amelia', 'harper', 'evelyn', 'abigail', 'kaelyn', 'dariah', 'brenna', 'jalon', 'mirel'];

/** An early-stopping rule, as the experiment file writes it (defaults filled in by fixtureExperiment). */
export type FixtureEarlyStop = { method: 'asha'; grace: number; eta?: number } | { method: 'median'; grace: number; min_trials?: number };

/** What to generate: an experiment name, its grid (or search space) and schedule, and which trials end badly. */
export interface FixtureOptions {
  name: string;
  description?: string;
  grid?: Record<string, unknown[] | Distribution>; // dotted keys, as in experiment.grid; distributions need `search`
  search?: { trials: number; seed?: number }; // random search: `trials` draws from grid (a list is a categorical choice)
  earlyStop?: FixtureEarlyStop; // stop trials at their evaluations of dev loss (needs dev in splits)
  repeat?: number;
  steps?: number;
  evalEvery?: number;
  splits?: ('train' | 'dev' | 'test')[]; // eval.splits (default train, dev)
  embedDim?: number;
  hidden?: number;
  lr?: Lr;
  sample?: number;
  expect?: Experiment['expect'];
  failed?: number[]; // trial indexes that crash (config.json + summary.json + stderr.log only)
  unfinished?: number[]; // trial indexes without summary.json
  file?: string; // the experiment file run.json names (default experiments/NAME.yaml)
  diagnostics?: number; // diagnostics.every: the trials write diagnostics.jsonl
}

/** The resolved experiment of a fixture, every default filled in as the runner would store it. */
export function fixtureExperiment(o: FixtureOptions): Experiment {
  return {
    name: o.name,
    description: o.description ?? '',
    seed: 2147483647,
    rng: 'streams',
    data: { builtin: 'names', split: { train: 0.8, dev: 0.1, test: 0.1 }, shuffle_seed: 42 },
    model: { block_size: 3, embed_dim: o.embedDim ?? 10, hidden: o.hidden ?? 200 },
    loss: 'fused',
    engine: 'kernel',
    train: { steps: o.steps ?? 1000, batch_size: 32, lr: o.lr ?? 0.1 },
    eval: { every: o.evalEvery ?? 200, splits: o.splits ?? ['train', 'dev'] },
    sample: o.sample ?? 8,
    grid: o.grid ?? {},
    search: o.search === undefined ? { method: 'grid' } : { method: 'random', trials: o.search.trials, seed: o.search.seed ?? 0 },
    ...(o.earlyStop === undefined ? {} : { early_stop: earlyStopRule(o.earlyStop) }),
    repeat: o.repeat ?? 1,
    ...(o.diagnostics === undefined ? {} : { diagnostics: { every: o.diagnostics } }),
    ...(o.expect === undefined ? {} : { expect: o.expect }),
    checkpoint: { every: 'auto' },
    executor: { kind: 'local', cpus_per_task: 1, array_parallelism: 256, signal_delay_s: 60, sbatch_args: [] },
  };
}

/** The rule with its defaults, as a resolved experiment stores it (metric dev_loss; eta 3; min_trials 3). */
function earlyStopRule(r: FixtureEarlyStop): EarlyStop {
  return r.method === 'asha' ? { method: 'asha', metric: 'dev_loss', grace: r.grace, eta: r.eta ?? 3 } : { method: 'median', metric: 'dev_loss', grace: r.grace, min_trials: r.min_trials ?? 3 };
}

/** Write DIR/NAME/ (experiment.yaml, run.json, trials/*) for the options; returns the experiment and its trials. */
export async function writeFixtureResults(out: string, o: FixtureOptions): Promise<{ experiment: Experiment; trials: Trial[] }> {
  const experiment = fixtureExperiment(o);
  const trials = expand(experiment, new Map()); // the real expansion (grid or random draws): ids, seeds and params as a run stores them
  const dir = path.join(out, o.name);
  await mkdir(path.join(dir, 'trials'), { recursive: true });
  await writeFile(path.join(dir, 'experiment.yaml'), stringify(experiment));
  const outputs = new Map(trials.filter((t) => !o.unfinished?.includes(t.index)).map((t) => [t.index, simulateTrial(t, o.failed?.includes(t.index) ?? false)]));
  if (o.earlyStop !== undefined) earlyStop(trials, outputs, earlyStopRule(o.earlyStop));
  let seconds = 0;
  for (const t of trials) {
    const tdir = path.join(dir, 'trials', t.id);
    await mkdir(tdir, { recursive: true });
    await writeFile(path.join(tdir, 'config.json'), JSON.stringify(t, null, 2));
    const output = outputs.get(t.index);
    if (output === undefined) continue; // unfinished
    seconds += output.summary.seconds;
    await writeFile(path.join(tdir, 'summary.json'), JSON.stringify(output.summary, null, 2));
    if (output.summary.status === 'failed') {
      await writeFile(path.join(tdir, 'stderr.log'), 'Error: worker exited with signal SIGKILL\n');
      continue;
    }
    await writeFile(path.join(tdir, 'metrics.jsonl'), output.metrics.map((r) => JSON.stringify(r) + '\n').join(''));
    if (t.config.diagnostics !== undefined) await writeFile(path.join(tdir, 'diagnostics.jsonl'), simulateDiagnostics(t, output.summary).map((r) => JSON.stringify(r) + '\n').join(''));
    await writeFile(path.join(tdir, 'samples.txt'), output.samples.map((n) => n + '\n').join(''));
    await writeFile(path.join(tdir, 'weights.json'), JSON.stringify(output.weights));
  }
  const run: RunInfo = {
    name: o.name,
    file: o.file ?? `experiments/${o.name}.yaml`,
    started_at: '2026-11-28T07:00:00.000Z',
    finished_at: new Date(Date.parse('2026-11-28T07:00:00.000Z') + seconds * 1000).toISOString(),
    seconds,
    git_commit: '0123456789abcdef0123456789abcdef01234567',
    run_exp_version: '0.1.0',
    node_version: 'v20.19.0',
    argv: [`experiments/${o.name}.yaml`],
  };
  await writeFile(path.join(dir, 'run.json'), JSON.stringify(run, null, 2));
  return { experiment, trials };
}

/**
 * A plausible trial: the loss falls from about 27 (an untrained net's confident wrong guesses) towards a floor that
 * depends on the lr (best near 0.1), with minibatch noise that shrinks with the batch size; lr ≥ 1.5 diverges.
 * A range test sweeps lr and shows the lecture's valley then blow-up.
 */
export function simulateTrial(t: Trial, fail: boolean): { summary: Summary; metrics: MetricRow[]; samples: string[]; weights: Weight[] } {
  const rng = new Rng(t.config.seed);
  const { steps, batch_size, lr } = t.config.train;
  const batch = batch_size === 'full' ? 182_625 : batch_size;
  const steps_per_s = batch_size === 'full' ? 45 : 3000 / (1 + batch / 256);
  const noise = 0.35 / Math.sqrt(batch / 32);
  const range = typeof lr === 'object' && lr.schedule === 'range';
  const metrics: MetricRow[] = [];
  let loss = 27;
  let smooth = 0;
  let best = Infinity;
  let status: Summary['status'] = 'ok';
  let reason: string | undefined;
  let reached = steps;
  const lrAtStep = (s: number) => lrAt(lr, s, steps);
  for (let s = 0; s < steps; s++) {
    const a = lrAtStep(s);
    // Best near lr 0.1 and 200 hidden units (the lecture's); a full batch is exact but slow.
    const floor = 2.05 + 0.25 * (Math.log10(a) + 1) ** 2 + 0.08 * Math.log(t.config.model.hidden / 200) ** 2 + (batch_size === 'full' ? -0.04 : 0.02);
    const rate = Math.min(0.3, 0.3 * a);
    loss = range && a > 0.6 ? loss * (1 + (a - 0.6) * 0.08) : floor + (loss - floor) * (1 - rate);
    if (!range && a >= 1.5 && s > steps / 5) loss *= 1.8;
    const observed = Math.max(0.5, loss + noise * rng.normal() * Math.min(1, loss / 3));
    const row: MetricRow = { step: s, lr: a, loss: Number.isFinite(observed) ? observed : Number.NaN };
    if (range) {
      smooth = 0.95 * smooth + 0.05 * observed;
      const debiased = smooth / (1 - 0.95 ** (s + 1));
      (row as { smooth?: number }).smooth = debiased;
      best = Math.min(best, debiased);
      if (s > 10 && debiased > 4 * best) {
        metrics.push(row);
        status = 'diverged';
        reason = `smoothed loss ${debiased.toFixed(2)} passed 4 × its best (${best.toFixed(2)}) at step ${s}`;
        reached = s + 1;
        break;
      }
    }
    if (!Number.isFinite(observed) || observed > 1e6) {
      metrics.push({ step: s, lr: a, loss: Number.NaN });
      status = 'diverged';
      reason = `loss became NaN at step ${s}`;
      reached = s + 1;
      break;
    }
    metrics.push(row);
    if ((s + 1) % t.config.eval.every === 0 || s === steps - 1) {
      for (const split of t.config.eval.splits) metrics.push({ step: s + 1, split, loss: loss + (split === 'train' ? 0 : 0.04) });
    }
  }
  // As the trainer does, a trial that diverged is evaluated where its rows stop (the loss may be NaN there: null in JSON).
  if (status === 'diverged') for (const split of t.config.eval.splits) metrics.push({ step: reached, split, loss: loss + (split === 'train' ? 0 : 0.04) });
  const ok = status === 'ok';
  const summary: Summary = {
    id: t.id,
    status: fail ? 'failed' : status,
    ...(fail ? { reason: 'worker crashed (signal SIGKILL)', error: 'Error: worker exited with signal SIGKILL\n    at Worker.onExit' } : reason ? { reason } : {}),
    steps: fail ? 0 : reached,
    steps_planned: steps,
    final: {
      train_loss: !fail && ok && t.config.eval.splits.includes('train') ? loss : null,
      dev_loss: !fail && ok && t.config.eval.splits.includes('dev') ? loss + 0.04 : null,
      test_loss: !fail && ok && t.config.eval.splits.includes('test') ? loss + 0.04 : null,
    },
    steps_per_s,
    seconds: reached / steps_per_s + 0.8,
    train_seconds: reached / steps_per_s,
    engine: t.config.engine,
    backend: 'wasm',
    backend_version: '@tensorflow/tfjs 4.22.0 (wasm, simd, 1 thread)',
    params: 11897,
    seed: t.config.seed,
    ...(range ? { suggested_lr: { steepest: 0.1, valley: 0.5 } } : {}),
    vocab: VOCAB,
    words: { train: 25626, dev: 3203, test: 3204 },
    examples: { train: 182625, dev: 22655, test: 22866 },
    reference: { uniform: UNIFORM, bigram: BIGRAM },
    started_at: '2026-11-28T07:00:00.000Z',
    finished_at: '2026-11-28T07:00:10.000Z',
  };
  const samples = Array.from({ length: t.config.sample }, () => NAMES[rng.int(NAMES.length)]!);
  return { summary, metrics: fail ? [] : metrics, samples, weights: fixtureWeights(t, rng) };
}

/**
 * Plausible diagnostics at steps 0, every, 2·every, … before the trial's last step, as init-fixes.yaml measured them:
 * unscaled W1 starts 70 % saturated, a scaled one 5–20 %, and training saturates the layer towards 55–85 %; the
 * update:data ratios sit near log10(lr) − 2, W2's higher when its init is scaled down.
 */
export function simulateDiagnostics(t: Trial, summary: Summary): DiagnosticsRow[] {
  const every = t.config.diagnostics!.every;
  const rng = new Rng(t.config.seed + 1);
  const { model, train } = t.config;
  const start = initFactor('W1', model) >= 1 ? 0.7 : 0.05 + 0.5 * initFactor('W1', model) ** 2;
  const end = start > 0.5 ? 0.84 : 0.57;
  const rows: DiagnosticsRow[] = [];
  for (let step = 0; step < summary.steps; step += every) {
    const lr = lrAt(train.lr, step, train.steps);
    const saturated = end + (start - end) * Math.exp((-4 * step) / train.steps);
    const hist = Array.from({ length: HIST_BINS }, (_, i) => (i === 0 || i === HIST_BINS - 1 ? Math.round(3200 * saturated) : Math.round((6400 * (1 - saturated)) / (HIST_BINS - 2))));
    const stats = (p: (typeof PARAM_NAMES)[number]) => {
      const update = Math.log10(lr) - 2 + (p === 'W2' && initFactor('W2', model) < 1 ? 0.5 : 0) + 0.1 * rng.normal();
      const data = initFactor(p, model) === 0 && step === 0 ? 0 : 1;
      const gradData = 10 ** update / lr;
      return { grad_std: gradData, data_std: data, grad_data: data === 0 ? null : gradData, update_data: data === 0 ? null : update };
    };
    const params = Object.fromEntries(PARAM_NAMES.map((p) => [p, stats(p)])) as DiagnosticsRow['params'];
    rows.push({ step, lr, tanh: { mean: 0.02, std: 0.6 + 0.35 * saturated, saturated, dead: saturated > 0.6 ? rng.int(5) : 0, hist }, params });
  }
  return rows;
}

type Output = ReturnType<typeof simulateTrial>;

/**
 * Early stopping applied to simulated trials by the runner's own rule (src/launch/early-stop.ts), told each trial's
 * evaluations in trial order as a run with --jobs 1 tells it: a stopped trial keeps its rows up to that evaluation.
 */
function earlyStop(trials: Trial[], outputs: Map<number, Output>, rule: EarlyStop): void {
  const stopper = new EarlyStopper(rule);
  for (const t of trials) {
    const out = outputs.get(t.index);
    if (out === undefined || out.summary.status !== 'ok') continue;
    for (const row of out.metrics) {
      if (!('split' in row) || row.step >= out.summary.steps_planned) continue;
      stopper.observe(t.id, [row]);
      const verdict = stopper.decide(t.id, row.step);
      if (verdict.stop) {
        stopAt(out, row.step, verdict.reason);
        break;
      }
    }
  }
}

/** End a simulated trial after `step` steps, as a worker told to stop keeps it: rows up to there, the last evaluation's losses. */
function stopAt(out: Output, step: number, reason: string): void {
  out.metrics = out.metrics.filter((r) => ('split' in r ? r.step <= step : r.step < step));
  const last = (split: string) => out.metrics.find((r) => 'split' in r && r.split === split && r.step === step)?.loss ?? null;
  const s = out.summary;
  const trainSeconds = step / s.steps_per_s;
  Object.assign(s, {
    status: 'stopped',
    reason,
    steps: step,
    final: { train_loss: last('train'), dev_loss: last('dev'), test_loss: last('test') },
    seconds: trainSeconds + 0.8,
    train_seconds: trainSeconds,
  });
}

/** Weights of the right shapes; with embed_dim 2, C puts the vowels together and '.' apart, as the lecture found. */
function fixtureWeights(t: Trial, rng: Rng): Weight[] {
  const { block_size, embed_dim, hidden } = t.config.model;
  const v = VOCAB.length;
  const c: number[] = [];
  for (let i = 0; i < v; i++) {
    const ch = VOCAB[i]!;
    const [cx, cy] = ch === '.' ? [2.2, -1.8] : 'aeiouy'.includes(ch) ? [-1.4, 1.2] : [0.4, -0.2];
    for (let d = 0; d < embed_dim; d++) c.push((d === 0 ? cx : d === 1 ? cy : 0) + 0.5 * rng.normal());
  }
  const tensor = (name: string, shape: number[]) => ({ name, shape, values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Number((0.1 * rng.normal()).toFixed(4))) });
  return [
    { name: 'C', shape: [v, embed_dim], values: c },
    tensor('W1', [block_size * embed_dim, hidden]),
    tensor('b1', [hidden]),
    tensor('W2', [hidden, v]),
    tensor('b2', [v]),
  ];
}

/** Run f with a fresh temporary directory, removed afterwards whatever happens. */
export async function withDir<T>(f: (out: string) => Promise<T>): Promise<T> {
  const out = await mkdtemp(path.join(tmpdir(), 'run-exp-report-'));
  try {
    return await f(out);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Write the fixture into a fresh temporary directory and read it back as the report reads it (expectations unchecked). */
export function fixtureResults(o: FixtureOptions): Promise<Results> {
  return withDir(async (out) => {
    await writeFixtureResults(out, o);
    return { ...(await readResults(out, o.name)), expectations: [] } satisfies Results;
  });
}
