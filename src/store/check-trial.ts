// A stored trial, checked as it is read: the one judge of whether DIR/NAME/trials/ID is finished, unfinished or damaged,
// for the run's resume step and the report alike.
//
// A trial directory is
// - not a trial: no config.json and none of a trial's other files (summary.json, metrics.jsonl, samples.txt,
//   weights.json, stderr.log, checkpoint.json);
// - unfinished: a valid config.json and no summary.json (not run yet, interrupted, or being written); whatever
//   metrics.jsonl and checkpoint.json hold so far is not judged here (the next run checks the checkpoint before it
//   goes on from it, src/store/checkpoint.ts);
// - finished: a valid config.json and summary.json, and, unless it failed, metrics.jsonl, samples.txt and
//   weights.json consistent with them, and diagnostics.jsonl when the trial took diagnostics (see `checkMetrics`,
//   `checkDiagnostics` and `checkOutputs`);
// - damaged: anything else. The first problem found is named with its file (and line).
// A summary.json that is replaced or removed while the trial is read means a run is rewriting it: unfinished.
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { dotted } from '../config/load.js';
import { shown } from '../config/messages.js';
import { checkAgainst, fits } from '../config/schema-errors.js';
import type { DiagnosticsRow, MetricRow, Summary, Trial, Weight } from '../types.js';
import { paramShapes } from '../train/shapes.js';
import { CHECKPOINT_FILE } from './checkpoint.js';
import { upgradeSummary } from './summary.js';
import { DiagnosticsRowSchema, EvalRowSchema, MetricRowSchema, StepRowSchema, StoredTrialSchema, SummarySchema } from './trial-schema.js';

/** What is wrong with a stored trial: the file, the line where that applies, and what. */
export interface FileProblem {
  file: string; // its path, DIR/NAME/trials/ID/FILE
  line?: number; // 1-based, in metrics.jsonl and samples.txt
  message: string;
}

/** A trial directory, checked. */
export type StoredTrial =
  | { kind: 'not-a-trial'; files: string[] } // files: what the directory holds (none when it does not exist)
  | { kind: 'unfinished'; trial: Trial }
  | { kind: 'finished'; trial: Trial; summary: Summary; samples: string[]; weights: Weight[] } // a failed trial: no samples or weights
  | { kind: 'damaged'; trial: Trial | null; problem: FileProblem }; // trial: when config.json itself is sound

/** What the reader wants besides the verdict. */
export interface CheckOptions {
  /** Every row of a finished trial's metrics.jsonl, in order, as it is checked; when the trial turns out damaged, drop them. */
  onMetric?: (row: MetricRow) => void;
  /**
   * Judge config.json and summary.json only (a glance: the index of every experiment in DIR reads thousands of
   * trials); a finished trial then comes without samples and weights, and its metrics and outputs unchecked.
   */
  summaryOnly?: boolean;
  /** Every row of a finished trial's diagnostics.jsonl, in order, as it is checked (the same caveat). */
  onDiagnostics?: (row: DiagnosticsRow) => void;
}

/** The files a trial writes besides config.json: one of them without config.json is a damaged trial, not a stray folder. */
const TRIAL_FILES = ['summary.json', 'metrics.jsonl', 'diagnostics.jsonl', 'samples.txt', 'weights.json', 'stderr.log', CHECKPOINT_FILE];

/** A problem found: thrown inside the checker, caught once in `checkTrial`. */
class Damage extends Error {
  constructor(readonly problem: FileProblem) {
    super(formatProblem(problem));
  }
}

/** `DIR/NAME/trials/ID/metrics.jsonl:57: expected …` */
export function formatProblem(p: FileProblem): string {
  return `${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}`;
}

