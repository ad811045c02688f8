// One trial, as a worker trains it, on either engine: the Trainer's chunks, schedules, divergence, the range test,
// progress and checkpoints behave alike whether the steps run in the WebAssembly kernel or in TensorFlow.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineName, Lr, LossMode } from '../../src/config/schema.js';
import { buildDataset, loadWords } from '../../src/train/data.js';
import { trialDraws } from '../../src/train/draws.js';
import { disposeParams, initParams, toWeights } from '../../src/train/model.js';
import { trainTrial, trainTrialInMemory, Trainer } from '../../src/train/trial.js';
import type { DiagnosticsRow, MetricRow, Progress, TrainState, TrialConfig, TrialStart } from '../../src/types.js';

/** A few hundred words of the built-in names and a small network: trains in well under a second. */
function tiny(over: { steps?: number; lr?: Lr; batch?: number | 'full'; loss?: LossMode; every?: number; sample?: number; engine?: EngineName } = {}): TrialConfig {
  return {
    seed: 42,
    rng: 'streams',
    data: { builtin: 'names', slice: { first: 300 }, split: { train: 0.8, dev: 0.1, test: 0.1 }, shuffle_seed: 42 },
    model: { block_size: 3, embed_dim: 4, hidden: 32 },
    loss: over.loss ?? 'fused',
    engine: over.engine ?? 'kernel',
    train: { steps: over.steps ?? 200, batch_size: over.batch ?? 32, lr: over.lr ?? 0.1 },
    eval: { every: over.every ?? 100, splits: ['train', 'dev'] },
    sample: over.sample ?? 5,
  };
}

const ENGINES = ['kernel', 'tfjs'] as const;

const stepRows = (rows: MetricRow[]) => rows.filter((r): r is Extract<MetricRow, { lr: number }> => 'lr' in r);
const evalRows = (rows: MetricRow[]) => rows.filter((r): r is Extract<MetricRow, { split: string }> => 'split' in r);

for (const engine of ENGINES) test(`a short trial trains, evaluates every eval.every steps and at the end, samples and fills the summary (${engine} engine)`, async () => {
  const out = await trainTrialInMemory(tiny({ steps: 250, engine }), { id: 'tiny', backend: 'wasm' });
  const { summary } = out;
  assert.equal(summary.status, 'ok');
  assert.equal(summary.engine, engine);
  assert.equal(summary.engine_fallback, undefined);
  assert.equal(summary.id, 'tiny');
  assert.equal(summary.steps, 250);
  assert.equal(summary.steps_planned, 250);
  assert.deepEqual(stepRows(out.metrics).map((r) => r.step), Array.from({ length: 250 }, (_, i) => i));
  assert.deepEqual(evalRows(out.metrics).map((r) => `${r.step} ${r.split}`), ['100 train', '100 dev', '200 train', '200 dev', '250 train', '250 dev']);
  const losses = stepRows(out.metrics).map((r) => r.loss);
  assert.ok(losses.slice(-20).reduce((a, b) => a + b) < losses.slice(0, 20).reduce((a, b) => a + b), 'the loss falls');
  assert.equal(summary.final.train_loss, evalRows(out.metrics).at(-2)!.loss);
  assert.equal(summary.final.dev_loss, evalRows(out.metrics).at(-1)!.loss);
  assert.equal(summary.final.test_loss, null); // not among eval.splits
  assert.equal(summary.backend, 'wasm');
  assert.match(summary.backend_version, /tfjs-backend-wasm/);
  assert.equal(summary.vocab[0], '.');
  const V = summary.vocab.length;
  assert.equal(summary.params, V * 4 + 12 * 32 + 32 + 32 * V + V);
  assert.equal(summary.reference.uniform, Math.log(V));
  assert.ok(summary.reference.bigram > 1 && summary.reference.bigram < Math.log(V));
  assert.equal(summary.words.train + summary.words.dev + summary.words.test, 300);
  assert.deepEqual([summary.words.train, summary.words.dev, summary.words.test], [240, 30, 30]);
  assert.ok(summary.examples.train > summary.words.train);
  assert.ok(summary.steps_per_s > 0 && summary.train_seconds > 0 && summary.seconds >= summary.train_seconds);
  assert.ok(summary.peak_bytes! > 0);
  assert.equal(summary.suggested_lr, undefined);
  assert.ok(Date.parse(summary.finished_at) >= Date.parse(summary.started_at));
  assert.equal(out.samples.length, 5);
  for (const name of out.samples) assert.match(name, new RegExp(`^[${summary.vocab.slice(1)}]{0,50}$`));
  assert.deepEqual(out.weights.map((w) => [w.name, w.shape]), [['C', [V, 4]], ['W1', [12, 32]], ['b1', [32]], ['W2', [32, V]], ['b2', [V]]]);
});

