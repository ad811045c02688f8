// summary.json as it is read back: a summary written by an older run-exp is brought to the current form in this one
// place, and whether a stored result stands for a new run of the experiment.
import type { Experiment } from '../config/schema.js';
import type { SuggestedLr, Summary } from '../types.js';

/**
 * A parsed summary.json in the current form (a copy when it changes; anything else is left for the checks to judge).
 * Before #17 a range test's summary held the valley's lr divided by 10 (`suggested_lr.min_over_10`); it reads as the
 * valley, multiplied back (as the report and the expectations did when they read it). Before #18 every trial trained on
 * TensorFlow.js and its summary named no engine: it reads as `engine: tfjs`.
 */
export function upgradeSummary<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  let upgraded: T = value;
  if (!('engine' in value)) upgraded = { ...upgraded, engine: 'tfjs' };
  const suggested = (value as { suggested_lr?: unknown }).suggested_lr;
  if (suggested === null || typeof suggested !== 'object' || !('min_over_10' in suggested) || 'valley' in suggested) return upgraded;
  const { min_over_10: minOver10, ...rest } = suggested as { min_over_10: unknown };
  const valley = typeof minOver10 === 'number' ? minOver10 * 10 : minOver10;
  return { ...upgraded, suggested_lr: { ...rest, valley } };
}

/** The one suggested lr of a range test: the steepest descent, else (the loss never fell) the valley ÷ 10, as fastai's `minimum`. */
export function suggestedLr(lrs: SuggestedLr): number | null {
  return lrs.steepest ?? (lrs.valley === null ? null : lrs.valley / 10);
}

/**
 * Whether an earlier run's result stands: failed trials run again, and so do trials stopped early when the experiment
 * no longer stops early (the verdict was the old rule's; without a rule the trial trains to its last step).
 */
export function keptAsFinished(summary: Summary, experiment: Experiment): boolean {
  if (summary.status === 'failed') return false;
  return summary.status !== 'stopped' || experiment.early_stop !== undefined;
}
