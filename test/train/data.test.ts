import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildDataset, buildSplit, loadWords, stoiOf, vocabularyOf, type Dataset, type Split } from '../../src/train/data.js';
import type { ResolvedData } from '../../src/types.js';
import { FIXTURES, SHARED_NAMES } from '../paths.js';

const LECTURE_SPLIT = { train: 0.8, dev: 0.1, test: 0.1 };

/** ResolvedData for a file, hashed as the planner does. */
function fileData(file: string, extra: Partial<ResolvedData> = {}): ResolvedData {
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  return { file, sha256, split: LECTURE_SPLIT, shuffle_seed: 42, ...extra } as ResolvedData;
}
const fixture = (name: string) => path.join(FIXTURES, 'data', name);
const builtin: ResolvedData = { builtin: 'names', split: LECTURE_SPLIT, shuffle_seed: 42 };

/** The split's examples as strings: context characters → target character. */
function windows(split: Split, vocab: string, blockSize: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < split.n; i++) {
    const ctx = Array.from(split.X.subarray(i * blockSize, (i + 1) * blockSize), (ix) => vocab[ix]).join('');
    rows.push(`${ctx} → ${vocab[split.Y[i]!]}`);
  }
  return rows;
}

/** Each split's targets, read back as words: they must be the split's words in order. */
function wordsFromTargets(split: Split, vocab: string): string[] {
  const text = Array.from(split.Y, (ix) => vocab[ix]).join('');
  return text === '' ? [] : text.slice(0, -1).split('.');
}

/** The lecture's build_dataset on strings: the oracle for every split's windows. */
function lectureWindows(words: string[], blockSize: number): string[] {
  const rows: string[] = [];
  for (const w of words) {
    let context = '.'.repeat(blockSize);
    for (const ch of w + '.') {
      rows.push(`${context} → ${ch}`);
      context = context.slice(1) + ch;
    }
  }
  return rows;
}

const examples = (words: string[]) => words.reduce((s, w) => s + w.length + 1, 0);

test("the context windows of 'emma' are the lecture's", () => {
  const vocab = vocabularyOf(['emma']);
  assert.equal(vocab, '.aem');
  const split = buildSplit(['emma'], stoiOf(vocab), 3);
  assert.equal(split.n, 5);
  assert.deepEqual(windows(split, vocab, 3), ['... → e', '..e → m', '.em → m', 'emm → a', 'mma → .']);
});

test('each word starts again from a context of dots', () => {
  const words = ['emma', 'ava', 'olivia'];
  const vocab = vocabularyOf(words);
  const split = buildSplit(words, stoiOf(vocab), 3);
  assert.deepEqual(windows(split, vocab, 3).slice(4, 7), ['mma → .', '... → a', '..a → v']);
  assert.deepEqual(windows(split, vocab, 3), lectureWindows(words, 3));
});

test('context windows of other block sizes slide the same way', async (t) => {
  const cases = [
    { blockSize: 1, rows: ['. → a', 'a → v', 'v → a', 'a → .'] },
    { blockSize: 5, rows: ['..... → a', '....a → v', '...av → a', '..ava → .'] },
  ];
  for (const { blockSize, rows } of cases) {
    await t.test(`block size ${blockSize}`, () => {
      const vocab = vocabularyOf(['ava']);
      const split = buildSplit(['ava'], stoiOf(vocab), blockSize);
      assert.equal(split.X.length, split.n * blockSize);
      assert.deepEqual(windows(split, vocab, blockSize), rows);
    });
  }
});

test('the first five words give the lecture\'s 32 examples and a 13-character vocabulary', async () => {
  const words = await loadWords(fileData(fixture('five.txt')));
  assert.deepEqual(words, ['emma', 'olivia', 'ava', 'isabella', 'sophia']);
  const ds = buildDataset(words, fileData(fixture('five.txt'), { split: { train: 1, dev: 0, test: 0 } }), 3);
  assert.equal(ds.vocab, '.abehilmopsv');
  assert.equal(ds.train.n, 32); // the lecture's X.shape = (32, 3) for the first five words
  assert.deepEqual([ds.dev.n, ds.test.n], [0, 0]);
  assert.deepEqual([...ds.train.words].sort(), [...words].sort());
});

test('split sizes follow n1 = ⌊train·n⌋ and n2 = ⌊(train + dev)·n⌋', async (t) => {
  const cases: { split: { train: number; dev: number; test: number }; sizes: number[]; n?: number }[] = [
    { split: LECTURE_SPLIT, sizes: [8, 1, 1] },
    { split: { train: 0.5, dev: 0.25, test: 0.25 }, sizes: [5, 2, 3] },
    { split: { train: 0.34, dev: 0.33, test: 0.33 }, sizes: [3, 3, 4] },
    { split: { train: 1, dev: 0, test: 0 }, sizes: [10, 0, 0] },
    { split: { train: 0.7, dev: 0.2, test: 0.1 }, sizes: [70, 20, 10], n: 100 }, // 0.7 + 0.2 = 0.8999999999999999 in binary
  ];
  for (const { split, sizes, n = 10 } of cases) {
    await t.test(`${split.train}/${split.dev}/${split.test} of ${n} words`, () => {
      const words = Array.from({ length: n }, (_, i) => `w${i}`);
      const ds = buildDataset(words, { builtin: 'names', split, shuffle_seed: 1 }, 2);
      assert.deepEqual([ds.train.words.length, ds.dev.words.length, ds.test.words.length], sizes);
      for (const s of [ds.train, ds.dev, ds.test]) {
        assert.equal(s.n, examples(s.words));
        assert.deepEqual(wordsFromTargets(s, ds.vocab), s.words);
      }
    });
  }
});

