import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { BackendName } from '../../src/types.js';
import { trainTrialInMemory } from '../../src/train/trial.js';
import type { TrialConfig } from '../../src/types.js';

function tiny(seed: number, rng: TrialConfig['rng'] = 'streams'): TrialConfig {
  return {
    seed,
    rng,
    data: { builtin: 'names', slice: { first: 200 }, split: { train: 0.8, dev: 0.1, test: 0.1 }, shuffle_seed: 42 },
    model: { block_size: 3, embed_dim: 4, hidden: 16 },
    loss: 'fused',
    engine: 'tfjs',
    train: { steps: 150, batch_size: 16, lr: { schedule: 'cosine', start: 0.2, end: 0.01, warmup: 10 } },
    eval: { every: 50, splits: ['train', 'dev'] },
    sample: 5,
  };
}

/** What metrics.jsonl holds: one JSON object a line. */
async function run(seed: number, backend: BackendName, rng: TrialConfig['rng'] = 'streams') {
  const out = await trainTrialInMemory(tiny(seed, rng), { id: 'r', backend });
  return { jsonl: out.metrics.map((m) => JSON.stringify(m)).join('\n') + '\n', samples: out.samples, weights: JSON.stringify(out.weights) };
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`the same configuration and seed on ${backend} give byte-identical metrics.jsonl, samples and weights`, async () => {
    const a = await run(7, backend);
    const b = await run(7, backend);
    assert.equal(a.jsonl, b.jsonl);
    assert.deepEqual(a.samples, b.samples);
    assert.equal(a.weights, b.weights);
  });
}

test('another seed gives other metrics and other samples', async () => {
  const a = await run(7, 'wasm');
  const b = await run(8, 'wasm');
  assert.notEqual(a.jsonl, b.jsonl);
  assert.notDeepEqual(a.samples, b.samples);
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('the default rng gives the metrics.jsonl, samples and weights it gave before rng: torch existed', async () => {
  // Recorded with run-exp at commit 2aa82b7 (before #12) for tiny(7): a change here changes every default-mode result.
  const golden = {
    wasm: { jsonl: '66c9774a8c7dbc3d1405ce861cf000b3397a7fdd58bef71aa80b60ee8d728e5f', weights: 'f95f14ffaac52b32618d1f298d304a30601354eff41a0ac8d2f2b4f673ef0ef4' },
    cpu: { jsonl: '4d481eee258f80b17f1d80d0c29d48c6ef52dc62568ca4ac9694374b1c81806e', weights: 'd921cd7db5190c6d9001ea7573525f23cc77bee08a3d7821b7cfad871198d4f1' },
  };
  for (const backend of ['wasm', 'cpu'] as const) {
    const out = await run(7, backend);
    assert.equal(sha256(out.jsonl), golden[backend].jsonl, `${backend}: metrics.jsonl`);
    assert.equal(sha256(out.weights), golden[backend].weights, `${backend}: weights`);
    assert.deepEqual(out.samples, ['ada', 'ai', 'abaiaiilgy', 'aisn', 'abagaeet']);
  }
});

test('rng: torch is reproducible too, and draws other weights, batches and samples than the default', async () => {
  const a = await run(7, 'wasm', 'torch');
  const b = await run(7, 'wasm', 'torch');
  assert.equal(a.jsonl, b.jsonl);
  assert.deepEqual(a.samples, b.samples);
  assert.equal(a.weights, b.weights);
  const streams = await run(7, 'wasm');
  assert.notEqual(a.jsonl, streams.jsonl);
  assert.notEqual(a.weights, streams.weights);
});
