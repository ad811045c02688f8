// Where each random draw of a trial comes from, decided here for both `rng` modes.
//
//   draw                 rng: streams (default)                       rng: torch (the lecture's code)
//   word shuffle         the 'shuffle' stream of data.shuffle_seed     random.seed(data.shuffle_seed); random.shuffle(words)
//   initial weights      the trial seed's 'init' stream                g = torch.Generator().manual_seed(seed); torch.randn(…, generator=g)
//   minibatch indices    the trial seed's 'batch' stream               torch.randint(0, n, (B,), generator=g), the same g after the init
//   samples              the trial seed's 'sample' stream              torch.multinomial(probs, 1, generator=manual_seed(seed + 10))
import type { RngMode } from '../config/schema.js';
import { Rng, streamSeed } from '../rng/streams.js';
import { PythonRandom } from '../rng/python.js';
import { TorchGenerator } from '../rng/torch.js';

/** Draws standard normals into a float32 array (one parameter's initial values); returns the array. */
export interface NormalSource {
  fillNormal(out: Float32Array): Float32Array;
}

/** Draws uniform row indices in [0, n) (a chunk of minibatches); returns the array. */
export interface IndexSource {
  fillInt(out: Int32Array, n: number): Int32Array;
}

/** A trial's generators for its initial weights and then its minibatches (in torch mode one and the same). */
export interface TrialDraws {
  init: NormalSource;
  batch: IndexSource;
}

/** The generators of a trial with seed `seed`. */
export function trialDraws(seed: number, rng: RngMode): TrialDraws {
  switch (rng) {
    case 'streams':
      return { init: new Rng(streamSeed(seed, 'init')), batch: new Rng(streamSeed(seed, 'batch')) };
    case 'torch': {
      const g = new TorchGenerator(seed);
      return { init: g, batch: g };
    }
    default:
      throw new Error(`rng: expected "streams" or "torch", found ${JSON.stringify(rng satisfies never)}: not recognised`);
  }
}

/** The sampler's own torch generator: the lecture samples from torch.Generator().manual_seed(seed + 10). */
export function torchSampleGenerator(seed: number): TorchGenerator {
  return new TorchGenerator((seed + 10) % 2 ** 32);
}

/** Shuffle `words` in place before the split, with the generator of `rng`; returns `words`. */
export function shuffleWords<T>(words: T[], shuffleSeed: number, rng: RngMode): T[] {
  switch (rng) {
    case 'streams':
      return new Rng(streamSeed(shuffleSeed, 'shuffle')).shuffle(words);
    case 'torch':
      return new PythonRandom(shuffleSeed).shuffle(words);
    default:
      throw new Error(`rng: expected "streams" or "torch", found ${JSON.stringify(rng satisfies never)}: not recognised`);
  }
}
