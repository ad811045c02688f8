// The plan's memory, before anything runs: each trial's peak (src/train/memory.ts) against what can hold it, so a
// trial that cannot fit is refused at planning with the key that makes it too large, instead of thrashing or dying
// with `Invalid typed array length` at run time.
//
//   limits    sizes no machine can run: TF.js's tensors past the WASM heap's 4 GiB (wasm32), the kernel engine's
//             buffers past its WebAssembly memory's 4 GiB (said with what would fit), a typed array of more than 2^32
//             elements, weights.json longer than one JavaScript string
//   machine   a local run: the parent, plus the trials that run at once, within this machine's memory (its RAM, or
//             its cgroup's memory.max when lower); fewer workers run at once when not all of them fit
//   Slurm     a task's trial within its memory limit, when given: executor.mem_gb (sbatch --mem), or the --mem or
//             --mem-per-cpu of executor.sbatch_args, which sbatch reads after it (src/config/sbatch-memory.ts)
//
// A refusal names the key that makes the trial too large: of batch_size, hidden, embed_dim, block_size and the data,
// the one whose default (the built-in names for the data) would shrink the trial's need the most.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { Value } from '@sinclair/typebox/value';
import type { KeyPath } from '../config/load.js';
import type { WordFile } from '../config/resolve.js';
import { taskMemoryLimit } from '../config/sbatch-memory.js';
import { ModelSchema, TrainSchema, type Model, type Train } from '../config/schema.js';
import { formatBytes } from '../format.js';
import * as msg from '../messages.js';
import { CHUNK_STEPS, chunkSteps, tfjsChunkSteps } from '../train/chunks.js';
import { kernelProblem } from '../train/kernel/layout.js';
import { kernelShapeOf, trialMemory, type DataSizes, type MemoryEstimate } from '../train/memory.js';
import { paramCount } from '../train/shapes.js';
import type { BackendName, Plan, Trial, TrialConfig } from '../types.js';
import { dataSizes } from './estimate.js';
import { workerCount } from './local/jobs.js';

/** The WASM heap's largest size (tfjs-backend-wasm's getHeapMax: 4 GiB − 64 KiB, wasm32's address space). */
export const WASM_HEAP_MAX = 4_294_901_760;
/** Elements of a typed array, at most (V8 in Node 20). */
export const TYPED_ARRAY_MAX = 2 ** 32;
/** Characters of one JavaScript string, at most (V8: 2^29 − 24): weights.json is one. */
export const STRING_MAX = 2 ** 29 - 24;
/** Characters of weights.json per parameter: a float32 as JSON text and its comma (estimate.ts counts 20 bytes). */
const WEIGHT_CHARS = 20;
/** The parent of a local run at rest (node, the run stage, the report's libraries: measured 90–120 MB). */
const PARENT_RUNTIME = 120e6;
/** The parent's bytes per parameter of the largest trial: the weights as they arrive (IPC), as JSON text, then read back by the checks and the report (measured 185–210). */
const PARENT_PER_PARAM = 220;

/** This machine's memory: its RAM, the limit that applies (a cgroup's memory.max when lower) and what is available now. */
export interface MachineMemory {
  total: number;
  limit: number;
  available: number;
  limitedBy: string; // "this machine's memory", or the cgroup file that lowers it
}

/** A trial that cannot run, where to say so, and why (`kind`: which limit it passes). */
export interface MemoryProblem {
  kind: 'machine' | 'slurm' | 'wasm' | 'kernel' | 'array' | 'string';
  trial: Trial;
  path: KeyPath;
  message: string;
}

/** The plan's memory: each trial's peak, the whole run's, how many trials run at once, and what is refused or said. */
export interface MemoryPlan {
  trials: { id: string; bytes: number }[]; // the peak of the process that trains each trial
  workers: number; // trials at once (a local run: --jobs, lowered when their peaks do not fit together)
  peak: number; // the run's: the parent and `workers` of the largest trials (a local run), or the largest trial (Slurm)
  limit: number | undefined; // what it must fit in (this machine, or a Slurm task's limit)
  limitSaid?: string; // a Slurm task's limit as the file sets it: `executor.mem_gb: 4`, `--mem=4G`
  problems: MemoryProblem[];
  warnings: string[];
}

