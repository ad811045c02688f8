import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackendName } from '../../src/types.js';
import { trainTrialInMemory } from '../../src/train/trial.js';
import type { TrialConfig } from '../../src/types.js';

function tiny(seed: number): TrialConfig {
  return {
    seed,
    data: { builtin: 'names', slice: { first: 200 }, split: { train: 0.8, dev: 0.1, test: 0.1 }, shuffle_seed: 42 },
    model: { block_size: 3, embed_dim: 4, hidden: 16 },
    loss: 'fused',
    train: { steps: 150, batch_size: 16, lr: { schedule: 'cosine', start: 0.2, end: 0.01, warmup: 10 } },
    eval: { every: 50, splits: ['train', 'dev'] },
    sample: 5,
  };
}

/** What metrics.jsonl holds: one JSON object a line. */
async function run(seed: number, backend: BackendName) {
  const out = await trainTrialInMemory(tiny(seed), { id: 'r', backend });
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
