// The bigram reference: the loss of a count-based bigram model, the floor an MLP with context should beat.
import { stoiOf } from './data.js';

/**
 * Mean negative log-likelihood of a count-based bigram model fit on `trainWords` and evaluated on the same words,
 * as in makemore part 1: N[a, b] counts of b following a over '.' + word + '.', P = (N + smoothing) normalised by row,
 * loss = −mean log P[a, b] over every bigram of every word (Σ (len + 1) of them). The lecture's +1 smoothing
 * gives ≈ 2.4544 on all 32,033 names.
 */
export function bigramLoss(trainWords: readonly string[], vocab: string, smoothing = 1): number {
  if (!(smoothing >= 0)) throw new RangeError(`bigramLoss: smoothing: expected a number ≥ 0, found ${smoothing}`);
  const V = vocab.length;
  const stoi = stoiOf(vocab);
  const index = (c: string, word: string): number => {
    const i = stoi.get(c);
    if (i === undefined) {
      throw new Error(`bigramLoss: expected a character of the vocabulary, found ${JSON.stringify(c)} in ${JSON.stringify(word)}`);
    }
    return i;
  };
  const N = new Float64Array(V * V); // (V, V) counts, row = previous character
  const pairs: number[] = []; // flat (a·V + b) of every bigram, in order
  for (const w of trainWords) {
    let a = 0; // '.'
    for (const c of w + vocab[0]) {
      const b = index(c, w);
      N[a * V + b]! += 1;
      pairs.push(a * V + b);
      a = b;
    }
  }
  if (pairs.length === 0) throw new Error('bigramLoss: expected at least one word, found none');
  const rowSum = new Float64Array(V);
  for (let a = 0; a < V; a++) {
    let s = 0;
    for (let b = 0; b < V; b++) s += N[a * V + b]! + smoothing;
    rowSum[a] = s;
  }
  let nll = 0;
  for (const ab of pairs) nll -= Math.log((N[ab]! + smoothing) / rowSum[Math.floor(ab / V)]!);
  return nll / pairs.length;
}
