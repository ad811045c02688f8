// Where each random draw of a trial comes from, decided here for both `rng` modes.
//
//   draw                 rng: streams (default)                       rng: torch (the lecture's code)
//   word shuffle         the 'shuffle' stream of data.shuffle_seed     random.seed(data.shuffle_seed); random.shuffle(words)
//   initial weights      the trial seed's 'init' stream                g = torch.Generator().manual_seed(seed); torch.randn(…, generator=g)
//   minibatch indices    the trial seed's 'batch' stream               torch.randint(0, n, (B,), generator=g), the same g after the init
//   samples              the trial seed's 'sample' stream, names in    torch.multinomial(probs, 1, generator=manual_seed(seed + 10)),
//                        lockstep (one uniform a character)            one name after the other
import type { RngMode } from '../config/schema.js';
import { Rng, streamSeed } from '../rng/streams.js';
import { PythonRandom } from '../rng/python.js';
import { TorchGenerator } from '../rng/torch.js';
import type { DrawsState } from '../types.js';

/** Draws standard normals into a float32 array (one parameter's initial values); returns the array. */
export interface NormalSource {
  fillNormal(out: Float32Array): Float32Array;
}

/** Draws uniform row indices in [0, n) (a chunk of minibatches); returns the array. */
export interface IndexSource {
  fillInt(out: Int32Array, n: number): Int32Array;
}

/** Draws the next character of a name from the softmax `probs` of its context (one multinomial draw); returns its index. */
export interface CharSource {
  /** true: every name grows one character per forward pass, in lockstep; false: one name after the other, as the lecture's loop. */
  lockstep: boolean;
  pick(probs: Float32Array): number;
}

/**
 * A trial's generators: its initial weights, then its minibatches (in torch mode one and the same), and its samples;
 * `state` is where every one of them is (a checkpoint), `restore` goes on from such a state.
 */
export interface TrialDraws {
  init: NormalSource;
  batch: IndexSource;
  sample: CharSource;
  state(): DrawsState;
  restore(state: DrawsState): void;
}

/** Every generator of one rng mode: the words' shuffle, and a trial's. */
interface Generators {
  shuffle<T>(words: T[], shuffleSeed: number): T[];
  trial(seed: number): TrialDraws;
}

/** The generators of `rng` (the one place that tells the modes apart). */
function generators(rng: RngMode): Generators {
  switch (rng) {
    case 'streams':
      return {
        shuffle: (words, shuffleSeed) => new Rng(streamSeed(shuffleSeed, 'shuffle')).shuffle(words),
        trial: (seed) => {
          const [init, batch, sample] = [new Rng(streamSeed(seed, 'init')), new Rng(streamSeed(seed, 'batch')), new Rng(streamSeed(seed, 'sample'))];
          return {
            init,
            batch,
            sample: { lockstep: true, pick: (probs) => pickByUniform(probs, sample.float()) },
            state: () => ({ rng: 'streams', init: init.getState(), batch: batch.getState(), sample: sample.getState() }),
            restore: (state) => {
              if (state.rng !== 'streams') throw new Error(`draws: expected the generators of rng: streams, found those of rng: ${state.rng}`);
              init.setState(state.init);
              batch.setState(state.batch);
              sample.setState(state.sample);
            },
          };
        },
      };
    case 'torch':
      return {
        shuffle: (words, shuffleSeed) => new PythonRandom(shuffleSeed).shuffle(words),
        trial: (seed) => {
          const g = new TorchGenerator(seed);
          const sample = torchSampleGenerator(seed);
          return {
            init: g,
            batch: g,
            sample: { lockstep: false, pick: (probs) => sample.multinomial1(probs) },
            state: () => ({ rng: 'torch', generator: g.getState(), sample: sample.getState() }),
            restore: (state) => {
              if (state.rng !== 'torch') throw new Error(`draws: expected the generators of rng: torch, found those of rng: ${state.rng}`);
              g.setState(state.generator);
              sample.setState(state.sample);
            },
          };
        },
      };
    default:
      throw new Error(`rng: expected "streams" or "torch", found ${JSON.stringify(rng satisfies never)}: not recognised`);
  }
}

/** The generators of a trial with seed `seed`. */
export function trialDraws(seed: number, rng: RngMode): TrialDraws {
  return generators(rng).trial(seed);
}

/** The sampler's own torch generator: the lecture samples from torch.Generator().manual_seed(seed + 10). */
export function torchSampleGenerator(seed: number): TorchGenerator {
  return new TorchGenerator((seed + 10) % 2 ** 32);
}

/** Shuffle `words` in place before the split, with the generator of `rng`; returns `words`. */
export function shuffleWords<T>(words: T[], shuffleSeed: number, rng: RngMode): T[] {
  return generators(rng).shuffle(words, shuffleSeed);
}

/** The index i where the running sum of probs first exceeds u·total (torch.multinomial with one draw, by inverse CDF). */
function pickByUniform(probs: Float32Array, u: number): number {
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
