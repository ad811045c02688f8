// Seeded random streams: one pure-rand xoroshiro128+ generator per purpose (init, batch, sample, shuffle),
// so changing how many minibatches are drawn never changes the initial weights or the samples.
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** What a stream of random numbers is for; each has its own generator. */
export type Stream = 'init' | 'batch' | 'sample' | 'shuffle';

// A fixed odd salt per stream (digits of the golden ratio, π, e and √2): never reorder, they fix every seed.
const SALT: Record<Stream, number> = { init: 0x9e3779b9, batch: 0x243f6a88, sample: 0xb7e15162, shuffle: 0x6a09e667 };

/** MurmurHash3's 32-bit finaliser: a bijection on uint32 that mixes every input bit into every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The 32-bit seed of one stream of a trial: distinct seeds give distinct stream seeds (a bijection per stream). */
export function streamSeed(seed: number, stream: Stream): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`streamSeed: seed: expected an integer in [0, 4294967295], found ${seed}`);
  }
  return fmix32(fmix32((seed ^ SALT[stream]) >>> 0) ^ SALT[stream]);
}

/**
 * Expand a 32-bit seed into xoroshiro128+'s 128-bit state with SplitMix32 (Vigna advises seeding xoroshiro from a
 * SplitMix generator; pure-rand's own xoroshiro128plus(seed) puts the raw seed in the state, so its first output is ~seed).
 */
function stateFromSeed(seed: number): number[] {
  let x = seed >>> 0;
  const state: number[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    state.push(fmix32(x) | 0);
  }
  if (state.every((w) => !w)) state[0] = 1; // the all-zero state is xoroshiro's only fixed point
  return state;
}

const TWO_PI = 2 * Math.PI;

/** Where an Rng is in its sequence: xoroshiro128+'s four 32-bit state words, and the Box–Muller value it holds back. */
export interface RngState {
  kind: 'xoroshiro128+';
  words: number[]; // pure-rand's getState(): 4 signed 32-bit integers
  spare: number | null; // normal()'s cached r·sin θ (a float64, exact)
}

/** A mutable seeded random generator over pure-rand's xoroshiro128+; same seed → same sequence on every machine. */
export class Rng {
  private gen: JumpableRandomGenerator;
  private spare: number | null = null; // Box–Muller's second value, returned by the next normal()

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`Rng: seed: expected an integer in [0, 4294967295], found ${seed}`);
    }
    this.gen = xoroshiro128plusFromState(stateFromSeed(seed));
  }

  /** Where the generator is now: restore() it to draw the same sequence from here on (a checkpoint). */
  getState(): RngState {
    return { kind: 'xoroshiro128+', words: [...this.gen.getState()], spare: this.spare };
  }

  /** Continue from a state getState() returned. */
  setState(state: RngState): void {
    if (state.kind !== 'xoroshiro128+' || state.words.length !== 4 || !state.words.every((w) => Number.isInteger(w) && w >= -0x80000000 && w <= 0x7fffffff)) {
      throw new RangeError(`Rng.setState: expected xoroshiro128+'s four 32-bit words, found ${JSON.stringify(state.words)}`);
    }
    this.gen = xoroshiro128plusFromState(state.words);
    this.spare = state.spare;
  }

  /** A uniform unsigned 32-bit integer. */
  uint32(): number {
    return this.gen.next() >>> 0;
  }

  /** A uniform float in [0, 1) with 53 random bits (a multiple of 2^-53). */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** A uniform integer in [0, n), without modulo bias (pure-rand rejects the uneven tail). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) {
      throw new RangeError(`Rng.int: n: expected an integer in [1, 2^32], found ${n}`);
    }
    return uniformInt(this.gen, 0, n - 1);
  }

  /**
   * A standard normal draw by the basic Box–Muller transform: two uniforms give two independent normals,
   * r·cos θ now and r·sin θ on the next call, with r = √(−2 ln u1), u1 ∈ (0, 1], θ = 2π·u2.
   */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = 1 - this.float(); // (0, 1]: log never sees 0
    const theta = TWO_PI * this.float();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Fill `out` with scale·N(0, 1) draws (weight initialisation); returns `out`. */
  fillNormal(out: Float32Array, scale = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = scale * this.normal();
    return out;
  }

  /** Fill `out` with uniform integers in [0, n) (a minibatch's row indices); returns `out`. */
  fillInt(out: Int32Array, n: number): Int32Array {
    if (!Number.isInteger(n) || n < 1 || n > 0x80000000) {
      throw new RangeError(`Rng.fillInt: n: expected an integer in [1, 2^31], found ${n}`);
    }
    for (let i = 0; i < out.length; i++) out[i] = uniformInt(this.gen, 0, n - 1);
    return out;
  }

  /** Shuffle `xs` in place by Fisher–Yates (as Python's random.shuffle: i from the end, j uniform in [0, i]); returns `xs`. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = xs[i]!;
      xs[i] = xs[j]!;
      xs[j] = t;
    }
    return xs;
  }
}
