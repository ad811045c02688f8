// CPython 3's random module, the parts the lecture uses: random.seed(n) for an int n, random.shuffle(words), and the
// getrandbits and random() they rest on. Written from CPython's Modules/_randommodule.c and Lib/random.py and checked
// against CPython 3.11 (test/train/rng/python.test.ts).
import { Mt19937 } from './mt19937.js';

const TWO_POW_32 = 2 ** 32;

/** random.Random(seed) for an integer seed (|seed| < 2^53). */
export class PythonRandom {
  private readonly mt: Mt19937;

  /** random.seed(n): init_by_array over |n|'s 32-bit words, least significant first ([0] for 0). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`PythonRandom: seed: expected an integer below 2^53 in size, found ${seed}`);
    let n = Math.abs(seed);
    const key: number[] = [];
    do {
      key.push(n % TWO_POW_32);
      n = Math.floor(n / TWO_POW_32);
    } while (n > 0);
    this.mt = Mt19937.fromKey(key);
  }

  /** getrandbits(k) for 0 ≤ k ≤ 32: the top k bits of one word. */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k > 32) throw new RangeError(`PythonRandom.getrandbits: k: expected an integer in [0, 32], found ${k}`);
    if (k === 0) return 0;
    return this.mt.next() >>> (32 - k);
  }

  /** random(): a float in [0, 1) from 27 + 26 bits of two words, as random_random does. */
  random(): number {
    const a = this.mt.next() >>> 5;
    const b = this.mt.next() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** _randbelow_with_getrandbits(n): getrandbits(n.bit_length()) until it is below n (n ≥ 1). */
  randbelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new RangeError(`PythonRandom.randbelow: n: expected an integer in [1, 2^32), found ${n}`);
    const k = 32 - Math.clz32(n); // n.bit_length()
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** random.shuffle(xs) in place: for i from len−1 down to 1, swap xs[i] with xs[randbelow(i + 1)]. Returns xs. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const t = xs[i]!;
      xs[i] = xs[j]!;
      xs[j] = t;
    }
    return xs;
  }
}