for (const engine of ENGINES) test(`each step records the lr of its schedule, and trains at it (${engine} engine)`, async () => {
  const lr: Lr = { schedule: 'step', start: 0.1, drops: [{ at: 30, lr: 0.01 }] };
  const out = await trainTrialInMemory(tiny({ steps: 50, lr, engine }), { id: 's', backend: 'wasm' });
  const rows = stepRows(out.metrics);
  assert.deepEqual([rows[29]!.lr, rows[30]!.lr, rows[49]!.lr], [0.1, 0.01, 0.01]);
  // The same trial at lr 0.1 throughout is the same up to step 30 and other from step 31 on (step 30's loss is before its update).
  const constant = stepRows((await trainTrialInMemory(tiny({ steps: 50, engine }), { id: 'c', backend: 'wasm' })).metrics);
  assert.deepEqual(constant.slice(0, 31).map((r) => r.loss), rows.slice(0, 31).map((r) => r.loss));
  assert.notEqual(constant[31]!.loss, rows[31]!.loss);
});

for (const engine of ENGINES) test(`the full batch and the manual loss train too (${engine} engine)`, async (t) => {
  for (const over of [{ batch: 'full' as const }, { loss: 'manual' as const }, { batch: 'full' as const, loss: 'manual' as const }]) {
    await t.test(JSON.stringify(over), async () => {
      const out = await trainTrialInMemory(tiny({ steps: 30, every: 30, engine, ...over }), { id: 'f', backend: 'wasm' });
      assert.equal(out.summary.status, 'ok');
      assert.equal(stepRows(out.metrics).length, 30);
      assert.ok(out.summary.final.train_loss! < out.metrics[0]!.loss);
    });
  }
});

for (const engine of ENGINES) test(`the manual and fused losses train the same way on moderate logits (${engine} engine)`, async () => {
  const fused = await trainTrialInMemory(tiny({ steps: 40, every: 40, sample: 0, engine }), { id: 'a', backend: 'wasm' });
  const manual = await trainTrialInMemory(tiny({ steps: 40, every: 40, sample: 0, loss: 'manual', engine }), { id: 'b', backend: 'wasm' });
  stepRows(fused.metrics).forEach((r, i) => assert.ok(Math.abs(r.loss - stepRows(manual.metrics)[i]!.loss) < 1e-3, `step ${i}`));
});

for (const engine of ENGINES) test(`an LR range test records (lr, loss, smooth) at every step, suggests an lr, and stops when the loss blows up (${engine} engine)`, async () => {
  const out = await trainTrialInMemory(tiny({ steps: 400, every: 1000, lr: { schedule: 'range', min: 1e-3, max: 1e3 }, engine }), { id: 'r', backend: 'wasm' });
  const rows = stepRows(out.metrics);
  assert.equal(out.summary.status, 'diverged');
  assert.match(out.summary.reason!, /passed 4 × its best at step \d+|the loss became (NaN|Infinity)/);
  assert.ok(rows.length < 400 && rows.length > 100, `${rows.length} steps kept`);
  assert.equal(out.summary.steps, rows.length);
  assert.equal(rows[0]!.lr, 1e-3);
  for (const r of rows) assert.ok(typeof r.smooth === 'number' && Number.isFinite(r.smooth) && Number.isFinite(r.loss));
  const { steepest, valley } = out.summary.suggested_lr!;
  const min_over_10 = valley === null ? null : valley / 10; // as summaries stored it before #17
  assert.ok(steepest !== null && steepest > 1e-3 && steepest < 1e3);
  assert.ok(min_over_10 !== null && min_over_10 > 1e-4 && min_over_10 < 1e2);
  assert.ok(evalRows(out.metrics).every((r) => r.step === rows.length), 'the end-of-training evaluation is at the step reached');
  // Its weights are those of the step where the rows stop (the chunk went back to its start and trained again up to
  // there): the same trial's Trainer run exactly that far ends with the same bits.
  const config = tiny({ steps: 400, every: 1000, lr: { schedule: 'range', min: 1e-3, max: 1e3 }, engine });
  const data = buildDataset(await loadWords(config.data), config.data, config.model.block_size);
  const draws = trialDraws(config.seed, config.rng);
  const params = initParams(draws.init, data.vocab.length, config.model);
  const trainer = new Trainer(config, data, params, draws);
  await trainer.runTo(rows.length);
  trainer.finish();
  assert.equal(trainer.stepsReached, rows.length);
  assert.deepEqual(out.weights, toWeights(params));
  disposeParams(params);
});

