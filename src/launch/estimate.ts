// How long a plan will take and how much it writes, before it runs: a simple cost model, documented here and in `--help`.
//
//   diag  = DIAGNOSTIC_OVERHEAD + tfjs step (a step's forward and backward again by TF.js, whatever the engine, and the reads)
//   trial = TRIAL_OVERHEAD + steps × step + evals × eval + diagnostics × diag
// with a step's cost on the trial's engine and an evaluation's from src/train/cost.ts (the lecture's network at
// ≈ 12,500 steps/s on the kernel engine, ≈ 2,000 on tfjs). It is a rough guide for planning (seconds vs hours), not a
// benchmark.
//
// Disk: metrics.jsonl keeps a row per step (about 50 bytes; 90 with a range test's smoothed loss) and per evaluated
// split; diagnostics.jsonl about 1,000 bytes per diagnostics step; weights.json about 20 bytes per parameter. A plan that would run for more than a day or write more than a
// gigabyte gets a warning with --dry-run (and in its JSON), so a typo of a zero shows before it costs a week.
import type { Plan, Trial } from '../types.js';
import type { WordFile } from '../config/resolve.js';
import { formatBytes, formatDurationRough } from '../format.js';
import { builtinWords } from '../train/builtin.js';
import { EVAL_SECONDS_PER_MAC, forwardMacs, stepSeconds } from '../train/cost.js';
import { isRangeTest } from '../train/schedule.js';
import type { DataSizes } from '../train/memory.js';
import { paramCount } from '../train/shapes.js';
import { cores, workerCount } from './local/jobs.js';

const TRIAL_OVERHEAD = 1; // s: a worker's start, backend initialisation, data preparation
const STEP_ROW_BYTES = 50; // {"step":123456,"lr":0.1,"loss":2.1234567890123456}
const RANGE_ROW_BYTES = 90; // … plus "smooth"
const EVAL_ROW_BYTES = 50; // {"step":123456,"split":"dev","loss":2.1234567890123456}
const WEIGHT_BYTES = 20; // a float32 as JSON text in weights.json
const DIAGNOSTICS_ROW_BYTES = 1000; // a row of diagnostics.jsonl: 950–1,120 bytes measured (its 50 histogram counts grow with the batch)
const DIAGNOSTIC_OVERHEAD = 1e-3; // s per diagnostics step besides its pass: reading h, the weights and the gradients back

/** Beyond these, --dry-run warns: a day of compute, a gigabyte of files. */
export const WARN_SECONDS = 24 * 3600;
export const WARN_BYTES = 1e9;

/** The cost model in one line, for --help and the JSON plan. */
export const COST_MODEL =
  'per step on the kernel engine 5 µs + batch × (block·embed·hidden + hidden·vocab) × 0.21 ns (≈ 12,500 steps/s for the lecture network), on tfjs 250 µs + the same × 0.69 ns (≈ 2,000 steps/s); evals forward-only at a third of tfjs\'s; +1 s per trial';

/** The estimate of one trial and of the whole plan. */
export interface Estimate {
  trials: { id: string; steps: number; seconds: number; bytes: number }[];
  steps: number; // total training steps
  seconds: number; // total compute, one trial after another
  wallSeconds: number; // with `jobs` trials at once
  jobs: number;
  bytes: number; // what the trials write (metrics.jsonl, diagnostics.jsonl, weights.json), about
  warnings: string[]; // a run of more than a day, or more than a gigabyte of files
}

