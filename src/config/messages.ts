// Every user-facing message of the config stages, one function each, in one place.
// A message reads "expected X, got Y" (plus a suggestion where one helps); the location and key path
// are added by the caller (see diagnostics.ts).
import type { TSchema } from '@sinclair/typebox';

type Json = Record<string, unknown>;

/** What a schema accepts, in words: `a positive integer or "full"`. */
export function expectedOf(schema: TSchema): string {
  const s = schema as Json;
  if (Array.isArray(s.anyOf)) return unionPhrase(s.anyOf as TSchema[]);
  if ('const' in s) return JSON.stringify(s.const);
  switch (s.type) {
    case 'integer':
      return numberPhrase(s, 'integer');
    case 'number':
      return numberPhrase(s, 'number');
    case 'string':
      return stringPhrase(s);
    case 'boolean':
      return 'true or false';
    case 'array':
      return arrayPhrase(s);
    case 'object':
      return objectPhrase(s);
    default:
      return 'a value';
  }
}

function numberPhrase(s: Json, kind: 'integer' | 'number'): string {
  const noun = kind === 'integer' ? 'integer' : 'number';
  const { minimum: min, maximum: max, exclusiveMinimum: xmin } = s as { minimum?: number; maximum?: number; exclusiveMinimum?: number };
  if (min !== undefined && max !== undefined) return `${article(noun)} ${noun} from ${bound(min)} to ${bound(max)}`;
  if (xmin === 0 || (kind === 'integer' && min === 1)) return `a positive ${noun}`;
  if (min === 0) return `a non-negative ${noun}`;
  if (min !== undefined) return `${article(noun)} ${noun} ≥ ${min}`;
  if (xmin !== undefined) return `${article(noun)} ${noun} > ${xmin}`;
  return `${article(noun)} ${noun}`;
}

/** A bound as written in a message: large ones with thousands separators (1,000,000,000). */
function bound(n: number): string {
  return Math.abs(n) >= 10_000 ? n.toLocaleString('en-US') : String(n);
}

function stringPhrase(s: Json): string {
  if (s.pattern === NAME_PATTERN) return 'a name of lowercase letters, digits, "-" and "_" that starts with a letter or digit';
  if (typeof s.pattern === 'string') return `a string matching /${s.pattern}/`;
  if (s.minLength === 1) return 'a non-empty string';
  return 'a string';
}

function arrayPhrase(s: Json): string {
  const items = s.items ? expectedOf(s.items as TSchema) : 'values';
  if (typeof s.minItems === 'number' && s.minItems === s.maxItems) return `a list of ${s.minItems} ${plural(items)}`;
  const adjectives = [s.minItems === 1 ? 'non-empty' : '', s.uniqueItems ? 'repeat-free' : ''].filter(Boolean).join(' ');
  return `a ${adjectives ? adjectives + ' ' : ''}list of ${plural(items)}`;
}

function objectPhrase(s: Json): string {
  const props = (s.properties ?? {}) as Record<string, Json>;
  const tag = discriminator([s as TSchema]);
  if (tag !== undefined) return `{${tag}: ${JSON.stringify(props[tag]!.const)}, …}`;
  const keys = Object.keys(props);
  if (s.maxProperties === 1 && keys.length > 1) return `{${keys.join('|')}: …}`; // one key of several (a distribution)
  return keys.length > 0 ? `a mapping with keys ${keys.join(', ')}` : 'a mapping';
}

/** Literals join as `"a" or "b"`; tagged objects of one family collapse into `{schedule: a|b|c, …}`. */
function unionPhrase(branches: TSchema[]): string {
  const flat = flattenUnion(branches);
  const tagged = flat.filter((b) => discriminator([b]) !== undefined);
  const tag = tagged.length > 1 ? discriminator(tagged) : undefined;
  const parts: string[] = [];
  let taggedDone = false;
  for (const branch of flat) {
    if (tag !== undefined && tagged.includes(branch)) {
      if (taggedDone) continue;
      taggedDone = true;
      const values = tagged.map((b) => (b as Json).properties as Record<string, Json>).map((p) => String(p[tag]!.const));
      parts.push(`{${tag}: ${values.join('|')}, …}`);
    } else {
      parts.push(expectedOf(branch));
    }
  }
  return orList([...new Set(parts)]);
}

