// The statistics of a diagnostics row from plain arrays, as the lecture computes them with torch (no TF.js: the
// store's checks and the report use the constants too; diagnostics.ts feeds it the activations and gradients).
import type { ParamStats, TanhStats } from '../types.js';

/** |h| beyond this is saturated: the lecture's threshold for the saturated fraction (part 4's `(t.abs() > 0.97)`). */
export const SATURATED = 0.97;
/** Bins of the tanh histogram, equal over [−1, 1]: the lecture's `plt.hist(h.view(-1).tolist(), 50)`. */
export const HIST_BINS = 50;

/** The hidden layer's statistics: h is (B, H), row-major. */
export function tanhStats(h: Float32Array, B: number, H: number): TanhStats {
  const { mean, std } = moments(h);
  const hist = new Array<number>(HIST_BINS).fill(0);
  const saturatedRows = new Int32Array(H); // per unit: on how many examples it is saturated
  const limit = Math.fround(SATURATED); // torch compares a float32 tensor with the scalar rounded to float32
  let saturated = 0;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const x = h[b * H + j]!;
      hist[Math.min(HIST_BINS - 1, Math.max(0, Math.floor(((x + 1) / 2) * HIST_BINS)))]! += 1;
      if (Math.abs(x) > limit) {
        saturated += 1;
        saturatedRows[j]! += 1;
      }
    }
  }
  const dead = saturatedRows.reduce((n, rows) => n + (rows === B ? 1 : 0), 0);
  return { mean: finite(mean), std: finite(std), saturated: saturated / h.length, dead, hist };
}

/** One parameter's statistics: its values and its gradient (∂loss/∂p), at rate lr. */
export function paramStats(data: Float32Array, grad: Float32Array, lr: number): ParamStats {
  const gradStd = moments(grad).std;
  const dataStd = moments(data).std;
  const ratio = gradStd / dataStd;
  return {
    grad_std: finite(gradStd),
    data_std: finite(dataStd),
    grad_data: finite(ratio),
    update_data: finite(Math.log10(lr * ratio)), // std(lr · grad) = lr · std(grad)
  };
}

/** Mean and unbiased standard deviation (n − 1, as torch's std()), two passes in float64. */
function moments(values: Float32Array): { mean: number; std: number } {
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / (n - 1)) };
}

/** A number JSON can hold: null for NaN and ±∞ (a zero std divides to ∞; a ratio of 0 has log10 −∞). */
function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