/** Estimate the plan's time with `jobs` trials running at once on a machine of `n` cores (a local run), or as Slurm tasks. */
export function estimatePlan(plan: Plan, files: ReadonlyMap<string, WordFile>, jobs: number, n = cores()): Estimate {
  const trials = plan.trials.map((t) => ({ id: t.id, steps: t.config.train.steps, ...estimateTrial(t, dataSizes(t, files)) }));
  const seconds = trials.reduce((s, t) => s + t.seconds, 0);
  const longest = trials.reduce((m, t) => Math.max(m, t.seconds), 0);
  // Locally, workers beyond the cores take turns on them: the work proceeds at most `cores` trials at a time.
  const local = plan.experiment.executor.kind === 'local';
  const { workers: lanes, warning } = local ? workerCount(jobs, trials.length, n) : { workers: Math.max(1, Math.min(jobs, trials.length)), warning: undefined };
  const wallSeconds = Math.max(longest, seconds / (local ? Math.min(lanes, n) : lanes));
  const bytes = trials.reduce((s, t) => s + t.bytes, 0);
  const warnings: string[] = warning === undefined ? [] : [warning];
  if (wallSeconds > WARN_SECONDS) warnings.push(`this plan runs for about ${formatDurationRough(wallSeconds)} with ${lanes} job${lanes === 1 ? '' : 's'}: check train.steps and the grid before starting it`);
  if (bytes > WARN_BYTES) warnings.push(`this plan writes about ${formatBytes(bytes)} of results (metrics.jsonl keeps a row per step): make sure ${plan.experiment.name}'s output directory has room`);
  return { trials, steps: trials.reduce((s, t) => s + t.steps, 0), seconds, wallSeconds, jobs: lanes, bytes, warnings };
}

function estimateTrial(trial: Trial, corpus: DataSizes): { seconds: number; bytes: number } {
  const { model, train, eval: evaluation, data } = trial.config;
  const macs = forwardMacs(model, corpus.vocab);
  const used = data.slice === undefined ? 1 : Math.min(1, data.slice.first / corpus.words);
  const examples = (split: 'train' | 'dev' | 'test') => corpus.examples * used * data.split[split];
  const batch = train.batch_size === 'full' ? examples('train') : train.batch_size;
  const step = stepSeconds(model, batch, corpus.vocab, trial.config.engine);
  const evals = Math.floor(train.steps / evaluation.every) + (train.steps % evaluation.every === 0 ? 0 : 1); // every N steps, and at the end
  const evalSeconds = evaluation.splits.reduce((s, split) => s + examples(split), 0) * macs * EVAL_SECONDS_PER_MAC;
  const params = paramCount(corpus.vocab, model);
  const diagnostics = diagnosticsSteps(trial);
  const bytes =
    train.steps * (isRangeTest(train.lr) ? RANGE_ROW_BYTES : STEP_ROW_BYTES) + evals * evaluation.splits.length * EVAL_ROW_BYTES + diagnostics * DIAGNOSTICS_ROW_BYTES + params * WEIGHT_BYTES;
  return { seconds: TRIAL_OVERHEAD + train.steps * step + evals * evalSeconds + diagnostics * (DIAGNOSTIC_OVERHEAD + stepSeconds(model, batch, corpus.vocab, 'tfjs')), bytes };
}

/** How many rows a trial's diagnostics.jsonl gets: steps 0, every, 2·every, … before train.steps (0 without diagnostics). */
export function diagnosticsSteps(trial: Trial): number {
  const every = trial.config.diagnostics?.every;
  return every === undefined ? 0 : Math.ceil(trial.config.train.steps / every);
}

const builtins = new Map<string, DataSizes>(); // per built-in list, counted once per process

/** The sizes of a trial's word list (the whole list, before its slice): from the plan's word files, or the built-in list. */
export function dataSizes(trial: Trial, files: ReadonlyMap<string, WordFile>): DataSizes {
  const data = trial.config.data;
  if (data.file !== undefined) {
    const f = files.get(data.file);
    return f === undefined ? { words: 1, examples: 1, vocab: 27, bytes: 0 } : { words: f.words, examples: f.examples, vocab: f.chars + 1, bytes: f.bytes };
  }
  let builtin = builtins.get(data.builtin);
  if (builtin === undefined) {
    const words = builtinWords(data.builtin);
    builtin = { words: words.length, examples: words.reduce((n, w) => n + w.length + 1, 0), vocab: new Set(words.join('')).size + 1, bytes: 0 };
    builtins.set(data.builtin, builtin);
  }
  return builtin;
}
