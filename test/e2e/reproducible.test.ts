import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { BackendName } from '../../src/types.js';
import { trainTrialInMemory } from '../../src/train/trial.js';
import type { TrialConfig } from '../../src/types.js';
import type { EngineName } from '../../src/config/schema.js';

function tiny(seed: number, rng: TrialConfig['rng'] = 'streams', engine: EngineName = 'kernel'): TrialConfig {
  return {
    seed,
    rng,
    data: { builtin: 'names', slice: { first: 200 }, split: { train: 0.8, dev: 0.1, test: 0.1 }, shuffle_seed: 42 },
    model: { block_size: 3, embed_dim: 4, hidden: 16 },
    loss: 'fused',
    engine,
    train: { steps: 150, batch_size: 16, lr: { schedule: 'cosine', start: 0.2, end: 0.01, warmup: 10 } },
    eval: { every: 50, splits: ['train', 'dev'] },
    sample: 5,
  };
}

/** What metrics.jsonl holds: one JSON object a line. */
async function run(seed: number, backend: BackendName, rng: TrialConfig['rng'] = 'streams', engine: EngineName = 'kernel') {
  const out = await trainTrialInMemory(tiny(seed, rng, engine), { id: 'r', backend });
  assert.equal(out.summary.engine, engine);
  const steps = out.metrics.filter((m) => 'lr' in m);
  return { jsonl: out.metrics.map((m) => JSON.stringify(m)).join('\n') + '\n', steps: JSON.stringify(steps), samples: out.samples, weights: JSON.stringify(out.weights) };
}

for (const engine of ['kernel', 'tfjs'] as const) {
  for (const backend of ['wasm', 'cpu'] as const) {
    test(`the same configuration and seed on the ${engine} engine and the ${backend} backend give byte-identical metrics.jsonl, samples and weights`, async () => {
      const a = await run(7, backend, 'streams', engine);
      const b = await run(7, backend, 'streams', engine);
      assert.equal(a.jsonl, b.jsonl);
      assert.deepEqual(a.samples, b.samples);
      assert.equal(a.weights, b.weights);
    });
  }
}

test('another seed gives other metrics and other samples', async () => {
  const a = await run(7, 'wasm');
  const b = await run(8, 'wasm');
  assert.notEqual(a.jsonl, b.jsonl);
  assert.notDeepEqual(a.samples, b.samples);
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('the tfjs engine with the default rng gives the metrics.jsonl, samples and weights it gave before rng: torch and the kernel existed', async () => {
  // Recorded with run-exp at commit 2aa82b7 (before #12) for tiny(7): a change here changes every result of engine: tfjs.
  const golden = {
    wasm: { jsonl: '66c9774a8c7dbc3d1405ce861cf000b3397a7fdd58bef71aa80b60ee8d728e5f', weights: 'f95f14ffaac52b32618d1f298d304a30601354eff41a0ac8d2f2b4f673ef0ef4' },
    cpu: { jsonl: '4d481eee258f80b17f1d80d0c29d48c6ef52dc62568ca4ac9694374b1c81806e', weights: 'd921cd7db5190c6d9001ea7573525f23cc77bee08a3d7821b7cfad871198d4f1' },
  };
  for (const backend of ['wasm', 'cpu'] as const) {
    const out = await run(7, backend, 'streams', 'tfjs');
    assert.equal(sha256(out.jsonl), golden[backend].jsonl, `${backend}: metrics.jsonl`);
    assert.equal(sha256(out.weights), golden[backend].weights, `${backend}: weights`);
    assert.deepEqual(out.samples, ['ada', 'ai', 'abaiaiilgy', 'aisn', 'abagaeet']);
  }
});

test('the kernel engine gives the metrics.jsonl and weights it gave when it became the default; its steps do not depend on the backend', async () => {
  // Recorded when the kernel became the default engine (#18) for tiny(7): a change here changes every kernel result.
  // The kernel trains alone (TensorFlow.js only evaluates and samples), so its step rows and weights are the same bits
  // on either backend; the evaluations and samples are the backend's.
  const golden = { steps: 'ac44878007df1e701f96cdb6367e35501235aa5ca761bfa095f6b5ee96beb40e', weights: '3afd952ccc6398ac93bb122b549c3918fb3211a33e3c9f68e168db47861908b0', jsonl: { wasm: 'e3c0e429c4165c69f4f2aa847849d97bc072e957358cf8353234e0df5bec7850', cpu: '340a1105638cd4a04af21855ba696ff1fd1e967bd9db99e5fc1ee51d3a0352b2' } };
  for (const backend of ['wasm', 'cpu'] as const) {
    const out = await run(7, backend);
    assert.equal(sha256(out.steps), golden.steps, `${backend}: the step rows`);
    assert.equal(sha256(out.weights), golden.weights, `${backend}: weights`);
    assert.equal(sha256(out.jsonl), golden.jsonl[backend], `${backend}: metrics.jsonl`);
  }
});

for (const engine of ['kernel', 'tfjs'] as const) {
  test(`rng: torch is reproducible on the ${engine} engine too, and draws other weights, batches and samples than the default`, async () => {
    const a = await run(7, 'wasm', 'torch', engine);
    const b = await run(7, 'wasm', 'torch', engine);
    assert.equal(a.jsonl, b.jsonl);
    assert.deepEqual(a.samples, b.samples);
    assert.equal(a.weights, b.weights);
    const streams = await run(7, 'wasm', 'streams', engine);
    assert.notEqual(a.jsonl, streams.jsonl);
    assert.notEqual(a.weights, streams.weights);
  });
}
