// A trial's checkpoint, DIR/NAME/trials/ID/checkpoint.json: the trainer's state at a chunk boundary (src/types.ts,
// TrainState: the weights, every generator, the range test, the latest evaluation, the times so far) and where
// metrics.jsonl (and diagnostics.jsonl) stood then, so that a trial killed later goes on from there. One file per trial, written whole (temp
// file + rename, after metrics.jsonl is flushed to disk), replaced by the next, removed when the trial finishes.
//
// The file is one JSON object: `sha256` (of the rest, as written), `format`, the trial's id and the sha256 of its
// configuration, the step, when it was written, the metrics mark (and the diagnostics mark), and the state. Numbers that JSON cannot hold
// exactly are tagged: typed arrays as base64 of their little-endian bytes ({"$float32": …}, {"$float64": …},
// {"$uint32": …}), and a NaN, an infinity or −0 as {"$number": "-0"}; so every float32 weight and float64 comes back
// with its bits. Read back, it is checked before anything uses it: JSON, the hash, the schema, that it is this trial's
// (id and configuration), and the sizes (weights of the model's shapes, generators, the range test's steps).
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Type, type TSchema } from '@sinclair/typebox';
import { canonicalJson } from '../config/canonical-json.js';
import { dotted } from '../config/load.js';
import { checkAgainst } from '../config/schema-errors.js';
import { paramShapes, PARAM_NAMES } from '../train/shapes.js';
import { isRangeTest } from '../train/schedule.js';
import type { TrainState, Trial } from '../types.js';
import { writeFileAtomic } from './files.js';
import { guarded } from './fs-errors.js';

/** The checkpoint's file name in a trial's directory. */
export const CHECKPOINT_FILE = 'checkpoint.json';

/** What the file says it is: a change to its layout changes this, and an older one is not used. */
const FORMAT = 'run-exp checkpoint 1';

/** Where metrics.jsonl (or diagnostics.jsonl) stood at the checkpoint: its lines and bytes, and its last line (how the cut is found again). */
export interface MetricsMark {
  rows: number; // lines of the file
  bytes: number; // its length in bytes
  last_line: string; // its last line without the newline ('' when it has none)
}

/** A checkpoint as read back and checked. */
export interface Checkpoint {
  trial: string;
  step: number;
  written_at: string;
  metrics: MetricsMark;
  diagnostics?: MetricsMark; // a trial with diagnostics (diagnostics.every): where diagnostics.jsonl stood
  state: TrainState;
}

/** What a trial directory holds: no checkpoint, a usable one, or one that is not used and why. */
export type CheckpointRead = { kind: 'none' } | { kind: 'found'; checkpoint: Checkpoint } | { kind: 'unusable'; reason: string };

/** DIR/NAME/trials/ID/checkpoint.json */
export function checkpointFile(trialDir: string): string {
  return path.join(trialDir, CHECKPOINT_FILE);
}

/** The sha256 of a trial's configuration, as a checkpoint names what it was trained with. */
export function configSha256(trial: Trial): string {
  return createHash('sha256').update(canonicalJson(trial.config)).digest('hex');
}

/** Write the checkpoint whole (readers see the previous one or this one, never a part); `diagnostics`: where diagnostics.jsonl stood, for a trial with diagnostics. */
export async function writeCheckpoint(trialDir: string, trial: Trial, state: TrainState, metrics: MetricsMark, diagnostics?: MetricsMark): Promise<void> {
  const body = JSON.stringify(
    { format: FORMAT, trial: trial.id, config_sha256: configSha256(trial), step: state.step, written_at: new Date().toISOString(), metrics, ...(diagnostics === undefined ? {} : { diagnostics }), state },
    (_key, value: unknown) => encode(value),
  );
  await writeFileAtomic(checkpointFile(trialDir), `{"sha256":${JSON.stringify(sha256(body))},${body.slice(1)}\n`);
}

/** Remove the trial's checkpoint (none is fine). */
export async function removeCheckpoint(trialDir: string): Promise<void> {
  const file = checkpointFile(trialDir);
  await guarded('remove', file, () => rm(file, { force: true }));
}