/** Read and check the trial stored in `dir` (its name is the trial's id). */
export async function checkTrial(dir: string, options: CheckOptions = {}): Promise<StoredTrial> {
  const summaryFile = path.join(dir, 'summary.json');
  const before = await identity(summaryFile);
  let trial: Trial | null = null;
  try {
    const config = await readJson(path.join(dir, 'config.json'));
    if (config === undefined) {
      const files = (await readdir(dir).catch(() => [] as string[])).sort();
      const present = files.filter((f) => TRIAL_FILES.includes(f));
      if (present.length === 0) return { kind: 'not-a-trial', files };
      throw new Damage({ file: path.join(dir, 'config.json'), message: `missing, yet the folder holds ${present.join(', ')}` });
    }
    trial = checkConfig(config, dir);
    const summaryValue = upgradeSummary(await readJson(summaryFile)); // an older run-exp's summary, in the current form
    if (summaryValue === undefined) return { kind: 'unfinished', trial };
    const summary = checkSummary(summaryValue, trial, summaryFile);
    if (options.summaryOnly === true) return { kind: 'finished', trial, summary, samples: [], weights: [] };
    const metricsFile = path.join(dir, 'metrics.jsonl');
    const diagnosticsFile = path.join(dir, 'diagnostics.jsonl');
    if (summary.status === 'failed') {
      if ((await identity(metricsFile)) !== undefined) await checkMetrics(metricsFile, trial, summary, options.onMetric);
      if ((await identity(diagnosticsFile)) !== undefined) await checkDiagnostics(diagnosticsFile, trial, summary, options.onDiagnostics);
      return (await stable(summaryFile, before)) ? { kind: 'finished', trial, summary, samples: [], weights: [] } : { kind: 'unfinished', trial };
    }
    await checkMetrics(metricsFile, trial, summary, options.onMetric);
    await checkDiagnostics(diagnosticsFile, trial, summary, options.onDiagnostics);
    const { samples, weights } = await checkOutputs(dir, trial, summary);
    return (await stable(summaryFile, before)) ? { kind: 'finished', trial, summary, samples, weights } : { kind: 'unfinished', trial };
  } catch (error) {
    if (!(error instanceof Damage)) throw error;
    if (before !== undefined && !(await stable(summaryFile, before))) return trial === null ? { kind: 'not-a-trial', files: [] } : { kind: 'unfinished', trial };
    return { kind: 'damaged', trial, problem: error.problem };
  }
}

/**
 * config.json: a trial of the schema, whose id names its folder. One written before #18 names no engine: every trial
 * trained on TensorFlow.js then, and it reads as `engine: tfjs` (the id of an `engine: tfjs` trial is what it was).
 */
function checkConfig(value: unknown, dir: string): Trial {
  const file = path.join(dir, 'config.json');
  against(StoredTrialSchema, value, file);
  const stored = value as Trial;
  if (stored.id !== path.basename(dir)) throw new Damage({ file, message: `id ${JSON.stringify(stored.id)} is not the folder's name ${JSON.stringify(path.basename(dir))}` });
  return stored.config.engine === undefined ? { ...stored, config: { ...stored.config, engine: 'tfjs' } } : stored;
}

/** summary.json: a summary of the schema, of this trial, whose step counts agree with its status. */
function checkSummary(value: unknown, trial: Trial, file: string): Summary {
  against(SummarySchema, value, file);
  const s = value as Summary;
  const fail = (message: string) => new Damage({ file, message });
  if (s.id !== trial.id) throw fail(`id ${JSON.stringify(s.id)} is not this trial's (${JSON.stringify(trial.id)})`);
  if (s.steps_planned !== trial.config.train.steps) throw fail(`steps_planned is ${s.steps_planned}, but config.json has train.steps ${trial.config.train.steps}`);
  if (s.status === 'ok' && s.steps !== s.steps_planned) throw fail(`status ok after ${s.steps} of ${s.steps_planned} steps (ok means trained to the end)`);
  if (s.steps > s.steps_planned) throw fail(`steps ${s.steps} is more than steps_planned ${s.steps_planned}`);
  if (s.resumed_from !== undefined && s.resumed_from > s.steps) throw fail(`resumed_from ${s.resumed_from} is past steps ${s.steps}`);
  for (const key of ['started_at', 'finished_at'] as const) if (Number.isNaN(Date.parse(s[key]))) throw fail(`${key}: expected an ISO date and time, got ${shown(s[key])}`);
  if (s.status !== 'failed' && s.vocab.length === 0) throw fail('vocab: expected the characters of the vocabulary, got an empty string');
  return s;
}