/** What the check needs besides the plan. */
export interface MemoryOptions {
  jobs: number; // --jobs: workers at once (local)
  backend: BackendName;
  machine?: MachineMemory; // default: this machine's (tests give their own)
}

/** Each trial's peak memory against what must hold it; see above. */
export function planMemory(plan: Plan, files: ReadonlyMap<string, WordFile>, options: MemoryOptions): MemoryPlan {
  const estimates = plan.trials.map((trial) => {
    const sizes = dataSizes(trial, files);
    return { trial, sizes, estimate: trialMemory(trial.config, sizes) };
  });
  const problems: MemoryProblem[] = [];
  const warnings: string[] = [];
  const wasm = usesWasm(options.backend);
  for (const { trial, sizes, estimate } of estimates) problems.push(...beyondLimits(trial, sizes, estimate, wasm));
  const trials = estimates.map(({ trial, estimate }) => ({ id: trial.id, bytes: estimate.bytes }));
  const largest = Math.max(0, ...trials.map((t) => t.bytes));
  const executor = plan.experiment.executor;
  if (executor.kind === 'slurm') {
    const limit = taskMemoryLimit(executor);
    for (const { trial, sizes, estimate } of limit === undefined ? [] : estimates) {
      const need = estimate.bytes + WEIGHT_CHARS * paramCount(sizes.vocab, trial.config.model); // a task writes its own weights.json
      if (need <= limit!.bytes) continue;
      const size = blame(trial.config, sizes, bytesOf);
      // At the key that makes the trial too large when the limit is mem_gb's; at the sbatch_args item when it sets the limit.
      const path = limit!.path[1] === 'mem_gb' ? size : limit!.path;
      const smaller = size.length > 1 ? size.join('.') : undefined; // ['model']: no key's default makes it smaller
      problems.push({ kind: 'slurm', trial, path, message: msg.beyondSlurmMemory(formatBytes(need), describeParts(estimate), limit!.said, path === size, smaller) });
    }
    return { trials, workers: Math.max(1, Math.min(executor.array_parallelism, plan.trials.length)), peak: largest, limit: limit?.bytes, limitSaid: limit?.said, problems: firstOfEach(problems), warnings };
  }
  const machine = options.machine ?? machineMemory();
  const parent = PARENT_RUNTIME + PARENT_PER_PARAM * Math.max(0, ...estimates.map(({ trial, sizes }) => paramCount(sizes.vocab, trial.config.model)));
  for (const { trial, sizes, estimate } of estimates) {
    if (parent + estimate.bytes <= machine.limit) continue;
    const path = blame(trial.config, sizes, bytesOf);
    problems.push({ kind: 'machine', trial, path, message: msg.beyondMachineMemory(formatBytes(estimate.bytes), describeParts(estimate), formatBytes(machine.limit), machine.limitedBy) });
  }
  const { workers: asked } = workerCount(options.jobs, plan.trials.length);
  const fit = largest === 0 ? asked : Math.max(1, Math.floor((machine.limit - parent) / largest));
  const workers = Math.min(asked, fit);
  if (workers < asked && problems.length === 0) warnings.push(msg.fewerWorkers(workers, asked, formatBytes(largest), formatBytes(machine.limit), machine.limitedBy));
  const peak = parent + workers * largest;
  if (problems.length === 0 && peak > machine.available) warnings.push(msg.moreThanAvailable(formatBytes(peak), formatBytes(machine.available)));
  return { trials, workers, peak, limit: machine.limit, problems: firstOfEach(problems), warnings };
}

/** The limits in the order they are said: what no machine runs first (one problem a trial: the most fundamental). */
const KINDS: MemoryProblem['kind'][] = ['array', 'string', 'wasm', 'kernel', 'machine', 'slurm'];

/**
 * One problem per trial, its most fundamental, and one per key and value: the first trial (in plan order) that makes a
 * value too large speaks for the others with the same value.
 */