/** The step of the trial's checkpoint as the file says it (not checked: for `status` to show), or null when it has none or it cannot be read. */
export async function checkpointStep(trialDir: string): Promise<number | null> {
  try {
    const step = (JSON.parse(await readFile(checkpointFile(trialDir), 'utf8')) as { step?: unknown }).step;
    return typeof step === 'number' ? step : null;
  } catch {
    return null;
  }
}

/** The trial's checkpoint, checked: none, found (usable by this trial), or unusable with the reason. */
export async function readCheckpoint(trialDir: string, trial: Trial): Promise<CheckpointRead> {
  let text: string;
  try {
    text = await readFile(checkpointFile(trialDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'unusable', reason: `it could not be read (${(error as Error).message})` };
  }
  const unusable = (reason: string): CheckpointRead => ({ kind: 'unusable', reason });
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    return unusable(`it is not whole JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return unusable('it is not a JSON object');
  const { sha256: hash, ...rest } = value;
  if (hash !== sha256(JSON.stringify(rest))) return unusable('its sha256 does not match its content (damaged)');
  if (rest['format'] !== FORMAT) return unusable(`it is of format ${JSON.stringify(rest['format'])}, this run-exp reads ${JSON.stringify(FORMAT)}`);
  const problem = schemaProblem(FileSchema, rest);
  if (problem !== undefined) return unusable(problem);
  const file = rest as unknown as EncodedFile;
  if (file.trial !== trial.id) return unusable(`it is trial ${file.trial}'s, not ${trial.id}'s`);
  if (file.config_sha256 !== configSha256(trial)) return unusable('it was written for another configuration of this trial id');
  const state = decode(file.state) as TrainState;
  const sizes = sizeProblem(state, trial);
  if (sizes !== undefined) return unusable(sizes);
  if (state.step !== file.step) return unusable(`its step ${file.step} is not its state's ${state.step}`);
  if ((trial.config.diagnostics !== undefined) !== (file.diagnostics !== undefined)) {
    return unusable(file.diagnostics === undefined ? 'it does not say where diagnostics.jsonl stood' : 'it marks a diagnostics.jsonl this trial does not write');
  }
  const diagnostics = file.diagnostics === undefined ? {} : { diagnostics: file.diagnostics };
  return { kind: 'found', checkpoint: { trial: file.trial, step: file.step, written_at: file.written_at, metrics: file.metrics, ...diagnostics, state } };
}

/** The sizes a state must have for this trial: weights of the model's shapes (for the checkpoint's vocabulary), generators, the range test. */
function sizeProblem(state: TrainState, trial: Trial): string | undefined {
  const { config } = trial;
  if (state.step > config.train.steps) return `its step ${state.step} is past train.steps ${config.train.steps}`;
  const shapes = paramShapes(state.vocab.length, config.model);
  for (const name of PARAM_NAMES) {
    const size = shapes[name].reduce((a, b) => a * b, 1);
    const found = state.weights[name]?.length;
    if (found !== size) return `its ${name} has ${found ?? 'no'} values, expected ${size} (shape [${shapes[name].join(', ')}])`;
  }
  if (state.draws.rng !== config.rng) return `it holds the generators of rng: ${state.draws.rng}, the trial draws with rng: ${config.rng}`;
  if (isRangeTest(config.train.lr) !== (state.range_test !== null)) return 'its range test state does not fit the schedule';
  if (state.range_test !== null && (state.range_test.lrs.length !== state.step || state.range_test.smooth.length !== state.step)) {
    return `its range test holds ${state.range_test.lrs.length} steps, expected ${state.step}`;
  }
  return undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON.stringify's replacer: typed arrays as base64 of their bytes, and the numbers JSON cannot hold as tagged strings. */
function encode(value: unknown): unknown {
  if (value instanceof Float32Array) return { $float32: bytesOf(value) };
  if (value instanceof Float64Array) return { $float64: bytesOf(value) };
  if (value instanceof Uint32Array) return { $uint32: bytesOf(value) };
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return { $number: Object.is(value, -0) ? '-0' : String(value) };
  return value;
}

/** The inverse of encode, over a parsed value. */
function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (typeof o['$float32'] === 'string') return new Float32Array(arrayBufferOf(o['$float32'], 4));
  if (typeof o['$float64'] === 'string') return new Float64Array(arrayBufferOf(o['$float64'], 8));
  if (typeof o['$uint32'] === 'string') return new Uint32Array(arrayBufferOf(o['$uint32'], 4));
  if (typeof o['$number'] === 'string') return o['$number'] === '-0' ? -0 : Number(o['$number']);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decode(v)]));
}

