// checkpoint.json: written whole, read back with every bit, and refused (with the reason) when damaged or not this trial's.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkpointFile, readCheckpoint, writeCheckpoint, type MetricsMark } from '../../src/store/checkpoint.js';
import { paramShapes } from '../../src/train/shapes.js';
import { Rng } from '../../src/rng/streams.js';
import { TorchGenerator } from '../../src/rng/torch.js';
import type { TrainState, Trial } from '../../src/types.js';
import { fixturePlan, tempOut } from '../e2e/helpers.js';

const trial: Trial = fixturePlan('ckpt', [{ behave: 'ok' }]).trials[0]!; // model: embed 2, hidden 16, block 3; train.steps 20
const VOCAB = '.abcdefghijklmnopqrstuvwxyz';
const mark: MetricsMark = { rows: 12, bytes: 480, last_line: '{"step":9,"split":"dev","loss":2.5}' };

/** A state of the trial's shapes whose numbers need every bit: float32 weights with −0, subnormals and extremes, float64 doubles. */
function state(over: Partial<TrainState> = {}): TrainState {
  const shapes = paramShapes(VOCAB.length, trial.config.model);
  const weights = Object.fromEntries(
    Object.entries(shapes).map(([name, shape]) => {
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < values.length; i++) values[i] = Math.fround(Math.sin(i * 7.3) * 10 ** ((i % 9) - 4));
      values[0] = -0;
      values[1] = 1.4e-45; // the least subnormal
      values[2] = 3.4028234663852886e38; // the largest float32
      return [name, values];
    }),
  );
  const rng = new Rng(7);
  rng.normal(); // a Box–Muller value held back
  return {
    step: 10,
    weights,
    draws: { rng: 'streams', init: new Rng(1).getState(), batch: rng.getState(), sample: new Rng(3).getState() },
    first_loss: 3.2958368660043291,
    final: { train_loss: 2.5000000000000004, dev_loss: null, test_loss: null },
    last_eval_step: 10,
    range_test: null,
    time: { seconds: 1.25, train_seconds: 0.5, train_cpu_seconds: 0.75, peak_bytes: 123456789, started_at: '2026-12-07T12:00:00.000Z' },
    backend: 'wasm',
    engine: 'tfjs',
    vocab: VOCAB,
    ...over,
  };
}

async function written(s: TrainState = state()) {
  const dir = path.join(await tempOut(), trial.id);
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  await writeCheckpoint(dir, trial, s, mark);
  return dir;
}

