// Stage 2b, resolve: the parts of a valid experiment that depend on the disk. Word files become
// absolute paths (relative to the YAML file) with the sha256 of their content; without a file the
// built-in list is named explicitly. The result is what later stages get and what is stored.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Experiment } from './schema.js';
import type { OnProblem } from './schema-errors.js';
import type { KeyPath } from './load.js';
import * as msg from './messages.js';
import type { Diagnostic } from './diagnostics.js';

/** A word file as read: its content hash and how many words it holds (for the plan's estimate). */
export interface WordFile {
  sha256: string;
  words: number;
  examples: number; // (word length + 1) summed: the training examples the file makes
  chars: number; // distinct characters, without the '.' boundary
}

/** The resolved experiment and the word files it names (by absolute path). */
export interface Resolved {
  experiment: Experiment;
  files: Map<string, WordFile>;
}

/** Resolve data files (data.file, and data.file grid values); problems go to `onProblem`. */
export async function resolve(experiment: Experiment, yamlFile: string, onProblem: OnProblem, onProblemInFile: (d: Diagnostic) => void = () => {}): Promise<Resolved> {
  const resolved = structuredClone(experiment);
  const files = new Map<string, WordFile>();
  const dir = path.dirname(path.resolve(yamlFile));
  const visit = async (given: string, at: KeyPath): Promise<string> => {
    const absolute = path.resolve(dir, given);
    const file = files.get(absolute) ?? (await readWordFile(given, absolute, at, onProblem, onProblemInFile));
    if (file !== undefined) files.set(absolute, file);
    return absolute;
  };
  // Defensive: this also runs next to schema errors, so that a missing file is reported with them.
  const data = resolved.data as Partial<Experiment['data']> | null;
  if (typeof data?.file === 'string') data.file = await visit(data.file, ['data', 'file']);
  const gridFiles = (resolved.grid as Record<string, unknown> | null)?.['data.file'];
  if (Array.isArray(gridFiles)) {
    for (const [i, given] of gridFiles.entries()) if (typeof given === 'string') gridFiles[i] = await visit(given, ['grid', 'data.file', i]);
  }
  // Without a file anywhere, say which words are used.
  if (data !== null && data.file === undefined && gridFiles === undefined) resolved.data = { builtin: 'names', ...data } as Experiment['data'];
  return { experiment: resolved, files };
}

/** Word-file problems reported before the run (the rest are found by the data stage). */
const MAX_BAD_WORDS = 10;

/** Words the model cannot take: '.' is the start/end token. Located in the word file itself. */
function badWords(lines: string[], absolute: string): Diagnostic[] {
  const relative = path.relative(process.cwd(), absolute);
  const file = relative.startsWith('..') ? absolute : relative;
  return lines.flatMap((line, i) => {
    const col = line.indexOf('.');
    return col < 0 ? [] : [{ file, line: i + 1, col: col + 1, path: 'data.file', message: msg.wordWithDot(line.trim()) }];
  });
}

async function readWordFile(given: string, absolute: string, at: KeyPath, onProblem: OnProblem, onProblemInFile: (d: Diagnostic) => void): Promise<WordFile | undefined> {
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined) return void onProblem(at, msg.fileMissing(given, absolute));
  if (!info.isFile()) return void onProblem(at, msg.fileNotRegular(given));
  const content = await readFile(absolute);
  const lines = content.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const words = lines.map((w) => w.trim()).filter((w) => w.length > 0);
  if (words.length === 0) return void onProblem(at, msg.fileNoWords(given));
  badWords(lines, absolute).slice(0, MAX_BAD_WORDS).forEach(onProblemInFile);
  return {
    sha256: createHash('sha256').update(content).digest('hex'),
    words: words.length,
    examples: words.reduce((n, w) => n + [...w].length + 1, 0),
    chars: new Set(words.flatMap((w) => [...w])).size,
  };
}
