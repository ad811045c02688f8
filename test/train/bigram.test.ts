import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { bigramLoss } from '../../src/train/bigram.js';
import { vocabularyOf } from '../../src/train/data.js';
import { SHARED_NAMES } from '../paths.js';

const cases = [
  // 'ab' → bigrams .a ab b.; every row holds one count of 1 among 3 columns.
  { words: ['ab'], vocab: '.ab', smoothing: 0, loss: 0 },
  { words: ['ab'], vocab: '.ab', smoothing: 1, loss: Math.log(2) }, // each P = (1 + 1) / (1 + 3)
  { words: ['ab'], vocab: '.abc', smoothing: 1, loss: -Math.log(2 / 5) }, // an unused character widens every row
  // 'ab', 'a' → .a ab b. .a a.: row '.' = [0, 2, 0], row 'a' = [1, 0, 1], row 'b' = [1, 0, 0].
  { words: ['ab', 'a'], vocab: '.ab', smoothing: 0, loss: (2 * Math.log(2)) / 5 },
  {
    words: ['ab', 'a'],
    vocab: '.ab',
    smoothing: 1,
    loss: -(2 * Math.log(3 / 5) + Math.log(2 / 5) + Math.log(2 / 4) + Math.log(2 / 5)) / 5,
  },
];

test('the bigram loss of tiny word lists matches the hand computation', async (t) => {
  for (const { words, vocab, smoothing, loss } of cases) {
    await t.test(`${JSON.stringify(words)} over ${JSON.stringify(vocab)}, smoothing ${smoothing}`, () => {
      const got = bigramLoss(words, vocab, smoothing);
      assert.ok(Math.abs(got - loss) < 1e-12, `${got} ≠ ${loss}`);
    });
  }
});

test('the default smoothing is the lecture\'s +1', () => {
  assert.equal(bigramLoss(['ab', 'a'], '.ab'), bigramLoss(['ab', 'a'], '.ab', 1));
});

test('overwhelming smoothing tends to the uniform loss ln V', () => {
  const loss = bigramLoss(['emma', 'olivia', 'ava'], '.aeilmov', 1e9);
  assert.ok(Math.abs(loss - Math.log(8)) < 1e-6, `${loss} vs ln 8 = ${Math.log(8)}`);
});

test('a character outside the vocabulary, or no words, is refused', () => {
  assert.throws(() => bigramLoss(['abz'], '.ab'), /expected a character of the vocabulary, found "z" in "abz"/);
  assert.throws(() => bigramLoss([], '.ab'), /expected at least one word, found none/);
  assert.throws(() => bigramLoss(['ab'], '.ab', -1), /smoothing: expected a number ≥ 0, found -1/);
});

test("on all of names.txt the +1-smoothed bigram loss is the lecture's 2.4544", { skip: !existsSync(SHARED_NAMES) && 'no ../shared/data/names.txt' }, (t) => {
  const words = readFileSync(SHARED_NAMES, 'utf8').split('\n').filter((w) => w !== '');
  const vocab = vocabularyOf(words);
  const smoothed = bigramLoss(words, vocab);
  const unsmoothed = bigramLoss(words, vocab, 0);
  t.diagnostic(`bigram loss on 32,033 names: ${smoothed} (+1), ${unsmoothed} (no smoothing)`);
  // The lecture sums 228,146 float32 log-probabilities one at a time and prints nll/n = 559951.5625/228146 = 2.45436;
  // summed in float64 the same model gives 2.45458. Within 5e-4 covers that rounding and nothing else.
  assert.ok(Math.abs(smoothed - 2.4544) < 5e-4, `${smoothed}`);
  assert.ok(unsmoothed < smoothed && smoothed - unsmoothed < 1e-3, `smoothing costs little: ${unsmoothed} vs ${smoothed}`);
});
