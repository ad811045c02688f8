import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/train/backend.js';

const hasTfjsNode = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

const forced = [
  { requested: 'wasm', name: 'wasm', detail: /tfjs-backend-wasm \d+\.\d+\.\d+ \((no )?simd, 1 thread\)/ },
  { requested: 'cpu', name: 'cpu', detail: /tfjs-backend-cpu \d+\.\d+\.\d+/ },
] as const;

test('a forced backend is the one that runs, in prod mode, and says its versions', async (t) => {
  for (const { requested, name, detail } of forced) {
    await t.test(requested, async () => {
      const info = await initBackend(requested);
      assert.equal(info.name, name);
      assert.equal(tf.getBackend(), name);
      assert.match(info.version, new RegExp(`^tfjs ${tf.version_core.replace(/\./g, '\\.')}, `));
      assert.match(info.version, detail);
      assert.equal(tf.env().getBool('PROD'), true);
    });
  }
});

test('auto takes tfjs-node when it is installed, and WASM otherwise', async () => {
  const info = await initBackend('auto');
  assert.equal(info.name, hasTfjsNode ? 'tensorflow' : 'wasm');
});

test('forcing node without tfjs-node installed fails with a message naming --backend', { skip: hasTfjsNode }, async () => {
  await assert.rejects(initBackend('node'), /--backend: expected a usable backend "node", found that @tensorflow\/tfjs-node did not load/);
});

test('an unknown backend name is not recognised', async () => {
  await assert.rejects(initBackend('gpu' as never), /--backend: expected auto, node, wasm or cpu, found "gpu": not recognised/);
});

test('switching backends back and forth keeps computing the same numbers', async () => {
  const results: number[][] = [];
  for (const name of ['wasm', 'cpu', 'wasm'] as const) {
    await initBackend(name);
    results.push(Array.from(tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]))).dataSync()));
  }
  assert.deepEqual(results, [[17, 39], [17, 39], [17, 39]]);
});