function bytesOf(a: Float32Array | Float64Array | Uint32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** base64 → an ArrayBuffer of whole `width`-byte elements (copied, so aligned; a ragged tail is dropped, and the size checks then fail). */
function arrayBufferOf(base64: string, width: number): ArrayBuffer {
  const bytes = Buffer.from(base64, 'base64');
  const copy = new Uint8Array(bytes.length - (bytes.length % width));
  copy.set(bytes.subarray(0, copy.length));
  return copy.buffer;
}

/** The first problem of `value` against the schema, with its key path, or undefined. */
function schemaProblem(schema: TSchema, value: unknown): string | undefined {
  let first: string | undefined;
  checkAgainst(schema, value, [], (p, message) => (first ??= p.length === 0 ? message : `${dotted(p)}: ${message}`));
  return first;
}

// The schema of the file as JSON (tagged values as they are written); the sizes are checked once decoded.
const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' });
const F32 = Type.Object({ $float32: Base64 }, { additionalProperties: false });
const F64 = Type.Object({ $float64: Base64 }, { additionalProperties: false });
const U32 = Type.Object({ $uint32: Base64 }, { additionalProperties: false });
const Num = Type.Union([Type.Number(), Type.Object({ $number: Type.Union([Type.Literal('NaN'), Type.Literal('Infinity'), Type.Literal('-Infinity'), Type.Literal('-0')]) }, { additionalProperties: false })]);
const Count = Type.Integer({ minimum: 0 });
const Loss = Type.Union([Num, Type.Null()]);
const Int32 = Type.Integer({ minimum: -0x80000000, maximum: 0x7fffffff });
const RngStateSchema = Type.Object({ kind: Type.Literal('xoroshiro128+'), words: Type.Array(Int32, { minItems: 4, maxItems: 4 }), spare: Type.Union([Num, Type.Null()]) }, { additionalProperties: false });
const TorchStateSchema = Type.Object(
  { kind: Type.Literal('mt19937'), words: U32, index: Type.Integer({ minimum: 0, maximum: 624 }), normal: Type.Union([Num, Type.Null()]) },
  { additionalProperties: false },
);
const StateSchema = Type.Object(
  {
    step: Type.Integer({ minimum: 1 }),
    weights: Type.Record(Type.String(), F32),
    draws: Type.Union([
      Type.Object({ rng: Type.Literal('streams'), init: RngStateSchema, batch: RngStateSchema, sample: RngStateSchema }, { additionalProperties: false }),
      Type.Object({ rng: Type.Literal('torch'), generator: TorchStateSchema, sample: TorchStateSchema }, { additionalProperties: false }),
    ]),
    first_loss: Loss,
    final: Type.Object({ train_loss: Loss, dev_loss: Loss, test_loss: Loss }, { additionalProperties: false }),
    last_eval_step: Type.Integer({ minimum: -1 }),
    range_test: Type.Union([Type.Object({ avg: Num, best: Num, lrs: F64, smooth: F64 }, { additionalProperties: false }), Type.Null()]),
    time: Type.Object(
      { seconds: Num, train_seconds: Num, train_cpu_seconds: Num, peak_bytes: Num, started_at: Type.String({ minLength: 1 }) },
      { additionalProperties: false },
    ),
    backend: Type.String({ minLength: 1 }),
    engine: Type.String({ minLength: 1 }),
    vocab: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);
const MarkSchema = Type.Object({ rows: Count, bytes: Count, last_line: Type.String() }, { additionalProperties: false });
const FileSchema = Type.Object(
  {
    format: Type.Literal(FORMAT),
    trial: Type.String({ minLength: 1 }),
    config_sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    step: Type.Integer({ minimum: 1 }),
    written_at: Type.String({ minLength: 1 }),
    metrics: MarkSchema,
    diagnostics: Type.Optional(MarkSchema),
    state: StateSchema,
  },
  { additionalProperties: false },
);

/** The file as JSON, once it fits FileSchema. */
interface EncodedFile {
  trial: string;
  config_sha256: string;
  step: number;
  written_at: string;
  metrics: MetricsMark;
  diagnostics?: MetricsMark;
  state: unknown;
}
