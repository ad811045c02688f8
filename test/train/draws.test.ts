import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shuffleWords, torchSampleGenerator, trialDraws } from '../../src/train/draws.js';
import { Rng, streamSeed } from '../../src/rng/streams.js';
import { PythonRandom } from '../../src/rng/python.js';
import { TorchGenerator } from '../../src/rng/torch.js';

test('in torch mode the minibatches continue the generator that drew the initial weights, as in the lecture', () => {
  const draws = trialDraws(2147483647, 'torch');
  assert.equal(draws.init, draws.batch);
  draws.init.fillNormal(new Float32Array(54));
  const batch = draws.batch.fillInt(new Int32Array(32), 1000);
  const g = new TorchGenerator(2147483647);
  g.randn(new Float32Array(54));
  assert.deepEqual(batch, g.fillInt(new Int32Array(32), 1000));
  assert.notDeepEqual(batch, new TorchGenerator(2147483647).fillInt(new Int32Array(32), 1000)); // not a fresh generator
});

test('in streams mode the minibatches do not depend on how many initial weights were drawn', () => {
  const a = trialDraws(7, 'streams');
  const b = trialDraws(7, 'streams');
  a.init.fillNormal(new Float32Array(11897));
  assert.notEqual(a.init, a.batch);
  assert.deepEqual(a.batch.fillInt(new Int32Array(32), 1000), b.batch.fillInt(new Int32Array(32), 1000));
  assert.deepEqual(b.batch.fillInt(new Int32Array(4), 1000), new Rng(streamSeed(7, 'batch')).fillInt(new Int32Array(36), 1000).subarray(32));
});

test('the sampler seeds its own generator with seed + 10, modulo 2^32', () => {
  assert.equal(torchSampleGenerator(2147483647).random(), new TorchGenerator(2147483657).random());
  assert.equal(torchSampleGenerator(2 ** 32 - 5).random(), new TorchGenerator(5).random());
});

test("the word shuffle is CPython's in torch mode and the 'shuffle' stream otherwise", () => {
  const words = Array.from({ length: 50 }, (_, i) => `w${i}`);
  assert.deepEqual(shuffleWords([...words], 42, 'torch'), new PythonRandom(42).shuffle([...words]));
  assert.deepEqual(shuffleWords([...words], 42, 'streams'), new Rng(streamSeed(42, 'shuffle')).shuffle([...words]));
  assert.notDeepEqual(shuffleWords([...words], 42, 'torch'), shuffleWords([...words], 42, 'streams'));
});