test('the shuffle is a permutation fixed by shuffle_seed', () => {
  const words = Array.from({ length: 200 }, (_, i) => `word${i}`);
  const data = (shuffle_seed: number): ResolvedData => ({ builtin: 'names', split: LECTURE_SPLIT, shuffle_seed });
  const order = (ds: Dataset) => [...ds.train.words, ...ds.dev.words, ...ds.test.words];
  const a = order(buildDataset(words, data(42), 3));
  assert.deepEqual(order(buildDataset(words, data(42), 3)), a);
  assert.deepEqual([...a].sort(), [...words].sort());
  assert.notDeepEqual(a, words);
  assert.notDeepEqual(order(buildDataset(words, data(43), 3)), a);
});

test('a file with blank lines, CRLF endings, a BOM and padding gives only its words', async () => {
  const words = await loadWords(fileData(fixture('blank-lines.txt')));
  assert.deepEqual(words, ['emma', 'olivia', 'ava', 'zoë']);
  assert.equal(vocabularyOf(words), '.aeilmovzë'); // characters outside a–z join the vocabulary, sorted after z
});

test('slice.first keeps the first N words before the shuffle, and the vocabulary of all of them', async () => {
  const data = fileData(fixture('five.txt'), { slice: { first: 2 }, split: { train: 1, dev: 0, test: 0 } });
  const two = buildDataset(await loadWords(data), data, 3);
  assert.deepEqual([...two.train.words].sort(), ['emma', 'olivia']);
  assert.equal(two.vocab, '.abehilmopsv'); // from all five words, as the lecture's stoi
  const past = fileData(fixture('five.txt'), { slice: { first: 50 }, split: { train: 1, dev: 0, test: 0 } });
  assert.equal(buildDataset(await loadWords(past), past, 3).train.words.length, 5);
  const names = { ...builtin, slice: { first: 3 }, split: { train: 1, dev: 0, test: 0 } } as ResolvedData;
  const ds = buildDataset(await loadWords(names), names, 3);
  assert.deepEqual([...ds.train.words].sort(), ['aaren', 'aarika', 'aaron']);
  assert.equal(ds.vocab.length, 27);
});

test('the built-in names load offline and build a 27-character vocabulary', async () => {
  const words = await loadWords(builtin);
  const ds = buildDataset(words, builtin, 3);
  assert.equal(ds.vocab, '.abcdefghijklmnopqrstuvwxyz');
  assert.equal(ds.train.n + ds.dev.n + ds.test.n, examples(words));
});

test('a word containing the start/end token is refused at its file:line:col', async () => {
  const file = fixture('dots.txt');
  await assert.rejects(loadWords(fileData(file)), (err: Error) => {
    assert.match(err.message, new RegExp(`^${escape(file)}:2:3: data.file: expected a word without "\\." .*found "st\\.john"`));
    assert.match(err.message, new RegExp(`\\n${escape(file)}:5:3: data.file: .*found "mr\\.x"`));
    return true;
  });
});

test('a file changed since it was planned is refused, naming both hashes', async () => {
  const data = { ...fileData(fixture('five.txt')), sha256: 'f'.repeat(64) } as ResolvedData;
  await assert.rejects(loadWords(data), /five\.txt: data\.file: expected content with sha256 f{64} \(as planned\), found [0-9a-f]{64}/);
});

test('buildDataset refuses what it cannot window', () => {
  assert.throws(() => buildDataset([], builtin, 3), /expected at least one word, found none/);
  assert.throws(() => buildDataset(['a.b'], builtin, 3), /word 0: expected a word without "\."/);
  assert.throws(() => buildDataset(['ab'], builtin, 0), /model\.block_size: expected a positive integer, found 0/);
});

test('names.txt gives the lecture\'s vocabulary, 228,146 examples and an 80/10/10 split', { skip: !existsSync(SHARED_NAMES) && 'no ../shared/data/names.txt' }, async () => {
  const data = fileData(SHARED_NAMES);
  const words = await loadWords(data);
  assert.equal(words.length, 32033);
  assert.deepEqual(words.slice(0, 5), ['emma', 'olivia', 'ava', 'isabella', 'sophia']);
  const ds = buildDataset(words, data, 3);
  assert.equal(ds.vocab, '.abcdefghijklmnopqrstuvwxyz');
  assert.deepEqual([ds.train.words.length, ds.dev.words.length, ds.test.words.length], [25626, 28829 - 25626, 32033 - 28829]);
  assert.equal(ds.train.n + ds.dev.n + ds.test.n, 228146);
  for (const s of [ds.train, ds.dev, ds.test]) {
    assert.equal(s.n, examples(s.words));
    assert.equal(s.X.length, s.n * 3);
    assert.deepEqual(windows(s, ds.vocab, 3), lectureWindows(s.words, 3));
  }
  const first = buildDataset(words, { ...data, slice: { first: 5 }, split: { train: 1, dev: 0, test: 0 } } as ResolvedData, 3);
  assert.equal(first.train.n, 32); // the lecture's first five words: X.shape = (32, 3) …
  assert.equal(first.vocab.length, 27); // … over the 27 characters of all the words
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