/** The branches of a (possibly nested) union, in order. */
export function flattenUnion(branches: TSchema[]): TSchema[] {
  return branches.flatMap((b) => (Array.isArray((b as Json).anyOf) ? flattenUnion((b as Json).anyOf as TSchema[]) : [b]));
}

/** The property whose literal value tells object branches apart (e.g. `schedule`), if every branch has it. */
export function discriminator(branches: TSchema[]): string | undefined {
  const first = (branches[0] as Json | undefined)?.properties as Record<string, Json> | undefined;
  if (first === undefined) return undefined;
  return Object.keys(first).find((key) =>
    branches.every((b) => {
      const p = ((b as Json).properties as Record<string, Json> | undefined)?.[key];
      return p !== undefined && 'const' in p;
    }),
  );
}

const NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*$';

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? 'an' : 'a';
}

function plural(phrase: string): string {
  return phrase.replace(/^an? /, '').replace(/^([\w-]+ )?(integer|number|string|mapping|name)\b/, (m) => m + 's');
}

/** "a", "a or b", "a, b or c". */
export function orList(items: string[]): string {
  return items.length <= 2 ? items.join(' or ') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** A found value, short: strings quoted, lists and mappings by kind. */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value);
  if (typeof value === 'number') return Number.isNaN(value) ? '.nan' : value === Infinity ? '.inf' : value === -Infinity ? '-.inf' : String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length <= 50 ? text.replace(/"(\w+)":/g, '$1: ').replace(/,/g, ', ') : 'a mapping';
  }
  return String(value);
}

/** The message core: `expected X, got Y`. */
export const expectedGot = (expected: string, found: unknown): string => `expected ${expected}, got ${shown(found)}`;

/** A message with a `did you mean` suffix when there is a suggestion. */
export const withSuggestion = (message: string, suggestion: string | undefined): string =>
  suggestion === undefined ? message : `${message}; did you mean \`${suggestion}\`?`;

// ---- loading ------------------------------------------------------------------------------------

export const fileUnreadable = (reason: string) => `cannot read the experiment file (${reason})`;
export const fileTooLarge = (limit: number, size: string) =>
  `expected an experiment file of at most ${limit.toLocaleString('en-US')} bytes (1 MiB), got ${size} bytes; word lists belong in a data.file, not in the YAML`;
export const emptyFile = () => 'expected a mapping of keys (name: …, train: …), got an empty file';
export const notAMapping = (found: string) => `expected a mapping of keys (name: …, train: …), got ${found}`;
export const multipleDocuments = (count: number) => `expected one YAML document, got ${count} (remove the \`---\` separators)`;
export const yamlSyntax = (detail: string) => `YAML syntax error: ${detail}`;
export const duplicateKey = (firstLine: number) => `duplicate key; it already appears at line ${firstLine}`;
export const aliasBomb = (limit: number) =>
  `refused: aliases expand to more than ${limit} nodes (a YAML "billion laughs" document); write the values out instead`;

// ---- schema ---------------------------------------------------------------------------------------

export const unknownKey = (allowed: string[], suggestion: string | undefined) =>
  suggestion !== undefined ? withSuggestion('unknown key', suggestion) : `unknown key; expected one of ${allowed.join(', ')}`;
export const missingKey = (expected: string) => `missing; expected ${expected}`;
export const missingTag = (tag: string, values: string[]) => `expected a \`${tag}:\` key (${values.join('|')}) in this mapping`;
export const notFinite = (found: unknown) => expectedGot('a finite number', found);
export const kaimingNotForParam = (param: string) =>
  `expected a non-negative number, got "kaiming": kaiming scales a weight matrix (W1, W2) by (5/3) / √fan_in, and ${param} ${
    param === 'C' ? 'is the embedding table, a lookup with no fan-in; give it a factor (the lecture keeps C at 1)' : "is a bias, with no fan-in; give it a factor (the lecture's part 3: b1 · 0.01, b2 · 0)"
  }`;

