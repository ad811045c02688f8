// How much memory one trial takes at its peak, before it runs: a sum of named parts over its resolved configuration and
// the sizes of its data, without TF.js (the plan's check and --dry-run use it; src/launch/memory.ts compares it with
// the machine). Shapes: B examples a step, T = block_size, E = embed_dim, D = T·E, H = hidden, V = vocabulary, P the
// parameters (shapes.ts); bytes of float32 and int32 are 4.
//
//   runtime      node, TF.js and its WASM backend, loaded (a worker at rest)
//   words        the word list as read: the file's bytes, its text and its lines
//   windows      every split's context windows and targets, (n, T) and (n,) int32 (data.ts), and the bigram reference's
//                pairs, a float64 per training example (bigram.ts; its (V, V) table of counts is mostly zeros that are
//                never touched, so not resident)
//   heap         TF.js's tensors at their peak, in the WASM heap, which never gives memory back: the parameters with
//                the chunk's copy, their gradients and the update (P each), plus the largest of a training step's
//                activations (B rows), an evaluation batch's (16,384 rows) and the chunk's logits read back for its
//                losses; times the allocator's slack
//   weights      the trained parameters as JavaScript numbers at the end (weights.json's values, then IPC)
//   diagnostics  with diagnostics.every, a diagnostics step's reads (diagnostics.ts): h (B, H), the parameters and their
//                gradients as float32 on the host (its tensors are a step's, counted in the heap)
//   kernel       the kernel engine's WebAssembly memory (engine: kernel; src/train/kernel/layout.ts): the training
//                split, the weights and their gradients, a chunk's steps of activations, row indices and losses. The
//                training step then runs there, not in TF.js's heap, which keeps the parameters and evaluations (and
//                a diagnostics step's tensors, a step's as tfjs's)
//
// The factors below count the tensors the code allocates (step.ts, model.ts, loss.ts, evaluate.ts, trial.ts) and were
// then calibrated against the peaks of real workers (VmHWM, `node dist/bench/memory-estimate.js`; README).
import type { TrialConfig } from '../config/trial.js';
import { chunkSteps, evalFloatsPerRow, evalRows, tfjsChunkSteps } from './chunks.js';
import { engineShape, kernelBytes, type KernelShape } from './kernel/layout.js';
import { paramCount } from './shapes.js';

/** The sizes of a trial's word list that its memory depends on (the whole list, before data.slice). */
export interface DataSizes {
  words: number;
  examples: number; // Σ (word length + 1): the (context, next character) examples of every word
  vocab: number; // V, with '.'
  bytes: number; // the word file's size (0 for a built-in list: part of the runtime)
}

/** One named part of a trial's peak. */
export interface MemoryPart {
  name: string;
  bytes: number;
}

/** A trial's peak memory: its parts, their sum, and the share that lives in the WASM heap (its limit is 4 GiB). */
export interface MemoryEstimate {
  parts: MemoryPart[];
  bytes: number;
  heap: number; // bytes of the WASM heap at its peak (the 'heap' part)
}

const RUNTIME = 110e6; // a worker at rest: node, tfjs-core, the WASM backend and its 16 MB initial heap (measured 100–106 MB), the parent watch
const WORD_FILE_FACTOR = 6; // the file's bytes, its text (two bytes a character past Latin-1), the lines, the trimmed words
// Tensors of a training step, per example (B rows), in floats: of width H the pre-activation, its sum with b1, tanh's
// output and its transpose, dh, h², 1 − h², dpre, and XNNPACK's packed copy of dpre as the right operand of dW1's
// matMul (9); of width V the logits and their sum with b2, softmax, one-hot (int32, then cast), the gradient and lr/B
// times it (7); of width D the embeddings, their transpose and their gradient (3); of width T + 1 the batch's contexts
// and targets.
const STEP_H = 9;
const STEP_V = 7;
const STEP_D = 3;
// The chunk's losses (trial.ts: chunkLosses): the kept logits, their concatenation, log-softmax, one-hot (int32, cast),
// product: 6 floats per kept logit.
const LOSS_V = 6;
const PARAM_COPIES = 5; // the variables, the chunk's copy (trial.ts), the gradients, the transposed weights, the update
const HEAP_SLACK = 1.2; // the WASM heap's allocator: the blocks of a chunk's steps, freed and allocated again around the kept logits, leave gaps (calibrated)
const WEIGHT_VALUE_BYTES = 21; // dataSync's float32 (4), Array.from's float64 (8), the structured clone sent to the parent (≈ 9)

/** The memory of one trial at its peak in the process that trains it. */
export function trialMemory(config: TrialConfig, data: DataSizes): MemoryEstimate {
  const { model, train } = config;
  const V = data.vocab;
  const T = model.block_size;
  const D = T * model.embed_dim;
  const H = model.hidden;
  const P = paramCount(V, model);
  const used = config.data.slice === undefined ? 1 : Math.min(1, config.data.slice.first / data.words);
  const examples = data.examples * used;
  const split = (s: 'train' | 'dev' | 'test') => examples * config.data.split[s];
  const B = train.batch_size === 'full' ? split('train') : train.batch_size;
  const kernel = config.engine === 'kernel';
  // A chunk keeps each step's logits for its losses (chunks.ts: CHUNK_LOGITS floats, at least one step's).
  const kept = tfjsChunkSteps(B, V, chunkSteps(train.lr)) * B * V;
  const step = 4 * B * (STEP_H * H + STEP_V * V + STEP_D * D + T + 1) + 4 * kept + (train.batch_size === 'full' ? 4 * B * (T + 1) : 0);
  const rows = Math.min(evalRows(H, V, T, model.embed_dim), Math.max(0, ...config.eval.splits.map(split)));
  const evaluation = 4 * rows * evalFloatsPerRow(H, V, T, model.embed_dim);
  const losses = 4 * kept * LOSS_V;
  const stepOnTfjs = !kernel || config.diagnostics !== undefined; // a diagnostics step runs TF.js's backward on its minibatch
  const heap = HEAP_SLACK * (4 * P * PARAM_COPIES + Math.max(stepOnTfjs ? step : 0, evaluation, kernel ? 0 : losses));
  const parts: MemoryPart[] = [
    { name: 'runtime', bytes: RUNTIME },
    { name: 'word list', bytes: WORD_FILE_FACTOR * data.bytes },
    { name: 'context windows', bytes: 4 * examples * (T + 1) + 8 * split('train') }, // and the bigram's pairs (its (V, V) table is mostly untouched zeros: not resident)
    { name: 'tensors', bytes: heap },
    { name: 'weights', bytes: WEIGHT_VALUE_BYTES * P },
    ...(config.diagnostics === undefined ? [] : [{ name: 'diagnostics', bytes: 4 * (B * H + 2 * P) }]),
    ...(kernel ? [{ name: 'kernel', bytes: kernelBytes(engineShape(kernelShapeOf(config, data), chunkSteps(train.lr))) }] : []),
  ];
  return { parts, bytes: parts.reduce((sum, p) => sum + p.bytes, 0), heap };
}

/** The kernel engine's shape for a trial: its training split's examples as the estimate counts them (about: by the split's fraction of the words' examples). */
export function kernelShapeOf(config: TrialConfig, data: DataSizes): Omit<KernelShape, 'steps'> {
  const { block_size: T, embed_dim: E, hidden: H } = config.model;
  const used = config.data.slice === undefined ? 1 : Math.min(1, config.data.slice.first / data.words);
  const n = Math.round(data.examples * used * config.data.split.train);
  return { n, T, E, H, V: data.vocab, batch: config.train.batch_size, loss: config.loss };
}
