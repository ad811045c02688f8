// How long a plan will take, before it runs: a simple cost model, documented here and in `--help`.
//
//   step  = STEP_OVERHEAD + batch × MACs × TRAIN_SECONDS_PER_MAC        (forward + backward + update)
//   eval  = examples of the evaluated splits × MACs × EVAL_SECONDS_PER_MAC (forward only), at every eval
//   trial = TRIAL_OVERHEAD + steps × step + evals × eval
// where MACs = block_size·embed_dim·hidden + hidden·vocab, the multiply-adds of one example's forward pass.
// Calibrated so the lecture's network (block 3, embedding 10, hidden 200, batch 32, vocab 27) runs at
// 2,000 steps/s: half of a step is fixed per-op overhead, half is arithmetic. It is a rough guide for
// planning (seconds vs hours), not a benchmark.
import type { Plan, Trial } from './types.js';
import type { WordFile } from './config/resolve.js';
import { builtinWords } from './train/builtin.js';

const STEP_OVERHEAD = 250e-6; // s per step: dispatching ~20 small ops, whatever their size
const TRAIN_SECONDS_PER_MAC = 250e-6 / (32 * (3 * 10 * 200 + 200 * 27)); // the other 250 µs of the lecture's step
const EVAL_SECONDS_PER_MAC = TRAIN_SECONDS_PER_MAC / 3; // forward only: about a third of forward + backward
const TRIAL_OVERHEAD = 1; // s: a worker's start, backend initialisation, data preparation

/** The cost model in one line, for --help and the JSON plan. */
export const COST_MODEL =
  'per step 250 µs + batch × (block·embed·hidden + hidden·vocab) × 0.69 ns; evals forward-only at a third of that; +1 s per trial (≈ 2,000 steps/s for the lecture network)';

/** The estimate of one trial and of the whole plan. */
export interface Estimate {
  trials: { id: string; steps: number; seconds: number }[];
  steps: number; // total training steps
  seconds: number; // total compute, one trial after another
  wallSeconds: number; // with `jobs` trials at once
  jobs: number;
}

/** What the plan's data holds, as far as the estimate needs it. */
interface Corpus {
  words: number;
  examples: number;
  vocab: number;
}

/** Estimate the plan's time with `jobs` trials running at once. */
export function estimatePlan(plan: Plan, files: ReadonlyMap<string, WordFile>, jobs: number): Estimate {
  const trials = plan.trials.map((t) => ({ id: t.id, steps: t.config.train.steps, seconds: estimateTrial(t, corpusOf(t, files)) }));
  const seconds = trials.reduce((s, t) => s + t.seconds, 0);
  const longest = trials.reduce((m, t) => Math.max(m, t.seconds), 0);
  const lanes = Math.max(1, Math.min(jobs, trials.length));
  return { trials, steps: trials.reduce((s, t) => s + t.steps, 0), seconds, wallSeconds: Math.max(longest, seconds / lanes), jobs: lanes };
}

function estimateTrial(trial: Trial, corpus: Corpus): number {
  const { model, train, eval: evaluation, data } = trial.config;
  const macs = model.block_size * model.embed_dim * model.hidden + model.hidden * corpus.vocab;
  const used = data.slice === undefined ? 1 : Math.min(1, data.slice.first / corpus.words);
  const examples = (split: 'train' | 'dev' | 'test') => corpus.examples * used * data.split[split];
  const batch = train.batch_size === 'full' ? examples('train') : train.batch_size;
  const step = STEP_OVERHEAD + batch * macs * TRAIN_SECONDS_PER_MAC;
  const evals = Math.floor(train.steps / evaluation.every) + (train.steps % evaluation.every === 0 ? 0 : 1); // every N steps, and at the end
  const evalSeconds = evaluation.splits.reduce((s, split) => s + examples(split), 0) * macs * EVAL_SECONDS_PER_MAC;
  return TRIAL_OVERHEAD + train.steps * step + evals * evalSeconds;
}

let builtin: Corpus | undefined;

function corpusOf(trial: Trial, files: ReadonlyMap<string, WordFile>): Corpus {
  const data = trial.config.data;
  if (data.file !== undefined) {
    const f = files.get(data.file);
    return f === undefined ? { words: 1, examples: 1, vocab: 27 } : { words: f.words, examples: f.examples, vocab: f.chars + 1 };
  }
  if (builtin === undefined) {
    const words = builtinWords(data.builtin);
    builtin = { words: words.length, examples: words.reduce((n, w) => n + w.length + 1, 0), vocab: new Set(words.join('')).size + 1 };
  }
  return builtin;
}

/** "45 s", "12 min", "3.5 h". */
export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
