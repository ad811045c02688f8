// Stage 2b, resolve: the parts of a valid experiment that depend on the disk. Word files become
// absolute paths (relative to the YAML file) with the sha256 of their content; without a file the
// built-in list is named explicitly. The result is what later stages get and what is stored.
import { createHash } from 'node:crypto';
import { constants, isUtf8 } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Experiment } from './schema.js';
import type { OnProblem } from './schema-errors.js';
import type { KeyPath } from './load.js';
import * as msg from './messages.js';
import type { Diagnostic } from './diagnostics.js';

/** A word file as read: its content hash and how many words it holds (for the plan's estimate and checks). */
export interface WordFile {
  sha256: string;
  bytes: number; // its size
  words: number;
  examples: number; // (word length + 1) summed: the training examples the file makes
  chars: number; // distinct characters, without the '.' boundary
}

/** The resolved experiment and the word files it names (by absolute path). */
export interface Resolved {
  experiment: Experiment;
  files: Map<string, WordFile>;
}

/**
 * The largest word file read: what one JavaScript string holds (V8's limit, about 512 MiB; the file is decoded as one
 * string). makemore's names are 228 KB; a file this large is not a word list.
 */
export const MAX_WORD_FILE_BYTES = constants.MAX_STRING_LENGTH;

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

/** A word file's path as messages show it: relative to the working directory when inside it. */
export function shownPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative.startsWith('..') ? absolute : relative;
}

/** Problems of a word file's words reported at most (then "… and N more"). */
const MAX_BAD_WORDS = 10;

/**
 * Words the model cannot take, located in the word file itself: '.' (the start/end token), and characters beyond the
 * Basic Multilingual Plane (the vocabulary is indexed by UTF-16 unit, so such a character would be two "characters").
 */
function badWords(lines: string[], absolute: string): Diagnostic[] {
  const file = shownPath(absolute);
  return lines.flatMap((line, i) => {
    const dot = line.indexOf('.');
    if (dot >= 0) return [{ file, line: i + 1, col: dot + 1, path: 'data.file', message: msg.wordWithDot(line.trim()) }];
    const astral = line.search(/[\uD800-\uDFFF]/);
    if (astral >= 0) return [{ file, line: i + 1, col: astral + 1, path: 'data.file', message: msg.wordBeyondBmp(String.fromCodePoint(line.codePointAt(astral)!), line.trim()) }];
    return [];
  });
}

/** Why a file's bytes are not a UTF-8 word list (a NUL byte: binary; an invalid byte sequence), or undefined. Never its bytes. */
function notText(content: Buffer): string | undefined {
  const nul = content.indexOf(0);
  if (nul >= 0) return msg.looksBinary(nul);
  if (isUtf8(content)) return undefined;
  const decoded = content.toString('utf8');
  const at = Buffer.byteLength(decoded.slice(0, decoded.indexOf('\uFFFD')), 'utf8'); // the bytes before the first invalid one decode as they are
  return msg.notUtf8(at, content[at] ?? 0);
}

async function readWordFile(given: string, absolute: string, at: KeyPath, onProblem: OnProblem, onProblemInFile: (d: Diagnostic) => void): Promise<WordFile | undefined> {
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined) return void onProblem(at, msg.fileMissing(given, absolute));
  if (!info.isFile()) return void onProblem(at, msg.fileNotRegular(given));
  if (info.size > MAX_WORD_FILE_BYTES) return void onProblem(at, msg.fileTooLargeForText(given, info.size, MAX_WORD_FILE_BYTES));
  const content = await readFile(absolute);
  const binary = notText(content);
  if (binary !== undefined) return void onProblem(at, msg.wordFileNotText(given, binary));
  const lines = content.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const words = lines.map((w) => w.trim()).filter((w) => w.length > 0);
  if (words.length === 0) return void onProblem(at, msg.fileNoWords(given));
  const bad = badWords(lines, absolute);
  bad.slice(0, MAX_BAD_WORDS).forEach(onProblemInFile);
  if (bad.length > MAX_BAD_WORDS) onProblem(at, msg.moreBadWords(given, bad.length - MAX_BAD_WORDS));
  // One pass over the characters (spreading every word into arrays took 14 s for 5 million words).
  const chars = new Set<string>();
  let examples = 0;
  for (const w of words) {
    examples += 1;
    for (const c of w) {
      examples += 1;
      chars.add(c);
    }
  }
  return { sha256: createHash('sha256').update(content).digest('hex'), bytes: content.length, words: words.length, examples, chars: chars.size };
}