// ---- checks the schema cannot express --------------------------------------------------------------

export const splitSum = (train: number, dev: number, test: number) =>
  `expected fractions that sum to 1, got ${train} + ${dev} + ${test} = ${+(train + dev + test).toFixed(12)}`;
export const splitTrainEmpty = () => expectedGot('a fraction > 0 (training needs words)', 0);
export const evalSplitEmpty = (split: string) => `expected splits with words, got ${JSON.stringify(split)}, whose fraction in data.split is 0`;
export const rangeOrder = (min: number, max: number) => `expected max > min (${min}), got ${max}`;
export const dropOrder = (previous: number, at: number) => `expected a step after the previous drop (${previous}), got ${at}`;
export const dropBeyondSteps = (steps: number, at: number) => `expected a step before train.steps (${steps}), got ${at}`;
export const rangeTooLong = (limit: number, steps: number) =>
  `expected at most ${limit.toLocaleString('en-US')} steps for an LR range test (it keeps every step's lr and smoothed loss for its suggestion), got ${steps.toLocaleString('en-US')}`;
export const warmupTooLong = (steps: number, warmup: number) => `expected fewer warm-up steps than train.steps (${steps}), got ${warmup}`;
export const builtinAndFile = () => 'expected either `builtin` or `file`, got both';
export const fileMissing = (given: string, absolute: string) => `expected an existing word file, got ${JSON.stringify(given)} (${absolute} does not exist)`;
export const fileNotRegular = (given: string) => `expected a word file, got ${JSON.stringify(given)}, which is not a regular file`;
export const fileNoWords = (given: string) => `expected a file with at least one word, got ${JSON.stringify(given)}, which holds none`;
export const wordWithDot = (word: string) => `expected a word without "." (the start/end token), got ${shown(word)}`;
export const wordBeyondBmp = (char: string, word: string) =>
  `expected characters of the Basic Multilingual Plane (the vocabulary is indexed by UTF-16 unit), got ${JSON.stringify(char)} (U+${char.codePointAt(0)!.toString(16).toUpperCase()}) in ${shown(word)}`;
export const moreBadWords = (given: string, more: number) => `… and ${more.toLocaleString('en-US')} more words in ${JSON.stringify(given)} that cannot be used (above)`;
export const looksBinary = (offset: number) => `looks binary (a NUL byte at offset ${offset.toLocaleString('en-US')})`;
export const notUtf8 = (offset: number, byte: number) => `is not UTF-8 (an invalid byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset.toLocaleString('en-US')})`;
export const wordFileNotText = (given: string, why: string) => `${JSON.stringify(given)} ${why}; expected UTF-8 text, one word per line`;
export const fileTooLargeForText = (given: string, size: number, limit: number) =>
  `expected a word file of at most ${limit.toLocaleString('en-US')} bytes (what one JavaScript string holds), got ${JSON.stringify(given)} of ${size.toLocaleString('en-US')} bytes`;
export const noTrainingWord = (source: string, words: number, train: number, needed: number) =>
  `expected data that leaves at least one word for training, got ${words.toLocaleString('en-US')} word${words === 1 ? '' : 's'} (${source}): ⌊${train} × ${words}⌋ = 0 words for training; use at least ${needed.toLocaleString('en-US')} words, or a larger data.split.train`;
export const reservedName = (name: string) => `expected a name usable as a file name on every system, got ${JSON.stringify(name)} (reserved on Windows)`;
export const indexName = () => 'expected another name, got "index": its report would be DIR/index.html, the index of every experiment in DIR';
export const gridKeyNotAllowed = (key: string) => `expected a key that varies training, got \`${key}\` (name, description, grid, search, early_stop, repeat and expect cannot be grid keys)`;
export const gridTooLarge = (limit: number, count: string) => `expected at most ${limit.toLocaleString('en-US')} trials, got ${count} (grid combinations × repeat)`;