/**
 * metrics.jsonl of a finished trial, consistent with its summary when:
 * 1. it ends with a newline (its last line is whole), and every line is one JSON row of the schema: a step row
 *    {step, lr, loss[, smooth]} or an evaluation row {step, split, loss} (a loss is a number, or null for NaN/Inf);
 * 2. the step rows are steps 0, 1, 2, … in this order, one each;
 * 3. each evaluation row follows the steps it evaluates: its step is the number of step rows before it;
 * 4. there are exactly summary.steps step rows (a failed trial's summary counts the steps whose rows it kept);
 * and, unless the trial failed (its rows stop wherever it did),
 * 5. the rows after the last step row evaluate every split of eval.splits at step summary.steps (the final losses).
 */
async function checkMetrics(file: string, trial: Trial, summary: Summary, onMetric?: (row: MetricRow) => void): Promise<void> {
  let steps = 0; // step rows so far
  let finalSplits = new Set<string>(); // splits evaluated since the last step row
  let line = 0;
  const fail = (message: string, at: number | null = line) => new Damage({ file, ...(at === null ? {} : { line: at }), message }); // null: the whole file
  const take = (text: string) => {
    line += 1;
    const row = parseRow(text, (message) => fail(message));
    if ('split' in row) {
      if (row.step !== steps) throw fail(`an evaluation at step ${row.step} after ${steps} step rows (an evaluation's step is the number of steps before it)`);
      finalSplits.add(row.split);
    } else {
      if (row.step !== steps) throw fail(`expected step ${steps}, got step ${row.step} (step rows are 0, 1, 2, … in order)`);
      steps += 1;
      finalSplits = new Set();
    }
    onMetric?.(row);
  };
  const { rest } = await readLines(file, take).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw fail('missing (a finished trial keeps its metrics)', null);
    throw error;
  });
  if (rest !== '') throw fail(`the last line is cut short (no newline at its end): ${shown(rest)}`, line + 1);
  if (steps !== summary.steps) throw fail(`${steps} step rows, but summary.json says ${summary.steps} steps`, null);
  if (summary.status === 'failed') return;
  const missing = trial.config.eval.splits.filter((s) => !finalSplits.has(s));
  if (missing.length > 0) throw fail(`no final evaluation of ${missing.join(', ')} at step ${steps} after the last step row (eval.splits: ${trial.config.eval.splits.join(', ')})`, null);
}

/**
 * The rows an unfinished trial's metrics.jsonl holds so far (a trial being trained gains whole chunks of lines): every
 * whole line within the first `limit` bytes (default: the file as it is now), in order; a line that is no row ends the
 * reading there, and a missing file holds none. Resolves to the bytes read: given as `limit`, the same rows again.
 */
export async function readRowsSoFar(file: string, onRow: (row: MetricRow) => void, limit = Infinity): Promise<number> {
  if (limit <= 0) return 0;
  let bytes = 0;
  let rest = '';
  try {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20, ...(Number.isFinite(limit) ? { end: limit - 1 } : {}) });
    for await (const chunk of stream) {
      const lines = (rest + (chunk as string)).split('\n');
      rest = lines.pop()!;
      for (const text of lines) {
        onRow(parseRow(text, (message) => new Damage({ file, message })));
        bytes += Buffer.byteLength(text) + 1;
      }
    }
  } catch (error) {
    if (error instanceof Damage || (error as NodeJS.ErrnoException).code === 'ENOENT') return bytes;
    throw error;
  }
  return bytes;
}

/**
 * diagnostics.jsonl of a finished trial that took diagnostics (diagnostics.every = N), consistent with its summary when:
 * 1. it ends with a newline, and every line is one JSON row of the schema (DiagnosticsRowSchema);
 * 2. the rows are steps 0, N, 2N, … in this order, one each (diagnostics come before a step's update);
 * 3. there is one for every such step before summary.steps: ⌈steps / N⌉ rows; a trial that diverged at step s
 *    may also hold step s's (taken before the loss of s was known to be non-finite); a failed trial's stop anywhere.
 * A trial without diagnostics.every has no diagnostics.jsonl to check (one there is left alone).
 */
