// Float32 arithmetic as x86 does it, for torch.randn's vectorised path (rng/torch.ts): a fused multiply-add with one
// rounding, and avx_mathfun.h's log256_ps and sincos256_ps (Cephes polynomials, after Julien Pommier's sse_mathfun),
// one lane at a time. Every +, −, ×, √ of two float32 values computed in double and rounded once to float32 is the
// float32 operation exactly (53 ≥ 2·24 + 2), so Math.fround after each step reproduces the vector code's bits.
//
// Contraction: GCC 12 (Debian's PyTorch 1.13, -O2 with -mfma for the AVX2 kernels, -ffp-contract=fast by default)
// fuses a product into the sum that is its only use, taking products in source order: so `y = y*x; y = y + p1`
// becomes one fmadd, and in `y*z + e*q1` the first product (y*z) is fused, the second rounded on its own.
// CONTRACT below follows that; the tests pin 100,000 draws against PyTorch's to the bit.

const f = Math.fround;
const CONTRACT = true;

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The bits of a float32 value. */
export function bitsOf(x: number): number {
  F32[0] = x;
  return U32[0]!;
}

/** The float32 value of some bits. */
export function fromBits(bits: number): number {
  U32[0] = bits >>> 0;
  return F32[0]!;
}

/** The next float32 after x towards +∞ (dir 1) or −∞ (dir −1); x finite and non-zero. */
function nextFloat(x: number, dir: 1 | -1): number {
  const bits = bitsOf(x);
  return fromBits(x > 0 === dir > 0 ? bits + 1 : bits - 1);
}

/**
 * fmaf(a, b, c): a·b + c rounded once to float32 (a, b, c float32). a·b is exact in double; the sum's rounding error
 * (TwoSum) decides the one case where rounding the double sum to float32 goes the wrong way: a double sum that lands
 * exactly halfway between two float32 values while the exact sum lies off it.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  const r = f(s);
  if (err === 0 || r === s || !Number.isFinite(r) || r === 0) return r;
  const other = nextFloat(r, r > s ? -1 : 1); // the float32 on the other side of s
  if ((r + other) / 2 !== s) return r; // not a tie: err cannot move s across the midpoint
  return err > 0 === other > r ? other : r;
}

/** x·y + z as the compiler emitted it: fused when CONTRACT, else a rounded product then a rounded sum. */
function madd(x: number, y: number, z: number): number {
  return CONTRACT ? fmaf(x, y, z) : f(f(x * y) + z);
}

const MIN_NORM_POS = fromBits(0x00800000); // the smallest normal float32, 2^-126
const SQRTHF = f(0.707106781186547524);
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1,
  -2.4999993993e-1, 3.3333331174e-1,
].map(f);
const LOG_Q1 = f(-2.12194440e-4);
const LOG_Q2 = f(0.693359375);

/** log256_ps for one lane: the natural logarithm of a float32 x > 0 (NaN for x ≤ 0), as avx_mathfun computes it. */
export function logAvx(x: number): number {
  if (!(x > 0)) return NaN;
  const bits = bitsOf(Math.max(x, MIN_NORM_POS)); // cut off denormals
  let e = f((bits >>> 23) - 0x7f + 1); // the exponent, + 1
  let m = fromBits((bits & ~0x7f800000) | 0x3f000000); // the mantissa in [0.5, 1)
  // if (m < SQRTHF) { e -= 1; m = m + m − 1 } else { m = m − 1 }
  const small = m < SQRTHF;
  const tmp = small ? m : 0;
  m = f(m - 1);
  if (small) e = f(e - 1);
  m = f(m + tmp);
  const z = f(m * m);
  let y = LOG_P[0]!;
  for (let k = 1; k < LOG_P.length; k++) y = madd(y, m, LOG_P[k]!);
  y = f(y * m);
  y = madd(y, z, f(e * LOG_Q1)); // y·z + e·q1: the first product is the fused one
  y = f(y - f(z * 0.5)); // z·0.5 is exact: fused or not, one rounding
  return madd(e, LOG_Q2, f(m + y));
}

const FOPI = f(1.27323954473516); // 4/π
const DP1 = f(-0.78515625);
const DP2 = f(-2.4187564849853515625e-4);
const DP3 = f(-3.77489497744594108e-8);
const SINCOF = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(f);
const COSCOF = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(f);

/** sincos256_ps for one lane: [sin x, cos x] of a float32 x, as avx_mathfun computes them (Cephes' sinf/cosf). */
export function sincosAvx(x: number): [number, number] {
  const negative = x < 0 || Object.is(x, -0);
  let ax = Math.abs(x);
  // j = (⌊|x|·4/π⌋ + 1) & ~1: the octant, rounded up to even
  const j = ((Math.trunc(f(ax * FOPI)) | 0) + 1) & ~1;
  const y = f(j);
  const sinFlip = ((j & 4) !== 0) !== negative;
  const cosFlip = ((j - 2) & 4) === 0;
  const sinPolyForSin = (j & 2) === 0;
  // "extended precision modular arithmetic": x = ((x − y·DP1) − y·DP2) − y·DP3
  ax = madd(y, DP1, ax);
  ax = madd(y, DP2, ax);
  ax = madd(y, DP3, ax);
  const z = f(ax * ax);
  // cos polynomial (0 ≤ x ≤ π/4): 1 − z/2 + z²·(c0·z² + c1·z + c2)
  let c = madd(COSCOF[0]!, z, COSCOF[1]!);
  c = madd(c, z, COSCOF[2]!);
  c = f(c * z);
  c = madd(c, z, -f(z * 0.5));
  c = f(c + 1);
  // sin polynomial: x + x·z·(s0·z² + s1·z + s2)
  let s = madd(SINCOF[0]!, z, SINCOF[1]!);
  s = madd(s, z, SINCOF[2]!);
  s = f(s * z);
  s = madd(s, ax, ax);
  const sin = sinPolyForSin ? s : c;
  const cos = sinPolyForSin ? c : s;
  return [sinFlip ? -sin : sin, cosFlip ? -cos : cos];
}