export const distributionInGrid = (kind: string) =>
  `expected a list of values, got a distribution (${kind}): a grid runs every value it lists; to draw values, set search.method: random`;
export const distributionOrder = (min: number, max: number) => `expected max > min (${min}), got ${max} (for a single value, give a one-value list)`;
export const distributionNotInteger = (kind: string) => `expected int_uniform for a key that takes integers, got ${kind}, which draws values between them`;
export const duplicateGridValue = (value: unknown, first: number) =>
  `expected values that differ, got ${shown(value)} again (as at [${first}], once its defaults are filled in): the same trial twice`;
export const searchSpaceTooSmall = (distinct: number, trials: number, draws: string) =>
  `expected at most ${distinct.toLocaleString('en-US')} trial${distinct === 1 ? '' : 's'}: ${draws} ${distinct === 1 ? 'has' : 'have'} only ${distinct.toLocaleString('en-US')} distinct point${distinct === 1 ? '' : 's'}, got ${trials.toLocaleString('en-US')}; lower search.trials, widen a range, or use repeat for more seeds of the same point`;
export const sameTrialTwice = (first: Record<string, unknown>, second: Record<string, unknown>) =>
  `expected combinations that make different trials, got one configuration twice: ${describePoint(first)} and ${describePoint(second)} resolve to the same trial (same values once word files are compared by content)`;
export const randomNeedsTrials = () => 'missing; expected a positive integer: how many trials the random search draws';
export const gridTakesNo = (key: 'trials' | 'seed') =>
  `expected no \`${key}\` in a grid search (it runs every combination${key === 'seed' ? ' and draws nothing' : ''}), got one; set method: random to draw trials`;

export const metricNotEvaluated = (metric: string, split: string) => `expected a loss in eval.splits, got ${metric}, but ${split} is not evaluated (add it to eval.splits)`;
export const graceNotEvaluated = (every: number, grace: number) =>
  `expected a multiple of eval.every (${every}): ASHA's rungs (grace·eta^k) are evaluations, got ${grace}`;
export const graceTooLong = (steps: number, grace: number) => `expected fewer steps than train.steps (${steps}), got ${grace}: the rule would never stop a trial`;

// Why run-exp sets each of these sbatch flags itself (src/launch/slurm/script.ts, src/launch/slurm/commands.ts).
const SBATCH_FLAG_REASONS: Record<string, string> = {
  array: 'run-exp submits one array task per trial; use executor.array_parallelism / --jobs',
  output: "run-exp writes each task's output to slurm/SUBMISSION/logs/, where a failed trial's stderr.log comes from",
  error: "run-exp writes each task's output to slurm/SUBMISSION/logs/, where a failed trial's stderr.log comes from",
  'job-name': 'run-exp names the array run-exp-NAME',
  wrap: "run-exp's batch script runs the trials; --wrap would replace it",
  chdir: 'tasks start in the directory run-exp was started in, as local workers do',
  parsable: 'run-exp passes it to sbatch itself, to read the job id',
  'test-only': 'run-exp checks the submission with sbatch --test-only itself; in the script it would submit nothing',
  signal: 'run-exp asks Slurm for USR1 before the time limit (a task writes its checkpoint and requeues itself); set how long before with executor.signal_delay_s',
};
export const sbatchFlagSetByRunExp = (written: string, flag: string) =>
  `expected a flag run-exp does not set itself, got ${written === `--${flag}` ? written : `${written} (--${flag})`}: ${SBATCH_FLAG_REASONS[flag] ?? 'run-exp sets it'}`;

export const sbatchMemoryValue = (flag: string, value: string) =>
  `expected --${flag} with a whole number of megabytes, or one with the unit K, M, G or T (e.g. --${flag}=4G), got ${value === '' ? 'no value' : JSON.stringify(value)}: sbatch would refuse it`;