async function checkDiagnostics(file: string, trial: Trial, summary: Summary, onRow?: (row: DiagnosticsRow) => void): Promise<void> {
  const every = trial.config.diagnostics?.every;
  if (every === undefined) return;
  let line = 0;
  const fail = (message: string, at: number | null = line) => new Damage({ file, ...(at === null ? {} : { line: at }), message });
  const { rest } = await readLines(file, (text) => {
    line += 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw fail(`expected one JSON object a line, got ${shown(text)} (${(error as Error).message})`);
    }
    if (!fits(DiagnosticsRowSchema, value)) {
      let message = 'expected a row {step, lr, tanh, params}';
      checkAgainst(DiagnosticsRowSchema, value, [], (p, m) => (message = p.length === 0 ? m : `${dotted(p)}: ${m}`));
      throw fail(message);
    }
    const row = value as DiagnosticsRow;
    const expected = (line - 1) * every;
    if (row.step !== expected) throw fail(`expected step ${expected}, got step ${row.step} (diagnostics are steps 0, ${every}, ${2 * every}, … in order)`);
    onRow?.(row);
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw fail('missing (a trial with diagnostics.every keeps them)', null);
    throw error;
  });
  if (rest !== '') throw fail(`the last line is cut short (no newline at its end): ${shown(rest)}`, line + 1);
  const before = Math.ceil(summary.steps / every); // steps 0, N, … below summary.steps
  const upTo = Math.floor(summary.steps / every) + 1; // … and summary.steps itself
  const [allowed, expected] =
    summary.status === 'failed' ? [line <= upTo, `at most ${upTo}`]
    : summary.status === 'diverged' ? [line === before || line === upTo, before === upTo ? `${before}` : `${before} or ${upTo}`]
    : [line === before, `${before}`];
  if (!allowed) throw fail(`${line} rows, expected ${expected}: one for each of steps 0, ${every}, ${2 * every}, … before step ${summary.steps} (summary.json: ${summary.status} after ${summary.steps} steps)`, null);
}

/** Stream a text file's whole lines to `take`; resolves with what follows the last newline ('' when the file ends with one). */
async function readLines(file: string, take: (line: string) => void): Promise<{ rest: string }> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    for (const text of lines) take(text);
  }
  return { rest };
}

// The lines the runner writes (JSON.stringify of a row: these keys in this order), read without JSON.parse, 4 to 5
// times as fast; any other line takes the general path. Numbers are JSON's grammar exactly, so both paths agree.
const NUM = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
const STEP_LINE = new RegExp(`^\\{"step":(0|[1-9]\\d*),"lr":(${NUM}),"loss":(${NUM}|null)(?:,"smooth":(${NUM}|null))?\\}$`);
const EVAL_LINE = new RegExp(`^\\{"step":(0|[1-9]\\d*),"split":"(train|dev|test)","loss":(${NUM}|null)\\}$`);
const num = (s: string) => (s === 'null' ? null : Number(s));

/** One line of metrics.jsonl as a row, or the reason it is not one. */
function parseRow(text: string, fail: (message: string) => Damage): MetricRow {
  const step = STEP_LINE.exec(text);
  if (step !== null) {
    const row = { step: Number(step[1]), lr: Number(step[2]), loss: num(step[3]!) } as MetricRow & { smooth?: number | null };
    if (step[4] !== undefined) row.smooth = num(step[4]);
    return row;
  }
  const evaluation = EVAL_LINE.exec(text);
  if (evaluation !== null) return { step: Number(evaluation[1]), split: evaluation[2] as 'train', loss: num(evaluation[3]!) } as MetricRow;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`expected one JSON object a line, got ${shown(text)} (${(error as Error).message})`);
  }
  if (fits(MetricRowSchema, value)) return value as MetricRow;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(`expected a row {step, lr, loss} or {step, split, loss}, got ${shown(value)}`);
  const schema = 'split' in value ? EvalRowSchema : StepRowSchema;
  let message = 'expected a row {step, lr, loss} or {step, split, loss}';
  checkAgainst(schema, value, [], (p, m) => (message = p.length === 0 ? m : `${dotted(p)}: ${m}`));
  throw fail(message);
}