function firstOfEach(problems: MemoryProblem[]): MemoryProblem[] {
  const sorted = [...problems].sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  const trials = new Set<string>();
  const values = new Set<string>();
  const kept = sorted.filter((p) => {
    const value = JSON.stringify([p.path, p.trial.params[p.path.join('.')] ?? null]);
    if (trials.has(p.trial.id) || values.has(value)) return false;
    trials.add(p.trial.id);
    values.add(value);
    return true;
  });
  return kept.sort((a, b) => a.trial.index - b.trial.index);
}

/** The sizes no machine runs, whatever its memory. */
function beyondLimits(trial: Trial, sizes: DataSizes, estimate: MemoryEstimate, wasm: boolean): MemoryProblem[] {
  const problems: MemoryProblem[] = [];
  const { config } = trial;
  if (wasm && estimate.heap > WASM_HEAP_MAX) {
    problems.push({ kind: 'wasm', trial, path: blame(config, sizes, (c, s) => trialMemory(c, s).heap), message: msg.beyondWasmHeap(formatBytes(estimate.heap), formatBytes(WASM_HEAP_MAX)) });
  }
  if (config.engine === 'kernel') {
    // Blamed at the key further above the lecture's (batch_size over 32, hidden over 200), with what would fit.
    const problem = kernelProblem(kernelShapeOf(config, sizes), chunkSteps(config.train.lr), true);
    if (problem !== null) problems.push({ kind: 'kernel', trial, path: problem.key.split('.'), message: problem.message });
  }
  const largest = largestArray(config, sizes);
  if (largest > TYPED_ARRAY_MAX) {
    problems.push({ kind: 'array', trial, path: blame(config, sizes, largestArray), message: msg.beyondTypedArray(largest.toLocaleString('en-US'), TYPED_ARRAY_MAX.toLocaleString('en-US')) });
  }
  const text = WEIGHT_CHARS * paramCount(sizes.vocab, config.model);
  if (text > STRING_MAX) {
    problems.push({ kind: 'string', trial, path: blame(config, sizes, (c, s) => paramCount(s.vocab, c.model)), message: msg.beyondString(formatBytes(text), formatBytes(STRING_MAX)) });
  }
  return problems;
}

/** Elements of the largest array a trial makes: a step's (B, H), (B, V) or (B, T·E), a weight, the training split's contexts. */
function largestArray(config: TrialConfig, sizes: DataSizes): number {
  const { block_size: T, embed_dim: E, hidden: H } = config.model;
  const V = sizes.vocab;
  const train = Math.round(trainExamples(config, sizes));
  const B = config.train.batch_size === 'full' ? train : config.train.batch_size;
  return Math.max(B * H, B * V, B * T * E, T * E * H, H * V, V * E, train * T, tfjsChunkSteps(B, V, CHUNK_STEPS) * B);
}

/** The training split's examples, about (as the estimates count them). */
function trainExamples(config: TrialConfig, sizes: DataSizes): number {
  const used = config.data.slice === undefined ? 1 : Math.min(1, config.data.slice.first / sizes.words);
  return sizes.examples * used * config.data.split.train;
}

// The keys a trial's size grows with, and the value each takes by default (the schema's defaults).
const MODEL_DEFAULTS = Value.Default(ModelSchema, {}) as Model;
const BATCH_DEFAULT = (Value.Default(TrainSchema, {}) as Train).batch_size;
let namesSizes: DataSizes | undefined; // the built-in names, the data's default

/**
 * The key that makes a trial too large by `measure`: the one whose default shrinks the measure the most (the data's
 * default is the built-in names, unsliced). Its path in the experiment (the caller locates it, at the grid value when
 * the key varies).
 */
