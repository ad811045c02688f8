// The kernel's vector arithmetic (four float32 lanes): e^x and tanh as polynomials and rational functions from the
// literature, and the horizontal sums. Inlined into step.ts, which uses them.

/** (Σ a, Σ b, Σ c, Σ d): the four sums of four dot products' partial sums, in one vector. */
// @ts-ignore: decorator
@inline export function sum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7)); // a0+a2 a1+a3 b0+b2 b1+b3
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

/** The sum of the four lanes. */
// @ts-ignore: decorator
@inline export function hsum(a: v128): f32 {
  const s = f32x4.add(a, v128.shuffle<f32>(a, a, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(s, v128.shuffle<f32>(s, s, 1, 0, 3, 2)), 0);
}

/** The largest of the four lanes (by pmax: a NaN may or may not come through). */
// @ts-ignore: decorator
@inline export function hmax(a: v128): f32 {
  const m = f32x4.pmax(a, v128.shuffle<f32>(a, a, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.pmax(m, v128.shuffle<f32>(m, m, 1, 0, 3, 2)), 0);
}

// The constants of exp4 and tanh4, each a 32-bit number in static memory, read with a splatting load: one instruction, where
// V8 builds a v128.const from immediates in three, inside the loop, for every use.
const EXP_MIN = memory.data<f32>([-104]); //         e^x is 0 in float32 below this …
const EXP_MAX = memory.data<f32>([89]); //           … and +∞ above
const LOG2E = memory.data<f32>([1.44269504088896341]);
const ROUND = memory.data<f32>([12582912]); //       1.5·2^23: adding it rounds to an integer, left in the low bits
const LN2_HI = memory.data<f32>([0.693359375]); //   ln 2 = LN2_HI + LN2_LO (+ …), LN2_HI with few bits: n·LN2_HI is exact
const LN2_LO = memory.data<f32>([-2.12194440e-4]);
const EXP_P = memory.data<f32>([
  1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
]);
const BIAS = memory.data<i32>([127]); //             float32's exponent bias
const ONE = memory.data<f32>([1]);
const TANH_MIN = memory.data<f32>([-7.90531110763549805]);
const TANH_MAX = memory.data<f32>([7.90531110763549805]);
const TANH_P = memory.data<f32>([
  -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8, 1.48572235717979e-5,
  6.37261928875436e-4, 4.89352455891786e-3,
]);
const TANH_Q = memory.data<f32>([1.19825839466702e-6, 1.18534705686654e-4, 2.26843463243900e-3, 4.89352518554385e-3]);
const TANH_TINY = memory.data<f32>([0.0004]);
const ABS = memory.data<i32>([0x7fffffff]); //       all but float32's sign bit

/** The float32 at p in all four lanes. */
// @ts-ignore: decorator
@inline function splat(p: usize): v128 {
  return v128.load32_splat(p);
}

/** y·r + the float32 at p: one step of Horner's rule. */
// @ts-ignore: decorator
@inline function horner(y: v128, r: v128, p: usize): v128 {
  return f32x4.add(f32x4.mul(y, r), splat(p));
}

/**
 * e^x, four lanes: Cephes expf (S. L. Moshier): x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 in two parts, so r is
 * exact), e^r = 1 + r + r²·P(r) with P of degree 5 (relative error 4.2e-9 there: under 1 ulp of float32), then × 2^n
 * applied as 2^⌊n/2⌋ · 2^(n−⌊n/2⌋), so that e^x overflows to +∞ past 88.72 (as libm's expf, and PyTorch's, do: the
 * manual loss's point) and fades through the subnormals to 0 below −87.3. NaN stays NaN; −∞ gives 0.
 */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, splat(EXP_MIN)), splat(EXP_MAX)); // pmax, pmin: one instruction each; NaN in x stays
  const shifted = f32x4.add(f32x4.mul(x, splat(LOG2E)), splat(ROUND));
  const n = f32x4.sub(shifted, splat(ROUND)); // round(x / ln 2)
  const k = i32x4.sub(shifted, splat(ROUND)); // … as an integer: the difference of the bits
  let r = f32x4.sub(x, f32x4.mul(n, splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, splat(LN2_LO)));
  let p = horner(horner(horner(splat(EXP_P), r, EXP_P + 4), r, EXP_P + 8), r, EXP_P + 12);
  p = horner(horner(p, r, EXP_P + 16), r, EXP_P + 20);
  const er = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), splat(ONE)); // e^r = 1 + r + r²·P(r)
  // × 2^n as 2^⌊n/2⌋ · 2^(n − ⌊n/2⌋): each factor a normal float32 for n in [−151, 129].
  const k1 = i32x4.shr_s(k, 1), k2 = i32x4.sub(k, k1);
  const bias = splat(BIAS);
  return f32x4.mul(f32x4.mul(er, i32x4.shl(i32x4.add(k1, bias), 23)), i32x4.shl(i32x4.add(k2, bias), 23));
}

/**
 * tanh, four lanes: the 13/6-degree rational interpolant of Eigen's generic_fast_tanh_float (its coefficients), the
 * input clamped to ±7.9053111, where the interpolant reaches ±1 in float32 without FMA (as Eigen does), and
 * tanh(x) = x below 0.0004, where x is tanh(x) to float32 precision. At most 7 ulp from the true tanh on
 * [−10, 10] (the tests measure it; TF.js's WASM tanh, 2·sigmoid(2x) − 1, loses relative precision near 0 by
 * cancellation). NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function tanh4(a: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(a, splat(TANH_MIN)), splat(TANH_MAX)); // NaN stays NaN
  const x2 = f32x4.mul(x, x);
  let p = horner(horner(horner(splat(TANH_P), x2, TANH_P + 4), x2, TANH_P + 8), x2, TANH_P + 12);
  p = f32x4.mul(horner(horner(horner(p, x2, TANH_P + 16), x2, TANH_P + 20), x2, TANH_P + 24), x); // odd numerator
  const q = horner(horner(horner(splat(TANH_Q), x2, TANH_Q + 4), x2, TANH_Q + 8), x2, TANH_Q + 12); // even denominator
  const tiny = f32x4.lt(v128.and(a, splat(ABS)), splat(TANH_TINY));
  return v128.bitselect(a, f32x4.div(p, q), tiny);
}

// ─── For the tests: the kernel's own exp and tanh over n floats at p, in place ───────────────────────────────────

export function mapExp(p: usize, n: i32): void {
  for (let i: usize = 0, end = <usize>n << 2; i < end; i += 16) v128.store(p + i, exp4(v128.load(p + i)));
}

export function mapTanh(p: usize, n: i32): void {
  for (let i: usize = 0, end = <usize>n << 2; i < end; i += 16) v128.store(p + i, tanh4(v128.load(p + i)));
}
