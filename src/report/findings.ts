// The lecture's readings of the numbers inside the net ("Activations & Gradients", makemore part 3), each a function of
// a trial's numbers that fires or does not: the report writes no sentence that its numbers did not trigger.
import type { Model } from '../config/schema.js';
import { SATURATED } from '../train/diagnostic-stats.js';
import { initFactor } from '../train/init.js';
import type { ParamName } from '../train/shapes.js';
import type { Summary } from '../types.js';
import { formatCount } from '../format.js';
import type { InsideNet } from './inside.js';

/** Where each reading begins, and why there. */
export const THRESHOLDS = {
  // A net whose logits start near 0 starts at a uniform guess, ln V (the lecture's fixed init: 3.32 against ln 27 =
  // 3.30); unscaled logits start at 27.9. Twice ln V is far from what a small W2 gives and far below what a large one does.
  firstLoss: 2,
  // The fraction of h beyond ±0.97 at step 0, where tanh passes at most 1 − 0.97² = 6 % of the gradient. The
  // lecture's fixed inits start at 5 % (W1 · 0.2) and 20 % (kaiming's (5/3)/√30 = 0.30), its part-2 init at 70 %, the
  // picture it calls too saturated ("a lot of these are in the flat tails"): a third is between them. (Trained, the
  // layer saturates more whatever the init: 50–85 % at the end of init-fixes.yaml, so the end is shown, not judged.)
  saturated: 1 / 3,
  // A unit saturated on every example of the batch passes no gradient at all: the lecture's "dead neuron" (a white
  // column of its h.abs() > 0.99 picture). One is worth naming.
  dead: 1,
  // The lecture's update:data ratios sit near 10^-3 ("roughly 1e-3 … if it's much above, the step is too large"); a
  // decade either side is "far": the median of a weight matrix's ratios at the trial's main rate outside [10^-4, 10^-2].
  // (The main rate: within a factor 2 of the highest lr. A decay to lr/10, as the lecture's at step 100,000, moves
  // every ratio down a decade; the lecture reads the ratio at the rate it trains at.)
  updateData: { low: -4, high: -2 },
} as const;

/** The parameters whose update:data the lecture watches: the weight matrices (its plot's `if p.ndim == 2`). */
export const WEIGHT_MATRICES: ParamName[] = ['C', 'W1', 'W2'];

/** One reading, in words computed from the numbers. */
export interface Finding {
  kind: 'first-loss' | 'saturated' | 'dead' | 'update-data';
  text: string;
}

/** The first loss against a uniform guess: "27.9 at step 0 where a uniform guess costs 3.30: … confidently wrong". */
export function firstLossFinding(firstLoss: number | undefined, uniform: number, vocab: number): Finding | null {
  if (firstLoss === undefined || !(firstLoss > THRESHOLDS.firstLoss * uniform)) return null;
  return {
    kind: 'first-loss',
    text:
      `The first loss is ${firstLoss.toFixed(1)} at step 0 where a uniform guess over ${vocab} characters costs ln ${vocab} = ${uniform.toFixed(2)}: ` +
      'the logits start confidently wrong; scale W2 down (the lecture: W2 · 0.01, b2 · 0).',
  };
}

/** The share of saturated tanh outputs at step 0, when it is a third or more (the end shown beside it). */
export function saturationFinding(inside: InsideNet): Finding | null {
  const { first, last } = inside;
  if (first.tanh.saturated < THRESHOLDS.saturated) return null;
  const later = last.step > first.step ? ` (${percent(last.tanh.saturated)} at step ${formatCount(last.step)})` : '';
  return {
    kind: 'saturated',
    text:
      `${percent(first.tanh.saturated)} of the tanh outputs are beyond ±${SATURATED} at step ${formatCount(first.step)}${later}, where tanh passes at most ` +
      `${percent(1 - SATURATED ** 2)} of the gradient: the layer starts saturated; scale W1 and b1 down (the lecture: W1 · 0.2 or kaiming, b1 · 0.01).`,
  };
}

/** Units saturated on every example of a minibatch: the most at any diagnostics step. */
export function deadFinding(inside: InsideNet, hidden: number, batch: number): Finding | null {
  const { dead, step } = inside.mostDead;
  if (dead < THRESHOLDS.dead) return null;
  const lastDead = inside.last.tanh.dead;
  const end = inside.last.step === step ? '' : `; ${formatCount(lastDead)} at the last diagnostics step, ${formatCount(inside.last.step)}`;
  return {
    kind: 'dead',
    text:
      `${formatCount(dead)} of ${formatCount(hidden)} tanh unit${dead === 1 ? ' was' : 's were'} dead at step ${formatCount(step)} (beyond ±${SATURATED} on all ${formatCount(batch)} examples of its minibatch): ` +
      `less than ${percent(1 - SATURATED ** 2)} of the gradient reached ${dead === 1 ? 'its' : 'their'} incoming weights in that step${end}.`,
  };
}

/** A parameter's median update:data (log10) over the diagnostics steps at the main rate (within 2× of the highest lr); null when it has none. */
export function updateMedian(inside: InsideNet, p: ParamName): number | null {
  const top = Math.max(...inside.series.map((s) => s.lr));
  return median(inside.series.filter((s) => s.lr >= top / 2).map((s) => s.update_data[p]).filter((v): v is number => v !== null));
}

/** How many diagnostics steps updateMedian looks at. */
function mainRateSteps(inside: InsideNet): number {
  const top = Math.max(...inside.series.map((s) => s.lr));
  return inside.series.filter((s) => s.lr >= top / 2).length;
}

/**
 * Each weight matrix whose median update:data at the main rate lies a decade or more from the lecture's 10^-3; one
 * scaled down at init (model.init below 1) is said to be, as the lecture says of its last layer.
 */
export function updateFindings(inside: InsideNet, model: Model): Finding[] {
  const out: Finding[] = [];
  for (const p of WEIGHT_MATRICES) {
    const m = updateMedian(inside, p);
    if (m === null) continue;
    const { low, high } = THRESHOLDS.updateData;
    if (m <= high && m >= low) continue;
    const factor = initFactor(p, model);
    const small = factor < 1 ? ` (its values start small: ${factor === 0 ? 'zero' : `N(0, 1) · ${Number(factor.toPrecision(3))}`} at init, as the lecture's last layer)` : '';
    const how = m > high ? `${(10 ** (m + 3)).toFixed(0)} times the lecture's 10^-3: each step moves ${p} by a large part of its size${small}` : `${(10 ** (-3 - m)).toFixed(0)} times below the lecture's 10^-3: ${p} learns slowly`;
    out.push({ kind: 'update-data', text: `update:data of ${p} is 10^${m.toFixed(1)} (the median over ${formatCount(mainRateSteps(inside))} diagnostics steps at the main rate), ${how}.` });
  }
  return out;
}

/** Every reading of a trial's numbers that fires, in the lecture's order: the loss, the tanh layer, the updates. */
export function findings(summary: Summary, inside: InsideNet | null, model: Model, batch: number): Finding[] {
  const vocab = [...summary.vocab].length;
  const out: Finding[] = [];
  const first = firstLossFinding(summary.first_loss, summary.reference.uniform, vocab);
  if (first !== null) out.push(first);
  if (inside === null) return out;
  for (const f of [saturationFinding(inside), deadFinding(inside, model.hidden, batch)]) if (f !== null) out.push(f);
  return [...out, ...updateFindings(inside, model)];
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(x < 0.1 ? 1 : 0)} %`;
}
