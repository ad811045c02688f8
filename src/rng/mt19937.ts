// The Mersenne Twister MT19937 (Matsumoto & Nishimura 1998), 32-bit words: the generator under both PyTorch's CPU
// torch.Generator and CPython's random module. They differ only in how a seed becomes the state: PyTorch uses
// init_genrand(seed), CPython init_by_array(the seed's 32-bit words).

const N = 624; // state words
const M = 397;

/** Where a MT19937 stream is: its 624 state words and the index of the next word to temper (624: regenerate first). */
export interface Mt19937State {
  words: Uint32Array; // (624,)
  index: number; // 0 … 624
}

/** A MT19937 stream of 32-bit words. */
export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  private index = N; // next word to temper; N: the state must be regenerated first

  private constructor() {}

  /** init_genrand(s): the reference seeding from one 32-bit word (PyTorch's manual_seed). */
  static fromSeed(seed: number): Mt19937 {
    const g = new Mt19937();
    g.initGenrand(seed >>> 0);
    return g;
  }

  /** init_by_array(key): the reference seeding from 32-bit words (CPython's random.seed). */
  static fromKey(key: readonly number[]): Mt19937 {
    const g = new Mt19937();
    g.initGenrand(19650218);
    const mt = g.mt;
    const len = Math.max(key.length, 1);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, len); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + (key[j] ?? 0) + j) >>> 0; // non-linear
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0; // non-linear
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000; // MSB is 1, assuring a non-zero initial array
    return g;
  }

  /** A stream that goes on from `state` (getState's copy): the same words as the stream it was taken from. */
  static fromState(state: Mt19937State): Mt19937 {
    if (state.words.length !== N || !Number.isInteger(state.index) || state.index < 0 || state.index > N) {
      throw new RangeError(`Mt19937.fromState: expected ${N} words and an index from 0 to ${N}, found ${state.words.length} words and index ${state.index}`);
    }
    const g = new Mt19937();
    g.mt.set(state.words);
    g.index = state.index;
    return g;
  }

  /** A copy of where the stream is now. */
  getState(): Mt19937State {
    return { words: this.mt.slice(), index: this.index };
  }

  /** genrand_int32: the next word, uniform on [0, 2^32). */
  next(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s;
    for (let j = 1; j < N; j++) mt[j] = (Math.imul(1812433253, mt[j - 1]! ^ (mt[j - 1]! >>> 30)) + j) >>> 0;
    this.index = N;
  }

  /** Regenerate all N words (the reference genrand's loop, in place). */
  private twist(): void {
    const mt = this.mt;
    for (let k = 0; k < N; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
      mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}
