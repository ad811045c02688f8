// The Mersenne Twister against its authors' reference output: both seedings (init_genrand, PyTorch's; init_by_array,
// CPython's) and the word stream they start, through several regenerations of the state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mt19937 } from '../../src/rng/mt19937.js';

test('init_by_array({0x123, 0x234, 0x345, 0x456}) starts the stream of mt19937ar.out', () => {
  const g = Mt19937.fromKey([0x123, 0x234, 0x345, 0x456]);
  assert.deepEqual([1, 2, 3, 4, 5].map(() => g.next()), [1067595299, 955945823, 477289528, 4107218783, 4228976476]);
});

test('init_genrand(5489), the default seed, gives 3499211612 first and 4123659995 as its 10,000th word (C++ std::mt19937)', () => {
  const g = Mt19937.fromSeed(5489);
  const words = Array.from({ length: 10_000 }, () => g.next()); // 16 regenerations of the 624-word state
  assert.equal(words[0], 3499211612);
  assert.equal(words[9_999], 4123659995);
  assert.ok(words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32));
});

test('a seed is taken as a 32-bit word, and the two seedings of one number differ', () => {
  assert.equal(Mt19937.fromSeed(2 ** 32 + 7).next(), Mt19937.fromSeed(7).next());
  assert.notEqual(Mt19937.fromKey([7]).next(), Mt19937.fromSeed(7).next());
});