/** samples.txt (one name a line, `sample` of them) and weights.json (C, W1, b1, W2, b2 of the model's shapes). */
async function checkOutputs(dir: string, trial: Trial, summary: Summary): Promise<{ samples: string[]; weights: Weight[] }> {
  const samplesFile = path.join(dir, 'samples.txt');
  const text = await readText(samplesFile);
  if (text === undefined) throw new Damage({ file: samplesFile, message: 'missing (a finished trial keeps its generated names)' });
  if (text !== '' && !text.endsWith('\n')) throw new Damage({ file: samplesFile, line: text.split('\n').length, message: 'the last line is cut short (no newline at its end)' });
  const samples = text === '' ? [] : text.slice(0, -1).split('\n');
  if (samples.length !== trial.config.sample) throw new Damage({ file: samplesFile, message: `${samples.length} names, expected ${trial.config.sample} (sample: ${trial.config.sample})` });

  const weightsFile = path.join(dir, 'weights.json');
  const value = await readJson(weightsFile);
  const fail = (message: string) => new Damage({ file: weightsFile, message });
  if (value === undefined) throw fail('missing (a finished trial keeps its trained parameters)');
  const { block_size: T, embed_dim: E, hidden: H } = trial.config.model;
  const V = summary.vocab.length;
  const shapes = Object.entries(paramShapes(V, trial.config.model)); // C, W1, b1, W2, b2, as weights.json lists them
  const weights = value as Weight[];
  if (!Array.isArray(value) || value.length !== shapes.length) throw fail(`expected a list of ${shapes.map(([n]) => n).join(', ')}, got ${shown(value)}`);
  shapes.forEach(([name, shape], i) => {
    const w = weights[i] as Partial<Weight> | null;
    if (w === null || typeof w !== 'object' || w.name !== name) throw fail(`[${i}]: expected ${name}, got ${shown(w?.name ?? w)}`);
    if (!Array.isArray(w.shape) || w.shape.join() !== shape.join()) throw fail(`${name}: expected shape [${shape.join(', ')}] (vocabulary ${V}, model ${T}/${E}/${H}), got ${JSON.stringify(w.shape)}`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(w.values) || w.values.length !== size) throw fail(`${name}: expected ${size} values, got ${Array.isArray(w.values) ? w.values.length : shown(w.values)}`);
    const bad = w.values.findIndex((v) => typeof v !== 'number' && v !== null);
    if (bad >= 0) throw fail(`${name}.values[${bad}]: expected a number, got ${shown(w.values[bad])}`);
  });
  return { samples, weights };
}

/** Throw the first problem of `value` against the schema, named with the key path. */
function against(schema: TSchema, value: unknown, file: string): void {
  let first: string | undefined;
  checkAgainst(schema, value, [], (p, message) => (first ??= p.length === 0 ? message : `${dotted(p)}: ${message}`));
  if (first !== undefined) throw new Damage({ file, message: first });
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A JSON file's value; undefined when the file does not exist. */
async function readJson(file: string): Promise<unknown> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Damage({ file, message: `expected JSON, got ${text.trim() === '' ? 'an empty file' : shown(text.slice(0, 60))} (${(error as Error).message})` });
  }
}

/** Which file a path is, right now (undefined: none): a rewrite gives another inode, time or size. */
async function identity(file: string): Promise<string | undefined> {
  const s = await stat(file, { bigint: true }).catch(() => undefined);
  return s === undefined ? undefined : `${s.ino}:${s.mtimeNs}:${s.size}`;
}

/** True when the file is still the one seen before (or still absent). */
async function stable(file: string, before: string | undefined): Promise<boolean> {
  return (await identity(file)) === before;
}
