// Stage 1, load: YAML text → a document that keeps the position of every node.
// Hostile or broken input (syntax errors, duplicate keys, several documents, a non-mapping, an empty
// file, alias bombs) becomes diagnostics here, before anything looks at the values.
import { open } from 'node:fs/promises';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit, type Document, type Node, type Pair } from 'yaml';
import { ConfigError, type Diagnostic } from './diagnostics.js';
import * as msg from './messages.js';

/** Aliases may expand to at most this many nodes; more is a "billion laughs" document and is refused. */
export const MAX_ALIAS_COUNT = 100;

/** A parsed experiment file: the document with positions, and where overridden values came from. */
export interface Source {
  file: string; // as given on the command line
  doc: Document.Parsed;
  lines: LineCounter;
  origins: Map<string, string>; // JSON of a key path → the `--set KEY=VALUE` that replaced it
}

/** A path into the document: mapping keys and list indexes. */
export type KeyPath = (string | number)[];

/**
 * The largest experiment file read: 1 MiB. The lecture's files are a few hundred bytes and a 10,000-trial grid is
 * about 100 KB; a bigger file is data pasted into the YAML (word lists belong in data.file), and would cost gigabytes
 * to plan and a report as large.
 */
export const MAX_FILE_BYTES = 1 << 20;

/** Read and parse an experiment file; throws ConfigError with every problem found. */
export async function readSource(file: string): Promise<Source> {
  let text: string;
  try {
    text = await readAtMost(file, MAX_FILE_BYTES);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError([{ file, line: 0, col: 0, path: '', message: msg.fileUnreadable(reason) }]);
  }
  return parseSource(text, file);
}

/**
 * A file's text, refused (ConfigError) past `limit` bytes: a regular file by its size, before reading; anything else
 * (a pipe, `<(cat big.yaml)`) by reading no more than limit + 1 bytes.
 */
async function readAtMost(file: string, limit: number): Promise<string> {
  const tooLarge = (size: string) => new ConfigError([{ file, line: 0, col: 0, path: '', message: msg.fileTooLarge(limit, size) }]);
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > limit) throw tooLarge(info.size.toLocaleString('en-US'));
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length <= limit; length += n) n = (await handle.read(buffer, length, buffer.length - length, null)).bytesRead;
    if (length > limit) throw tooLarge(`more than ${limit.toLocaleString('en-US')}`);
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}

/** Parse YAML text (named `file` in messages); throws ConfigError with every problem found. */
export function parseSource(text: string, file: string): Source {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const at = (offset: number, message: string, path = ''): Diagnostic => ({ file, ...position(lines, offset), path, message });
  if (!Array.isArray(docs) || docs.length === 0) throw new ConfigError([at(0, msg.emptyFile())]);
  const doc = docs[0]!;
  const source: Source = { file, doc, lines, origins: new Map() };
  const errors = docs.flatMap((d) => d.errors).map((e) => (e.code === 'DUPLICATE_KEY' ? duplicateKey(source, e.pos[0]) : at(e.pos[0], msg.yamlSyntax(firstSentence(e.message)))));
  if (errors.length > 0) throw new ConfigError(errors);
  if (docs.length > 1) throw new ConfigError([at(docs[1]!.range[0], msg.multipleDocuments(docs.length))]);
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) throw new ConfigError([at(contents?.range[0] ?? 0, msg.emptyFile())]);
  if (!isMap(contents)) throw new ConfigError([at(contents.range[0], msg.notAMapping(kindOf(contents)))]);
  toValue(source); // refuse alias bombs now, before anything else
  return source;
}

/** The document as plain data; throws ConfigError for aliases that expand too far. */
export function toValue(source: Source): unknown {
  try {
    return source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    let offset = 0;
    visit(source.doc, { Alias: (_, node) => ((offset = node.range?.[0] ?? 0), visit.BREAK) });
    throw new ConfigError([{ file: source.file, ...position(source.lines, offset), path: '', message: msg.aliasBomb(MAX_ALIAS_COUNT) }]);
  }
}

/** A diagnostic at the node of a key path: its value, or its key (`part: 'key'`, for unknown keys). */
export function diagnosticAt(source: Source, path: KeyPath, message: string, part: 'key' | 'value' = 'value'): Diagnostic {
  const origin = originOf(source, path);
  const where = origin !== undefined ? { file: origin, line: 0, col: 0 } : { file: source.file, ...position(source.lines, offsetOf(source, path, part)) };
  return { ...where, path: dotted(path), message };
}

/** `train.lr.drops[1].at`; grid keys stay whole (`grid.train.batch_size[0]`). */
export function dotted(path: KeyPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The override that set this path or one of its parents, if any. */
export function originOf(source: Source, path: KeyPath): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const origin = source.origins.get(JSON.stringify(path.slice(0, n)));
    if (origin !== undefined) return origin;
  }
  return undefined;
}

/** The offset of the deepest node on the path that exists in the file (defaults have no node). */
function offsetOf(source: Source, path: KeyPath, part: 'key' | 'value'): number {
  let node: unknown = source.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const [i, key] of path.entries()) {
    if (isAlias(node)) node = node.resolve(source.doc);
    let next: unknown;
    let target: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(key));
      if (pair === undefined) return offset;
      next = pair.value;
      target = i === path.length - 1 && part === 'key' ? pair.key : pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      next = target = node.items[key];
    } else {
      return offset;
    }
    const start = (target as Node | null)?.range?.[0];
    if (start === undefined) return offset;
    offset = start;
    node = next;
  }
  return offset;
}

function position(lines: LineCounter, offset: number): { line: number; col: number } {
  const { line, col } = lines.linePos(offset);
  return { line, col };
}

/** The diagnostic for a repeated key: the key's path and where it first appeared. */
function duplicateKey(source: Source, offset: number): Diagnostic {
  let found: Diagnostic | undefined;
  visit(source.doc, {
    Map: (_, map, ancestors) => {
      const dup = map.items.find((p) => (p.key as Node | null)?.range?.[0] === offset);
      if (dup === undefined) return undefined;
      const name = String(isScalar(dup.key) ? dup.key.value : dup.key);
      const first = map.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === name);
      const firstLine = source.lines.linePos((first!.key as Node).range![0]).line;
      const parents = ancestors.filter((a): a is Pair => (a as Pair).key !== undefined && isScalar((a as Pair).key)).map((p) => String((p.key as { value: unknown }).value));
      found = { file: source.file, ...position(source.lines, offset), path: [...parents, name].join('.'), message: msg.duplicateKey(firstLine) };
      return visit.BREAK;
    },
  });
  return found ?? { file: source.file, ...position(source.lines, offset), path: '', message: msg.duplicateKey(0) };
}

function firstSentence(message: string): string {
  return message.split(/ at line \d+, column \d+/)[0]!.trim();
}

function kindOf(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return `a single value (${msg.shown(node.value)})`;
  return 'something else';
}