export const sbatchMemoryExclusive = (flag: string, other: string) =>
  `expected one kind of memory limit, got --${flag} beside ${other}: sbatch refuses --mem, --mem-per-cpu and --mem-per-gpu together (executor.mem_gb is a --mem); keep one`;

/** What the kernel engine would need for a trial and what would fit (src/train/kernel/layout.ts, kernelMisfit). */
export interface KernelNeed {
  bytes: number; // its buffers
  limit: number; // what a WebAssembly module can address
  hidden: number;
  block_size: number;
  embed_dim: number;
  batch: number | 'full';
  n: number; // training examples (a full batch's size)
  about: boolean; // n is estimated (the planner's, from the split's fraction)
  fits: { hidden: number | null; batch: number | null }; // the largest hidden with this batch, the largest batch with this hidden
}

/**
 * A trial too large for the kernel engine's memory, said at the key that is further above the lecture's (hidden 200,
 * batch 32): train.batch_size or model.hidden, with what would fit of either, and the way out by engine: tfjs.
 */
export function kernelTooLarge(key: 'model.hidden' | 'train.batch_size', need: KernelNeed): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} GiB`;
  const batch = need.batch === 'full' ? `full (${need.about ? 'about ' : ''}${count(need.n)} examples)` : count(need.batch);
  const memory = `the kernel engine's ${gib(need.limit)} of WebAssembly memory`;
  const hidden = need.fits.hidden === null ? null : `hidden up to ${count(need.fits.hidden)}`;
  const minibatch = need.fits.batch === null ? null : `batch_size up to ${count(need.fits.batch)}`;
  const [found, context, first, second] =
    key === 'model.hidden'
      ? [`a hidden size whose buffers fit ${memory}, got ${count(need.hidden)}`, `block_size ${need.block_size}, embed_dim ${need.embed_dim} and batch_size ${batch}`, hidden, minibatch && `${minibatch} with this hidden`]
      : [`a batch whose buffers fit ${memory}, got ${batch}`, `hidden ${count(need.hidden)}, block_size ${need.block_size} and embed_dim ${need.embed_dim}`, minibatch, hidden && `${hidden} with this batch`];
  const fits = first !== null ? `; ${first} fits${second === null ? '' : ` (or ${second})`}, or` : second !== null ? `; ${second} fits, or` : '; nothing smaller fits this data (its training split alone is too large):';
  return `expected ${found}: with ${context} the kernel needs ${gib(need.bytes)}${fits} set engine: tfjs`;
}

export const inCombination = (message: string, point: Record<string, unknown>, count: number) =>
  `${message} (in ${count === 1 ? 'the combination' : `${count} combinations, e.g. the one`} with ${describePoint(point)})`;

/** A sweep point as `key: value, …`. */
function describePoint(point: Record<string, unknown>): string {
  return Object.entries(point).map(([k, v]) => `${k}: ${shown(v)}`).join(', ');
}

export const unknownWhereKey = (suggestion: string | undefined) =>
  suggestion !== undefined ? withSuggestion('unknown key', suggestion) : 'unknown key; expected a dotted key of the experiment (e.g. loss, train.lr) or repeat';

// ---- overrides ----------------------------------------------------------------------------------------

export const overrideSyntax = () => 'expected KEY=VALUE, e.g. --set train.lr=0.05 or --set loss=manual,fused';
export const overrideNotMapping = (parent: string) => `cannot set a key inside \`${parent}\`, which is not a mapping in the file`;
export const overrideValue = (detail: string) => `expected a YAML value, got a syntax error (${detail})`;
export const overrideRoot = (root: string) =>
  root === 'grid' ? 'cannot be set with --set; add a grid axis with --set KEY=A,B instead' : `cannot be set with --set; edit \`${root}\` in the file`;
export const noKeysInside = (parent: string) => `unknown key; \`${parent}\` takes a value, not keys`;