for (const engine of ENGINES) test(`a loss that turns NaN/Inf stops the trial as diverged, keeping the steps before it (${engine} engine)`, async () => {
  const out = await trainTrialInMemory(tiny({ steps: 300, lr: 1e4, loss: 'manual', engine }), { id: 'd', backend: 'wasm' });
  assert.equal(out.summary.status, 'diverged');
  assert.match(out.summary.reason!, /^the loss became (NaN|Infinity|-Infinity) at step (\d+) \(lr 10000\)$/);
  const at = Number(/at step (\d+)/.exec(out.summary.reason!)![1]);
  assert.equal(stepRows(out.metrics).length, at);
  assert.equal(out.summary.steps, at);
  assert.ok(stepRows(out.metrics).every((r) => Number.isFinite(r.loss)));
});

for (const engine of ENGINES) test(`a diverged trial ends with the weights and losses of the step where its metrics stop, not of the end of its chunk (${engine} engine)`, async () => {
  // lr 1e4 diverges within a few steps, inside the first 500-step chunk, where the losses are read back.
  const diverged = await trainTrialInMemory(tiny({ steps: 300, lr: 1e4, loss: 'manual', every: 300, sample: 0, engine }), { id: 'd', backend: 'wasm' });
  assert.equal(diverged.summary.status, 'diverged');
  const at = diverged.summary.steps;
  assert.ok(at > 0 && at < 300, `diverged at step ${at}`);
  // The same trial stopped at that step: same seed, same minibatches, same updates.
  const stopped = await trainTrialInMemory(tiny({ steps: at, lr: 1e4, loss: 'manual', every: 300, sample: 0, engine }), { id: 's', backend: 'wasm' });
  assert.equal(stopped.summary.status, 'ok');
  assert.deepEqual(diverged.weights, stopped.weights);
  assert.deepEqual(evalRows(diverged.metrics), evalRows(stopped.metrics));
});

test('progress comes at most every 250 ms, and once at the end with the last step', async () => {
  const seen: Progress[] = [];
  const at: number[] = [];
  const onProgress = (p: Progress) => void (seen.push(p), at.push(performance.now()));
  await trainTrialInMemory(tiny({ steps: 3000, every: 3000, sample: 0 }), { id: 'p', backend: 'wasm', onProgress });
  assert.ok(seen.length >= 1);
  // Every report but the last waits 250 ms after the one before (the trainer's clock reads just before each call).
  for (let i = 1; i < at.length - 1; i++) assert.ok(at[i]! - at[i - 1]! >= 249, `reports ${i - 1} and ${i}: ${(at[i]! - at[i - 1]!).toFixed(0)} ms apart`);
  assert.deepEqual({ ...seen.at(-1)!, loss: 0, steps_per_s: 0 }, { step: 3000, steps: 3000, loss: 0, steps_per_s: 0 });
  assert.ok(seen.every((p) => Number.isFinite(p.loss) && p.steps_per_s > 0));
});

test('the CPU backend trains the same trial to nearly the same losses on the tfjs engine, and to the same bits on the kernel', async () => {
  for (const engine of ENGINES) {
    const wasm = await trainTrialInMemory(tiny({ steps: 60, every: 60, sample: 0, engine }), { id: 'w', backend: 'wasm' });
    const cpu = await trainTrialInMemory(tiny({ steps: 60, every: 60, sample: 0, engine }), { id: 'c', backend: 'cpu' });
    assert.equal(cpu.summary.backend, 'cpu');
    if (engine === 'kernel') assert.deepEqual(stepRows(cpu.metrics), stepRows(wasm.metrics)); // TensorFlow.js does not train here
    else stepRows(wasm.metrics).forEach((r, i) => assert.ok(Math.abs(r.loss - stepRows(cpu.metrics)[i]!.loss) < 1e-3, `step ${i}`));
  }
});

