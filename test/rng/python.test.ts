import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { builtinWords } from '../../src/train/builtin.js';
import { PythonRandom } from '../../src/rng/python.js';
import { PYTHON } from './reference.js';

const SEEDS = ['42', '0', '2147483647', '1099511627781', '-7'] as const; // 2^40 + 5 takes two 32-bit words; −7 is |−7|

test('getrandbits, random() and shuffle match CPython for one-word, two-word, zero and negative seeds', async (t) => {
  for (const seed of SEEDS) {
    await t.test(`random.seed(${seed})`, () => {
      const ref = PYTHON[seed];
      const r = new PythonRandom(Number(seed));
      assert.deepEqual([0, 1, 2, 3].map(() => r.getrandbits(32)), ref.getrandbits32);
      assert.deepEqual([1, 5, 17, 31, 32].map((k) => r.getrandbits(k)), ref.getrandbits_k);
      const fresh = new PythonRandom(Number(seed));
      assert.deepEqual([0, 1, 2].map(() => fresh.random()), ref.random);
      const xs = Array.from({ length: 20 }, (_, i) => i);
      assert.equal(new PythonRandom(Number(seed)).shuffle(xs), xs);
      assert.deepEqual(xs, ref.shuffle_20);
    });
  }
});

test("random.seed(42); random.shuffle(words) on the lecture's names gives the lecture's order", () => {
  const ref = PYTHON.names_seed_42;
  const first5 = builtinWords('makemore').slice(0, 5);
  new PythonRandom(42).shuffle(first5);
  assert.deepEqual(first5, ref.first5_shuffled);
  const words = new PythonRandom(42).shuffle(builtinWords('makemore'));
  assert.deepEqual(words.slice(0, 8), ref.shuffled_head);
  assert.equal(createHash('sha256').update(words.join('\n')).digest('hex'), ref.sha256_shuffled);
});

test('randbelow rejects the draws at or above n instead of folding them (no modulo bias)', () => {
  // n = 3: 2-bit draws, of which 3 is rejected; over many draws 0, 1 and 2 come equally often.
  const r = new PythonRandom(1);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30000; i++) counts[r.randbelow(3)]!++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `counts ${counts.join(', ')}`);
  assert.throws(() => r.randbelow(0), /n: expected an integer in \[1, 2\^32\), found 0/);
  assert.throws(() => r.getrandbits(33), /k: expected an integer in \[0, 32\], found 33/);
});
