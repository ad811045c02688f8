import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { builtinWords, MAKEMORE_FILE } from '../../src/train/builtin.js';
import { ROOT } from '../paths.js';

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

test("the makemore list is the lecture's names.txt: 32,033 names in its order, read from the package", async () => {
  const words = builtinWords('makemore');
  assert.equal(words.length, 32033);
  assert.deepEqual(words.slice(0, 5), ['emma', 'olivia', 'ava', 'isabella', 'sophia']);
  assert.equal(words.at(-1), 'zzyzx');
  // The same bytes as the makemore repository's names.txt (sha256 of that file).
  const bytes = await readFile(MAKEMORE_FILE);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), '0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d');
  assert.equal(words.join('\n'), bytes.toString('utf8'));
  words.length = 0; // a caller's changes must not leak into the next call
  assert.equal(builtinWords('makemore').length, 32033);
});

test('the makemore list ships with its licence notice, and both are in the npm package', async () => {
  const licence = await readFile(path.join(ROOT, 'data', 'makemore.LICENSE'), 'utf8');
  for (const phrase of ['MIT License', 'Copyright (c) 2022 Andrej Karpathy', 'Social Security', 'data/makemore.txt']) {
    assert.ok(licence.includes(phrase), phrase);
  }
  const pack = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
  const files = (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  assert.ok(files.includes('data/makemore.txt') && files.includes('data/makemore.LICENSE'), files.filter((f) => f.startsWith('data')).join(', '));
});

test('an unknown built-in list is not recognised', () => {
  assert.throws(() => builtinWords('cities' as 'names'), /data\.builtin: expected "names" or "makemore", found "cities": not recognised/);
});
