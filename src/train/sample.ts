// Names from the trained model, as in the lecture: start from block_size dots, draw the next character from the
// softmax, shift it into the context, stop at '.'.
import * as tf from '@tensorflow/tfjs-core';
import type { CharSource } from './draws.js';
import { logitsOf, type Params } from './model.js';

/** Longest name drawn: a model that never says '.' must still stop. */
export const MAX_SAMPLE_LENGTH = 50;

/**
 * `count` names, each character drawn by the trial's sample source (draws.ts): in lockstep, all names a character at a
 * time (streams), or one name after the other, by the lecture's loop (torch).
 */
export function sampleNames(p: Params, vocab: string, blockSize: number, count: number, source: CharSource, maxLength = MAX_SAMPLE_LENGTH): string[] {
  return source.lockstep ? sampleTogether(p, vocab, blockSize, count, source, maxLength) : sampleLikeLecture(p, vocab, blockSize, count, source, maxLength);
}

/** All names advance together, one forward pass per character position; each character is one pick from the softmax. */
function sampleTogether(p: Params, vocab: string, blockSize: number, count: number, source: CharSource, maxLength: number): string[] {
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
      const ix = source.pick(probs.subarray(row * V, (row + 1) * V));
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

/**
 * The lecture's sampling loop: one name after the other, one character at a time (a forward pass of one context),
 * ix = torch.multinomial(softmax(logits), num_samples=1, generator=g) (the source's pick), until '.'. Each draw takes
 * V exponentials from g, so the names must be drawn in this order to match the lecture's.
 */
function sampleLikeLecture(p: Params, vocab: string, blockSize: number, count: number, source: CharSource, maxLength: number): string[] {
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    const context = new Int32Array(blockSize); // (1, T): all '.' (index 0)
    let name = '';
    for (let length = 0; length < maxLength; length++) {
      const probs = tf.tidy(() => tf.softmax(logitsOf(p, tf.tensor2d(context, [blockSize, 1], 'int32'))).dataSync() as Float32Array); // (1, V)
      const ix = source.pick(probs);
      if (ix === 0) break; // '.' ends the name
      name += vocab[ix];
      context.copyWithin(0, 1);
      context[blockSize - 1] = ix;
    }
    names.push(name);
  }
  return names;
}