test('successive trials in one process each get the data of their own configuration', async () => {
  const base = tiny({ steps: 10, every: 10, sample: 0 });
  const first = await trainTrialInMemory(base, { id: 'a', backend: 'wasm' });
  const again = await trainTrialInMemory(base, { id: 'b', backend: 'wasm' });
  assert.deepEqual(again.summary.reference, first.summary.reference);
  assert.deepEqual(again.metrics, first.metrics);
  const shorter = await trainTrialInMemory({ ...base, model: { ...base.model, block_size: 2 } }, { id: 'c', backend: 'wasm' });
  assert.deepEqual(shorter.weights[1]!.shape, [2 * 4, 32]);
  const fewer = await trainTrialInMemory({ ...base, data: { ...base.data, slice: { first: 100 } } }, { id: 'd', backend: 'wasm' });
  assert.equal(fewer.summary.words.train + fewer.summary.words.dev + fewer.summary.words.test, 100);
  assert.notEqual(fewer.summary.reference.bigram, first.summary.reference.bigram);
});

test('an empty training split is refused before training, whatever the batch size', async (t) => {
  for (const batch of [32, 'full'] as const) {
    await t.test(`batch ${batch}`, async () => {
      const one = tiny({ batch });
      const config = { ...one, data: { ...one.data, slice: { first: 1 } } }; // ⌊0.8 · 1⌋ = 0 training words
      await assert.rejects(trainTrialInMemory(config, { id: 'e', backend: 'wasm' }), /^Error: data\.split\.train: expected a training split with at least one word, found none/);
    });
  }
});

/** A trial run with a checkpoint every `every` steps: its rows, outputs, and each checkpoint with the rows (and diagnostics) sent before it. */
async function withCheckpoints(config: TrialConfig, every: number) {
  const saved: { state: TrainState; rows: number; diagnostics: number }[] = [];
  const metrics: MetricRow[] = [];
  const diagnostics: DiagnosticsRow[] = [];
  const out = await trainTrial(config, {
    id: 'c',
    backend: 'wasm',
    onMetrics: (rows) => void metrics.push(...rows),
    onDiagnostics: (rows) => void diagnostics.push(...rows),
    checkpointEvery: every,
    onCheckpoint: (state) => void saved.push({ state, rows: metrics.length, diagnostics: diagnostics.length }),
  });
  return { ...out, metrics, diagnostics, saved };
}

for (const engine of ENGINES) test(`going on from any checkpoint computes the rest of the trial bit for bit: the same rows, weights and samples (${engine} engine)`, async (t) => {
  const cases: [string, TrialConfig][] = [
    ['minibatches, fused loss (rng: streams)', tiny({ steps: 230, every: 70, engine })],
    ['the lecture\'s generators (rng: torch)', { ...tiny({ steps: 230, every: 70, engine }), rng: 'torch' }],
    ['full batch, manual loss', tiny({ steps: 120, every: 50, batch: 'full', loss: 'manual', engine })],
    ['an LR range test (chunks of 25 steps, its smoothed loss)', tiny({ steps: 180, every: 1000, lr: { schedule: 'range', min: 1e-3, max: 1 }, engine })],
    ['a cosine schedule', tiny({ steps: 230, every: 100, lr: { schedule: 'cosine', start: 0.2, end: 0.01, warmup: 20 }, engine })],
    ['diagnostics every 30 (chunks end at each)', { ...tiny({ steps: 230, every: 70, engine }), diagnostics: { every: 30 } }],
  ];
  for (const [name, config] of cases) {
    await t.test(name, async () => {
      const plain = await trainTrialInMemory(config, { id: 'c', backend: 'wasm' });
      const run = await withCheckpoints(config, 50);
      assert.deepEqual(run.metrics, plain.metrics, 'checkpoints change nothing a trial computes');
      assert.ok(run.saved.length >= 2, `${run.saved.length} checkpoints`);
      assert.deepEqual(run.diagnostics, plain.diagnostics);
      for (const { state, rows, diagnostics } of run.saved) {
        let started: TrialStart | undefined;
        const resumed = await trainTrialInMemory(config, { id: 'c', backend: 'wasm', resume: state, onStart: (s) => void (started = s) });
        assert.deepEqual(started, { resumed_from: state.step });
        assert.equal(resumed.summary.resumed_from, state.step);
        assert.deepEqual(resumed.metrics, plain.metrics.slice(rows), `the rows after step ${state.step}`);
        assert.deepEqual(resumed.diagnostics, plain.diagnostics.slice(diagnostics), `the diagnostics from step ${state.step} on`);
        assert.deepEqual(resumed.weights, plain.weights);
        assert.deepEqual(resumed.samples, plain.samples);
        assert.deepEqual([resumed.summary.final, resumed.summary.first_loss, resumed.summary.suggested_lr], [plain.summary.final, plain.summary.first_loss, plain.summary.suggested_lr]);
      }
    });
  }
});

