// PyTorch 1.13's CPU generator and the draws the makemore lectures make with it, bit for bit: torch.Generator()
// .manual_seed(seed) (its mt19937), torch.randn (float32), torch.randint(0, n, (B,)) and
// torch.multinomial(probs, num_samples=1). Written from PyTorch's sources (aten/src/ATen/core/MT19937RNGEngine.h,
// DistributionsHelper.h, TransformationHelper.h, native/cpu/DistributionTemplates.h, avx_mathfun.h,
// native/Distributions.cpp) and checked against Debian's PyTorch 1.13 (test/train/rng/torch.test.ts).
import { logAvx, sincosAvx } from './float32.js';
import { Mt19937, type Mt19937State } from './mt19937.js';

const TWO_POW_32 = 2 ** 32;
const TWO_POW_53 = 2 ** 53;
const FLOAT_DIVISOR = 2 ** -24; // uniform_real<float>: 24 random bits
const TWO_PI_F = Math.fround(2 * Math.PI); // _mm256_set1_ps(2.0f * c10::pi<double>)

/** Where a TorchGenerator is: its mt19937 and the cached normal (CPUGeneratorImpl's state, as get_state() holds it). */
export interface TorchGeneratorState extends Mt19937State {
  kind: 'mt19937';
  normal: number | null; // normal_distribution<double>'s cached r·sin θ (a float64, exact)
}

/** torch.Generator() on the CPU (CPUGeneratorImpl): mt19937 plus the cached second value of a scalar Box–Muller pair. */
export class TorchGenerator {
  private mt: Mt19937;
  private nextDoubleNormal: number | null = null; // normal_distribution<double>'s cached r·sin θ

  /** torch.Generator().manual_seed(seed): mt19937's init_genrand with the seed's low 32 bits, the normal cache cleared. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`TorchGenerator: seed: expected a non-negative integer, found ${seed}`);
    }
    this.mt = Mt19937.fromSeed(seed % TWO_POW_32);
  }

  /** Where the generator is now (torch.Generator.get_state() in our own form): setState() goes on from it. */
  getState(): TorchGeneratorState {
    return { kind: 'mt19937', ...this.mt.getState(), normal: this.nextDoubleNormal };
  }

  /** Continue from a state getState() returned. */
  setState(state: TorchGeneratorState): void {
    if (state.kind !== 'mt19937') throw new RangeError(`TorchGenerator.setState: expected an mt19937 state, found ${JSON.stringify(state.kind)}`);
    this.mt = Mt19937.fromState(state);
    this.nextDoubleNormal = state.normal;
  }

  /** CPUGeneratorImpl::random(): the next 32-bit word of mt19937. */
  random(): number {
    return this.mt.next();
  }

  /** uniform_real_distribution<double>(0, 1): the low 53 bits of random64() = (first word << 32) | second, ÷ 2^53. */
  uniformDouble(): number {
    const hi = this.random();
    const lo = this.random();
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) / TWO_POW_53;
  }

  /** uniform_real_distribution<float>(0, 1): the low 24 bits of random() ÷ 2^24 (exact in float32). */
  uniformFloat(): number {
    return (this.random() & 0xffffff) * FLOAT_DIVISOR;
  }

  /**
   * torch.randn(out.length, generator=g) into `out` (float32), as normal_kernel does on a CPU with AVX2: 16 elements or
   * more take the vectorised path (all the uniforms first, then Box–Muller in float32 on blocks of 16, the last block
   * redrawn when the length is not a multiple of 16); fewer take the scalar double-precision path. Returns `out`.
   */
  randn(out: Float32Array): Float32Array {
    if (out.length >= 16) this.normalFill(out);
    else for (let i = 0; i < out.length; i++) out[i] = this.normalDouble();
    return out;
  }

  /** The same as randn: lets a TorchGenerator stand wherever initial weights are drawn (NormalSource). */
  fillNormal(out: Float32Array): Float32Array {
    return this.randn(out);
  }

  /**
   * torch.randint(0, n, (out.length,), generator=g) into `out`: random() % n for each element (PyTorch's
   * uniform_int_from_to for a range below 2^32; the modulo bias, below 2^-13 for n < 2^19, is PyTorch's too).
   */
  fillInt(out: Int32Array, n: number): Int32Array {
    if (!Number.isInteger(n) || n < 1 || n > 0x80000000) {
      throw new RangeError(`TorchGenerator.fillInt: n: expected an integer in [1, 2^31], found ${n}`);
    }
    for (let i = 0; i < out.length; i++) out[i] = this.random() % n;
    return out;
  }

  /**
   * torch.multinomial(probs, num_samples=1, generator=g) for one row of probabilities (float32, V entries), as the
   * lecture calls it (replacement=False): q = empty_like(probs).exponential_(1), each entry −log(1 − u) from a
   * uniform double, rounded to float32; then argmax(probs / q) in float32, the first maximum (a NaN wins, as in argmax).
   */
  multinomial1(probs: Float32Array): number {
    let best = -Infinity;
    let at = 0;
    for (let i = 0; i < probs.length; i++) {
      const q = Math.fround(-Math.log(1 - this.uniformDouble()));
      const v = Math.fround(probs[i]! / q);
      if (Number.isNaN(v)) {
        for (let k = i + 1; k < probs.length; k++) this.uniformDouble(); // exponential_ fills the whole row first
        return i;
      }
      if (v > best) {
        best = v;
        at = i;
      }
    }
    return at;
  }

  /** normal_distribution<double>(0, 1), cast to float32 by the caller: Box–Muller in double, r·sin θ kept for next time. */
  private normalDouble(): number {
    if (this.nextDoubleNormal !== null) {
      const z = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
      return z;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** normal_fill_AVX2: every uniform first, then normal_fill_16 on each block of 16; a ragged end redraws its last 16. */
  private normalFill(out: Float32Array): void {
    const size = out.length;
    for (let i = 0; i < size; i++) out[i] = this.uniformFloat();
    for (let i = 0; i + 16 <= size; i += 16) normalFill16(out, i);
    if (size % 16 !== 0) {
      const start = size - 16;
      for (let i = 0; i < 16; i++) out[start + i] = this.uniformFloat();
      normalFill16(out, start);
    }
  }

}

/**
 * normal_fill_16_AVX2 on out[at … at+16): u1 = 1 − out[j], u2 = out[j+8] for j < 8; radius = √(−2·log u1),
 * θ = 2π·u2 (float32), out[j] = radius·cos θ and out[j+8] = radius·sin θ, with avx_mathfun's float32 log and sincos.
 */
function normalFill16(out: Float32Array, at: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = Math.fround(1 - out[at + j]!);
    const u2 = out[at + j + 8]!;
    const radius = Math.fround(Math.sqrt(Math.fround(-2 * logAvx(u1))));
    const theta = Math.fround(TWO_PI_F * u2);
    const [sin, cos] = sincosAvx(theta);
    // Then _mm256_fmadd_ps(n, std, mean), which with randn's std 1 and mean 0 is n itself.
    out[at + j] = Math.fround(radius * cos);
    out[at + j + 8] = Math.fround(radius * sin);
  }
}