function blame(config: TrialConfig, sizes: DataSizes, measure: (c: TrialConfig, s: DataSizes) => number): KeyPath {
  namesSizes ??= dataSizes({ config: { data: { builtin: 'names' } } } as Trial, new Map());
  const model = (key: keyof Model) => ({ ...config, model: { ...config.model, [key]: MODEL_DEFAULTS[key] } });
  const data = config.data;
  const dataPath: KeyPath = data.slice !== undefined ? ['data', 'slice', 'first'] : data.file !== undefined ? ['data', 'file'] : ['data', 'builtin'];
  const candidates: [KeyPath, TrialConfig, DataSizes][] = [
    [['train', 'batch_size'], { ...config, train: { ...config.train, batch_size: BATCH_DEFAULT } }, sizes],
    [['model', 'hidden'], model('hidden'), sizes],
    [['model', 'embed_dim'], model('embed_dim'), sizes],
    [['model', 'block_size'], model('block_size'), sizes],
    [dataPath, { ...config, data: { builtin: 'names', split: data.split, shuffle_seed: data.shuffle_seed } }, namesSizes],
  ];
  const now = measure(config, sizes);
  let best: { path: KeyPath; saved: number } = { path: ['model'], saved: 0 };
  for (const [path, c, s] of candidates) {
    const saved = now - measure(c, s);
    if (saved > best.saved) best = { path, saved };
  }
  return best.path;
}

/** A trial's peak (the measure most refusals blame by). */
function bytesOf(config: TrialConfig, sizes: DataSizes): number {
  return trialMemory(config, sizes).bytes;
}

/** The largest parts of an estimate, in words: "tensors 38 GB, weights 2.1 GB". */
function describeParts(estimate: MemoryEstimate): string {
  return [...estimate.parts].sort((a, b) => b.bytes - a.bytes).slice(0, 2).map((p) => `${p.name} ${formatBytes(p.bytes)}`).join(', ');
}

/** Whether TF.js's tensors live in the WASM heap: --backend wasm, or auto where tfjs-node (an optional dependency) is absent. */
function usesWasm(backend: BackendName): boolean {
  if (backend !== 'auto') return backend === 'wasm';
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return false; // auto takes tfjs-node when it loads (src/train/backend.ts)
  } catch {
    return true;
  }
}

/** This machine's memory: os.totalmem, lowered by a cgroup's memory limit (v2 memory.max, v1 memory.limit_in_bytes), and os.freemem (MemAvailable). */
export function machineMemory(): MachineMemory {
  const total = os.totalmem();
  const cgroup = cgroupLimit(readOr('/proc/self/cgroup') ?? '');
  const limited = cgroup !== undefined && cgroup.bytes < total;
  return { total, limit: limited ? cgroup.bytes : total, available: os.freemem(), limitedBy: limited ? `the memory limit of its cgroup (${cgroup.file})` : "this machine's memory" };
}

/**
 * The lowest memory limit of a process's cgroup and its ancestors, or undefined when there is none. `cgroups` is the
 * text of /proc/PID/cgroup: a line `0::/PATH` names the cgroup (v2, ROOT/PATH/memory.max), a line `N:…memory…:/PATH`
 * the memory controller's (v1, ROOT/memory/PATH/memory.limit_in_bytes); "max" and v1's huge number mean no limit.
 */
export function cgroupLimit(cgroups: string, root = '/sys/fs/cgroup'): { bytes: number; file: string } | undefined {
  let found: { bytes: number; file: string } | undefined;
  const consider = (file: string) => {
    const text = readOr(file)?.trim();
    const bytes = text === undefined || text === 'max' ? Number.NaN : Number(text);
    if (Number.isFinite(bytes) && bytes > 0 && bytes < (found?.bytes ?? Infinity)) found = { bytes, file };
  };
  const upward = (dir: string, file: (d: string) => string) => {
    for (let d = dir; ; d = d.slice(0, d.lastIndexOf('/')) || '/') {
      consider(file(d === '/' ? '' : d));
      if (d === '/') break;
    }
  };
  for (const line of cgroups.split('\n')) {
    const [hierarchy, controllers, where] = line.split(':');
    if (where === undefined || !where.startsWith('/')) continue;
    if (hierarchy === '0' && controllers === '') upward(where, (d) => `${root}${d}/memory.max`);
    else if (controllers!.split(',').includes('memory')) upward(where, (d) => `${root}/memory${d}/memory.limit_in_bytes`);
  }
  return found;
}

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