for (const engine of ENGINES) test(`a checkpoint is taken at the first chunk boundary from each multiple of checkpoint.every, never at the last step (${engine} engine)`, async () => {
  const run = await withCheckpoints(tiny({ steps: 1300, every: 300, sample: 0, engine }), 400);
  // Chunk boundaries: evaluations every 300 steps, and 500-step chunks between them: 300, 600, 900, 1200, 1300.
  assert.deepEqual(run.saved.map((c) => c.state.step), [600, 900, 1200]);
});

for (const engine of ENGINES) test(`a checkpoint of another backend, engine, vocabulary or schedule is not used: the trial starts from step 0 and says why (${engine} engine)`, async () => {
  const config = tiny({ steps: 120, every: 60, sample: 2, engine });
  const other = engine === 'kernel' ? 'tfjs' : 'kernel';
  const plain = await trainTrialInMemory(config, { id: 'c', backend: 'wasm' });
  const { state } = (await withCheckpoints(config, 60)).saved[0]!;
  const unfit: [Partial<TrainState>, RegExp][] = [
    [{ backend: 'cpu' }, /trained on the cpu backend, this run has wasm/],
    [{ engine: other }, new RegExp(`trained by the ${other} engine, this run trains with ${engine}`)],
    [{ vocab: '.abc' }, /its vocabulary "\.abc" is not the data's/],
    [{ range_test: { avg: 0, best: 1, lrs: new Float64Array(60), smooth: new Float64Array(60) } }, /another schedule/],
  ];
  for (const [change, why] of unfit) {
    let started: TrialStart | undefined;
    const out = await trainTrialInMemory(config, { id: 'c', backend: 'wasm', resume: { ...state, ...change }, onStart: (s) => void (started = s) });
    assert.equal(started?.resumed_from, null);
    assert.match(started?.not_resumed ?? '', why);
    assert.deepEqual(out.metrics, plain.metrics, 'from step 0, as if there had been no checkpoint');
    assert.equal(out.summary.resumed_from, undefined);
  }
});

test('a resumed trial\'s times count the earlier run up to its checkpoint: steps/s over every run\'s training', async () => {
  const config = tiny({ steps: 200, every: 100, sample: 0 });
  const { state } = (await withCheckpoints(config, 100)).saved[0]!;
  const earlier = { ...state, time: { ...state.time, seconds: 100, train_seconds: 50, train_cpu_seconds: 40, started_at: '2026-01-01T00:00:00.000Z' } };
  const { summary } = await trainTrialInMemory(config, { id: 'c', backend: 'wasm', resume: earlier });
  assert.equal(summary.started_at, '2026-01-01T00:00:00.000Z');
  assert.ok(summary.seconds > 100 && summary.train_seconds > 50 && summary.train_cpu_seconds! > 40);
  assert.equal(summary.steps_per_s, 200 / summary.train_seconds);
});

test('diagnostics leave the training bit for bit as it was: the same metrics, weights and samples, with rows at 0, N, 2N, …', async () => {
  const cases: { title: string; config: TrialConfig; every: number }[] = [
    { title: 'fused, minibatches, every 7 (chunks end at each)', config: tiny({ steps: 120, every: 50 }), every: 7 },
    { title: 'manual, every 40', config: tiny({ steps: 100, loss: 'manual' }), every: 40 },
    { title: 'full batch, every 3', config: tiny({ steps: 10, batch: 'full' }), every: 3 },
    { title: 'rng: torch, every 25', config: { ...tiny({ steps: 60 }), rng: 'torch' }, every: 25 },
    { title: 'a range test, every 30', config: tiny({ steps: 90, lr: { schedule: 'range', min: 0.01, max: 1 } }), every: 30 },
  ];
  for (const c of cases) {
    const plain = await trainTrialInMemory(c.config, { id: 'plain', backend: 'wasm' });
    const looked = await trainTrialInMemory({ ...c.config, diagnostics: { every: c.every } }, { id: 'looked', backend: 'wasm' });
    assert.deepEqual(looked.metrics, plain.metrics, `${c.title}: metrics`);
    assert.deepEqual(looked.weights, plain.weights, `${c.title}: weights`);
    assert.deepEqual(looked.samples, plain.samples, `${c.title}: samples`);
    assert.equal(plain.diagnostics.length, 0);
    const steps = c.config.train.steps;
    assert.deepEqual(looked.diagnostics.map((d) => d.step), Array.from({ length: Math.ceil(steps / c.every) }, (_, k) => k * c.every), c.title);
    const lrs = new Map(stepRows(plain.metrics).map((r) => [r.step, r.lr]));
    for (const d of looked.diagnostics) assert.equal(d.lr, lrs.get(d.step), `${c.title}: the lr of step ${d.step}`);
  }
});

test("a diverging trial's diagnostics stop where its metrics do", async () => {
  const out = await trainTrialInMemory({ ...tiny({ steps: 200, lr: 50, loss: 'manual' }), diagnostics: { every: 2 } }, { id: 'boom', backend: 'wasm' });
  assert.equal(out.summary.status, 'diverged');
  const last = out.diagnostics.at(-1)!.step;
  assert.ok(last <= out.summary.steps && out.summary.steps - last < 2, `the last diagnostics at ${last}, ${out.summary.steps} steps kept`);
});

/** Every number of two diagnostics rows within `tol` of each other (relative, absolute below 1), histogram counts within 1. */
function assertClose(a: unknown, b: unknown, tol: number, at: string): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${at}: ${a} against ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, at);
    a.forEach((x, i) => (Number.isInteger(x) ? assert.ok(Math.abs(x - (b[i] as number)) <= 1, `${at}[${i}]: ${x} against ${b[i]}`) : assertClose(x, b[i], tol, `${at}[${i}]`)));
  } else if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), at);
    for (const key of Object.keys(a)) assertClose((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], tol, `${at}.${key}`);
  } else {
    assert.equal(a, b, at);
  }
}