const bits = (a: Float32Array | Float64Array | Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

describe('checkpoint.json', () => {
  it('reads back every float32 weight and float64 with its bits, the generators and the metrics mark', async () => {
    const s = state();
    const read = await readCheckpoint(await written(s), trial);
    assert.equal(read.kind, 'found');
    if (read.kind !== 'found') return;
    assert.deepEqual(read.checkpoint.metrics, mark);
    assert.equal(read.checkpoint.step, 10);
    for (const name of Object.keys(s.weights)) assert.equal(bits(read.checkpoint.state.weights[name]!), bits(s.weights[name]!), name);
    assert.ok(Object.is(read.checkpoint.state.weights['C']![0], -0));
    assert.deepEqual(read.checkpoint.state.draws, s.draws);
    assert.deepEqual({ ...read.checkpoint.state, weights: null }, { ...s, weights: null });
  });

  it('keeps the torch generator (624 words, its index, the cached normal) and a range test\'s arrays, NaN and −0 included', async () => {
    const g = new TorchGenerator(2147483647);
    g.randn(new Float32Array(3)); // scalar path: a normal held back
    const lrs = Float64Array.from({ length: 10 }, (_, i) => 1e-3 * 1.7 ** i);
    const smooth = Float64Array.from({ length: 10 }, (_, i) => (i === 9 ? Number.NaN : 3 - i / 7));
    const s = state({ draws: { rng: 'torch', generator: g.getState(), sample: new TorchGenerator(2147483657).getState() }, range_test: { avg: -0, best: Number.POSITIVE_INFINITY, lrs, smooth } });
    const torchTrial = { ...trial, config: { ...trial.config, rng: 'torch' as const, train: { ...trial.config.train, lr: { schedule: 'range' as const, min: 1e-3, max: 1 } } } };
    const dir = path.join(await tempOut(), trial.id);
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    await writeCheckpoint(dir, torchTrial, s, mark);
    const read = await readCheckpoint(dir, torchTrial);
    assert.equal(read.kind, 'found', JSON.stringify(read));
    if (read.kind !== 'found') return;
    const back = read.checkpoint.state;
    assert.equal(back.draws.rng, 'torch');
    if (back.draws.rng !== 'torch' || s.draws.rng !== 'torch') return;
    assert.equal(bits(back.draws.generator.words), bits(s.draws.generator.words));
    assert.deepEqual([back.draws.generator.index, back.draws.generator.normal], [s.draws.generator.index, s.draws.generator.normal]);
    const restored = new TorchGenerator(0);
    restored.setState(back.draws.generator);
    assert.deepEqual(Array.from(restored.randn(new Float32Array(40))), Array.from(g.randn(new Float32Array(40))), 'the generator goes on with the same draws');
    assert.equal(bits(back.range_test!.lrs), bits(lrs));
    assert.equal(bits(back.range_test!.smooth), bits(smooth));
    assert.ok(Object.is(back.range_test!.avg, -0) && back.range_test!.best === Number.POSITIVE_INFINITY);
  });

  it('is not used, with the reason, when damaged, of another trial or configuration, or of the wrong sizes', async (t) => {
    const cases: [string, (file: string) => Promise<void>, Trial, RegExp][] = [
      ['cut short', async (f) => writeFile(f, (await readFile(f, 'utf8')).slice(0, 1000)), trial, /^it is not whole JSON/],
      ['a changed byte', async (f) => writeFile(f, (await readFile(f, 'utf8')).replace('"step":10', '"step":11')), trial, /sha256 does not match its content/],
      ['empty', async (f) => writeFile(f, ''), trial, /not whole JSON/],
      ['another trial\'s', async () => {}, { ...trial, id: 'other' }, /it is trial t0-ok's, not other's/],
      ['another configuration', async () => {}, { ...trial, config: { ...trial.config, seed: 99 } }, /another configuration of this trial id/],
      ['another model', async () => {}, { ...trial, config: { ...trial.config, model: { ...trial.config.model, hidden: 17 } } }, /another configuration/],
    ];
    for (const [name, damage, asked, reason] of cases) {
      await t.test(name, async () => {
        const dir = await written();
        await damage(checkpointFile(dir));
        const read = await readCheckpoint(dir, asked);
        assert.equal(read.kind, 'unusable');
        assert.match(read.kind === 'unusable' ? read.reason : '', reason);
      });
    }
    await t.test('weights of another shape (the hash and the configuration fit)', async () => {
      const s = state();
      s.weights['b1'] = new Float32Array(15);
      const read = await readCheckpoint(await written(s), trial);
      assert.deepEqual(read, { kind: 'unusable', reason: 'its b1 has 15 values, expected 16 (shape [16])' });
    });
  });

  it("holds where diagnostics.jsonl stood for a trial with diagnostics, and is not used by one without that mark", async () => {
    const looked: Trial = { ...trial, config: { ...trial.config, diagnostics: { every: 5 } } };
    const marked = path.join(await tempOut(), looked.id);
    await import('node:fs/promises').then((fs) => fs.mkdir(marked, { recursive: true }));
    const diagnostics = { rows: 2, bytes: 1900, last_line: '{"step":5}' };
    await writeCheckpoint(marked, looked, state(), mark, diagnostics);
    const read = await readCheckpoint(marked, looked);
    assert.deepEqual(read.kind === 'found' ? [read.checkpoint.metrics, read.checkpoint.diagnostics] : read, [mark, diagnostics]);
    const unmarked = path.join(await tempOut(), looked.id);
    await import('node:fs/promises').then((fs) => fs.mkdir(unmarked, { recursive: true }));
    await writeCheckpoint(unmarked, looked, state(), mark);
    assert.deepEqual(await readCheckpoint(unmarked, looked), { kind: 'unusable', reason: 'it does not say where diagnostics.jsonl stood' });
  });

  it('is none when the trial has none', async () => {
    assert.deepEqual(await readCheckpoint(path.join(await tempOut(), 'x'), trial), { kind: 'none' });
  });
});
