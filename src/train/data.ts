// The data stage of a trial, as in the lecture: words → vocabulary → seeded shuffle → 80/10/10 split → context windows.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RngMode } from '../config/schema.js';
import type { ResolvedData } from '../types.js';
import { builtinWords } from './builtin.js';
import { shuffleWords } from './draws.js';

/** One split: its words and every (context, next character) example built from them. */
export interface Split {
  words: string[];
  X: Int32Array; // (n, blockSize) row-major: the blockSize previous characters' indices
  Y: Int32Array; // (n,) the index of the character that follows
  n: number; // examples: Σ (word length + 1)
}

/** A trial's data: the vocabulary (index → character, '.' at 0) and the three splits. */
export interface Dataset {
  vocab: string;
  blockSize: number;
  train: Split;
  dev: Split;
  test: Split;
}

/** The start/end token: index 0 of every vocabulary, and never part of a word. */
export const DOT = '.';

const MAX_REPORTED = 10; // problems listed in one error before "… and N more"

/** All the words of a trial's source: the built-in list or the file (checked against its planned sha256). */
export async function loadWords(data: ResolvedData): Promise<string[]> {
  return data.file === undefined ? builtinWords(data.builtin) : await readWordFile(data.file, data.sha256);
}

/** Read a UTF-8 word-per-line file: surrounding whitespace trimmed, blank lines skipped, every problem reported at once. */
async function readWordFile(file: string, sha256: string): Promise<string[]> {
  const bytes = await readFile(file);
  const found = createHash('sha256').update(bytes).digest('hex');
  if (found !== sha256) {
    throw new Error(
      `${file}: data.file: expected content with sha256 ${sha256} (as planned), found ${found}: the file changed; plan the run again`,
    );
  }
  const words: string[] = [];
  const problems: string[] = [];
  const lines = bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    const word = line.trim();
    if (word === '') return;
    const col = line.indexOf(word) + 1;
    const problem = wordProblem(word);
    if (problem) problems.push(`${file}:${i + 1}:${col + problem.at}: data.file: ${problem.message}`);
    else words.push(word);
  });
  if (problems.length > 0) {
    const more = problems.length > MAX_REPORTED ? [`… and ${problems.length - MAX_REPORTED} more`] : [];
    throw new Error([...problems.slice(0, MAX_REPORTED), ...more].join('\n'));
  }
  if (words.length === 0) throw new Error(`${file}:1:1: data.file: expected at least one word (one per line), found none`);
  return words;
}

/** Why a word cannot be used ('.' inside, or a character beyond UTF-16's BMP), with its 0-based offset; null when it can. */
export function wordProblem(word: string): { at: number; message: string } | null {
  const dot = word.indexOf(DOT);
  if (dot >= 0) {
    return { at: dot, message: `expected a word without "${DOT}" (the start/end token), found ${shownWord(word)}` };
  }
  const surrogate = word.search(/[\uD800-\uDFFF]/);
  if (surrogate >= 0) {
    return {
      at: surrogate,
      message: `expected characters of the Basic Multilingual Plane (the vocabulary is indexed by UTF-16 unit), found ${shownWord(word)}`,
    };
  }
  return null;
}

/** A word in a message: quoted, and cut short (a "word" may be a whole file without line breaks). */
function shownWord(word: string): string {
  return JSON.stringify(word.length > 40 ? word.slice(0, 37) + '...' : word);
}

/** The vocabulary of some words: '.' at index 0, then their distinct characters in sorted order (the lecture's stoi). */
export function vocabularyOf(words: readonly string[]): string {
  const chars = new Set<string>();
  for (const w of words) for (const c of w) chars.add(c);
  return DOT + [...chars].sort().join('');
}

/** Character → index of a vocabulary (the lecture's stoi). */
export function stoiOf(vocab: string): Map<string, number> {
  return new Map([...vocab].map((c, i) => [c, i]));
}

/**
 * The lecture's data pipeline: vocabulary from all the words (as the lecture's stoi, also when only
 * `slice.first` of them are used, so the first five words train the lecture's 27-way, 3,481-parameter net);
 * then the first N words when sliced; shuffle them with the 'shuffle' stream of `data.shuffle_seed` (rng: streams) or
 * as random.seed(data.shuffle_seed); random.shuffle(words) (rng: torch); split at n1 = ⌊train·n⌋ and n2 = ⌊(train+dev)·n⌋ (the lecture's int(0.8·n), int(0.9·n), with
 * train+dev rounded to 12 decimals so that 0.7 + 0.2 cuts where 0.9 does); then each split's context windows.
 */
export function buildDataset(words: readonly string[], data: ResolvedData, blockSize: number, rng: RngMode = 'streams'): Dataset {
  if (words.length === 0) throw new Error('data: expected at least one word, found none');
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`model.block_size: expected a positive integer, found ${blockSize}`);
  words.forEach((w, i) => {
    const problem = wordProblem(w) ?? (w === '' ? { at: 0, message: 'expected a non-empty word, found ""' } : null);
    if (problem) throw new Error(`data: word ${i}: ${problem.message}`);
  });
  const vocab = vocabularyOf(words);
  const stoi = stoiOf(vocab);
  const [train, dev, test] = splitWords(words, data, rng);
  return { vocab, blockSize, train: buildSplit(train, stoi, blockSize), dev: buildSplit(dev, stoi, blockSize), test: buildSplit(test, stoi, blockSize) };
}

/** The words of each split, train, dev and test: the slice, shuffled, cut at n1 and n2 (see buildDataset). */
export function splitWords(words: readonly string[], data: ResolvedData, rng: RngMode): [string[], string[], string[]] {
  const used = words.slice(0, data.slice?.first ?? words.length);
  const shuffled = shuffleWords(used, data.shuffle_seed, rng);
  const n = shuffled.length;
  const n1 = Math.floor(data.split.train * n);
  const n2 = Math.floor(decimal(data.split.train + data.split.dev) * n);
  return [shuffled.slice(0, n1), shuffled.slice(n1, n2), shuffled.slice(n2)];
}

/** The examples that words make: one per character and one for the end token each (a split's n). */
export function examplesOf(words: readonly string[]): number {
  let n = 0;
  for (const w of words) n += w.length + 1;
  return n;
}

/** A sum of decimal fractions as the decimal it stands for: 0.7 + 0.2 is 0.8999999999999999 in binary, 0.9 here. */
function decimal(x: number): number {
  return Number(x.toFixed(12));
}

/** The lecture's build_dataset: the context starts as blockSize dots; each character of word + '.' is a target. */
export function buildSplit(words: string[], stoi: ReadonlyMap<string, number>, blockSize: number): Split {
  const n = examplesOf(words);
  const X = new Int32Array(n * blockSize);
  const Y = new Int32Array(n);
  const context = new Int32Array(blockSize); // indices of the last blockSize characters, oldest first
  let row = 0;
  for (const w of words) {
    context.fill(0);
    for (const ch of w + DOT) {
      const ix = stoi.get(ch);
      if (ix === undefined) {
        throw new Error(`data: expected a character of the vocabulary, found ${JSON.stringify(ch)} in ${JSON.stringify(w)}`);
      }
      X.set(context, row * blockSize);
      Y[row++] = ix;
      context.copyWithin(0, 1);
      context[blockSize - 1] = ix;
    }
  }
  return { words, X, Y, n };
}