for (const batch of [32, 'full'] as const) test(`diagnostics on the kernel engine: TF.js's statistics from the kernel's weights agree with the tfjs engine's within 1e-4, and the metrics are bit for bit those without them (batch ${batch})`, async () => {
  const config = (engine: EngineName, diagnostics: boolean): TrialConfig => {
    const c = tiny({ steps: 95, every: 40, batch, engine });
    return { ...c, model: { ...c.model, init: { W1: 0.2, b1: 0.01, W2: 0.01, b2: 0 } }, ...(diagnostics ? { diagnostics: { every: 30 } } : {}) }; // the scaled init: training is not chaotic in its rounding
  };
  const kernel = await trainTrialInMemory(config('kernel', true), { id: 'd', backend: 'wasm' });
  const tfjs = await trainTrialInMemory(config('tfjs', true), { id: 'd', backend: 'wasm' });
  assert.deepEqual(kernel.diagnostics.map((r) => r.step), [0, 30, 60, 90]);
  assert.deepEqual(kernel.diagnostics.map((r) => r.lr), tfjs.diagnostics.map((r) => r.lr));
  kernel.diagnostics.forEach((row, i) => assertClose(row, tfjs.diagnostics[i], 1e-4, `step ${row.step}`));
  const without = await trainTrialInMemory(config('kernel', false), { id: 'd', backend: 'wasm' });
  assert.deepEqual(without.diagnostics, []);
  assert.deepEqual(kernel.metrics, without.metrics, 'the same rows with diagnostics as without');
  assert.deepEqual(kernel.weights, without.weights);
  assert.deepEqual(kernel.samples, without.samples);
});

for (const engine of ENGINES) test(`the next chunk trains only once the sink's promise for the last one's rows resolves: flow control (${engine} engine)`, async () => {
  const held: (() => void)[] = []; // one per chunk handed to the sink, resolved here one at a time
  const run = trainTrial(tiny({ steps: 40, every: 10, sample: 0, engine }), { id: 'f', backend: 'wasm', onMetrics: () => new Promise<void>((resolve) => held.push(resolve)) });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  for (let chunk = 1; chunk <= 4; chunk++) {
    while (held.length < chunk) await sleep(5);
    await sleep(50); // the other chunks would have trained by now, were the trainer not held
    assert.equal(held.length, chunk, `chunk ${chunk}: the trainer went on while the sink held its rows`);
    held[chunk - 1]!();
  }
  const output = await run;
  assert.equal(output.summary.steps, 40);
});
