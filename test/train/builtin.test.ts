import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinWords } from '../../src/train/builtin.js';

test('the built-in names are many, lower-case letters only, and unique', (t) => {
  const words = builtinWords('names');
  t.diagnostic(`${words.length} built-in names`);
  assert.ok(words.length > 8000, `${words.length} names`);
  const bad = words.filter((w) => !/^[a-z]+$/.test(w));
  assert.deepEqual(bad, []);
  assert.equal(new Set(words).size, words.length);
});

test('the built-in names merge both lists and drop hyphenated ones', () => {
  const words = new Set(builtinWords('names'));
  for (const name of ['emma', 'olivia', 'ava', 'sophia', 'aaron', 'john', 'zuzana']) assert.ok(words.has(name), name);
  for (const name of ['anne-marie', 'helenelizabeth', 'Emma']) assert.ok(!words.has(name), name);
});

test('the built-in names come in sorted order, the same on every call', () => {
  const a = builtinWords('names');
  assert.deepEqual(a, [...a].sort());
  a.reverse(); // a caller's changes must not leak into the next call
  const b = builtinWords('names');
  assert.deepEqual(b.slice(0, 3), ['aaren', 'aarika', 'aaron']);
  assert.deepEqual(b, [...a].reverse());
});

test('an unknown built-in list is not recognised', () => {
  assert.throws(() => builtinWords('cities' as 'names'), /data\.builtin: expected "names", found "cities": not recognised/);
});
