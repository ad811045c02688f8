// Names from the trained model, as in the lecture: start from block_size dots, draw the next character from the
// softmax, shift it into the context, stop at '.'.
import * as tf from '@tensorflow/tfjs-core';
import type { RngMode } from '../config/schema.js';
import { torchSampleGenerator } from './draws.js';
import { logitsOf, type Params } from './model.js';
import { Rng, streamSeed } from '../rng/streams.js';

/** Longest name drawn: a model that never says '.' must still stop. */
export const MAX_SAMPLE_LENGTH = 50;

/**
 * `count` names, drawn as `rng` says (see draws.ts): from the trial's 'sample' stream (streams), or by the lecture's
 * loop with torch.multinomial on manual_seed(seed + 10) (torch).
 */
export function sampleNames(p: Params, vocab: string, blockSize: number, count: number, seed: number, rng: RngMode = 'streams', maxLength = MAX_SAMPLE_LENGTH): string[] {
  switch (rng) {
    case 'streams':
      return sampleTogether(p, vocab, blockSize, count, seed, maxLength);
    case 'torch':
      return sampleLikeLecture(p, vocab, blockSize, count, seed, maxLength);
    default:
      throw new Error(`rng: expected "streams" or "torch", found ${JSON.stringify(rng satisfies never)}: not recognised`);
  }
}

/**
 * The 'sample' stream's names. All names advance together, one forward pass per character position; each draw is
 * multinomial over the softmax (inverse CDF with one uniform per character).
 */
function sampleTogether(p: Params, vocab: string, blockSize: number, count: number, seed: number, maxLength: number): string[] {
  const rng = new Rng(streamSeed(seed, 'sample'));
  const V = vocab.length;
  const contexts = new Int32Array(count * blockSize); // (count, T), all '.' (index 0)
  const names: string[] = new Array<string>(count).fill('');
  let live: number[] = Array.from({ length: count }, (_, i) => i); // names still growing, in order
  for (let length = 0; length < maxLength && live.length > 0; length++) {
    const X = new Int32Array(live.length * blockSize);
    live.forEach((name, row) => X.set(contexts.subarray(name * blockSize, (name + 1) * blockSize), row * blockSize));
    const probs = tf.tidy(() => tf.softmax(logitsOf(p, tf.tensor2d(X, [X.length, 1], 'int32'))).dataSync() as Float32Array); // (live, V)
    const next: number[] = [];
    live.forEach((name, row) => {
      const ix = draw(probs.subarray(row * V, (row + 1) * V), rng.float());
      if (ix === 0) return; // '.' ends the name
      names[name] += vocab[ix];
      const ctx = contexts.subarray(name * blockSize, (name + 1) * blockSize);
      ctx.copyWithin(0, 1);
      ctx[blockSize - 1] = ix;
      next.push(name);
    });
    live = next;
  }
  return names;
}

/** The index i where the running sum of probs first exceeds u·total (torch.multinomial with one draw). */
function draw(probs: Float32Array, u: number): number {
  let total = 0;
  for (const q of probs) total += q;
  const target = u * total;
  let acc = 0;
  for (let i = 0; i < probs.length; i++) {
    acc += probs[i]!;
    if (acc > target) return i;
  }
  return probs.length - 1; // rounding: u·total at the very top
}

/**
 * The lecture's sampling loop: one name after the other, one character at a time (a forward pass of one context),
 * ix = torch.multinomial(softmax(logits), num_samples=1, generator=g) with g = manual_seed(seed + 10), until '.'.
 * Each draw takes V exponentials from g, so the names must be drawn in this order to match the lecture's.
 */
function sampleLikeLecture(p: Params, vocab: string, blockSize: number, count: number, seed: number, maxLength: number): string[] {
  const g = torchSampleGenerator(seed);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    const context = new Int32Array(blockSize); // (1, T): all '.' (index 0)
    let name = '';
    for (let length = 0; length < maxLength; length++) {
      const probs = tf.tidy(() => tf.softmax(logitsOf(p, tf.tensor2d(context, [blockSize, 1], 'int32'))).dataSync() as Float32Array); // (1, V)
      const ix = g.multinomial1(probs);
      if (ix === 0) break; // '.' ends the name
      name += vocab[ix];
      context.copyWithin(0, 1);
      context[blockSize - 1] = ix;
    }
    names.push(name);
  }
  return names;
}
