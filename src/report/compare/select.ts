// What `run-exp compare` compares: each argument names an experiment of DIR (its best grid point, seeds aggregated, as
// its report ranks them) or one of its trials (NAME@ID, by its id or the first four or more digits of it).
import { statusOf, varyingKeys, type Results, type TrialResult } from '../results.js';
import { rankGroups, seedGroups, summarizeGroup, type GroupSummary, type SeedGroup } from '../seeds.js';

/** An argument of `compare`, parsed: the experiment and, for NAME@ID, the trial id or its prefix. */
export interface Selector {
  text: string; // as given
  name: string;
  trial?: string;
}

/** The shortest id prefix a selector may give (as git's short hashes: fewer digits would often be ambiguous). */
export const MIN_ID_PREFIX = 4;

const SELECTOR = /^([a-z0-9][a-z0-9_-]*)(?:@([0-9a-f]+))?$/;

/** Parse NAME or NAME@ID; a string says what is wrong. */
export function parseSelector(text: string): Selector | string {
  const m = SELECTOR.exec(text);
  if (m === null || (m[2] !== undefined && (m[2].length < MIN_ID_PREFIX || m[2].length > 10))) {
    return `${JSON.stringify(text)}: expected an experiment NAME or NAME@ID (a trial's id, or its first ${MIN_ID_PREFIX} or more hex digits), e.g. lr-sweep or lr-sweep@3f9c0a1b2d`;
  }
  return { text, name: m[1]!, ...(m[2] === undefined ? {} : { trial: m[2] }) };
}

/** A selector, resolved: the trials it stands for (one, or a grid point's seeds) and how it came to be chosen. */
export interface Picked {
  selector: Selector;
  results: Results;
  group: SeedGroup; // a named trial alone, or the experiment's best grid point with its seeds
  summary: GroupSummary;
  why: string; // "the best of 6 grid points (mean of 3 seeds)", "trial 3f9c0a1b2d (named)"
}

/** Choose what the selector stands for in its experiment's results, or say why nothing can be. */
export function pick(selector: Selector, results: Results): Picked | string {
  const keys = varyingKeys(results);
  if (selector.trial !== undefined) return pickTrial(selector, results, keys);
  const groups = seedGroups(results.trials, keys);
  const best = rankGroups(groups.map(summarizeGroup), 1)[0];
  if (best === undefined) return `${selector.name} has no finished trial with a final loss (${describeStatuses(results.trials)})`;
  const seeds = best.seeds === 1 ? '' : ` (mean of ${best.complete ? '' : `${best.judged!.stats.n} of `}${best.seeds} seeds)`;
  const of = groups.length > 1 ? `the best of ${groups.length} ${best.seeds > 1 ? 'grid points' : 'trials'}` : 'its only grid point';
  return { selector, results, group: best.group, summary: best, why: `${of}${seeds}` };
}

function pickTrial(selector: Selector, results: Results, keys: string[]): Picked | string {
  const prefix = selector.trial!;
  const matches = results.trials.filter((t) => t.trial.id.startsWith(prefix));
  if (matches.length === 0) {
    const ids = results.trials.slice(0, 5).map((t) => t.trial.id);
    return `${selector.name} has no trial ${prefix} (its trials: ${ids.join(', ')}${results.trials.length > 5 ? ` and ${results.trials.length - 5} more` : ''})`;
  }
  if (matches.length > 1) return `${selector.text} matches ${matches.length} trials of ${selector.name} (${matches.map((t) => t.trial.id).join(', ')}): give more digits`;
  const t = matches[0]!;
  if (t.summary === null) return `trial ${t.trial.id} of ${selector.name} has not finished (${statusOf(t)}${t.problem === undefined ? '' : `: ${t.problem}`})`;
  const [group] = seedGroups([t], keys);
  return { selector, results, group: group!, summary: summarizeGroup(group!), why: `trial ${t.trial.id}, as named` };
}

/** "4 trials: 2 unfinished, 1 failed, 1 diverged" */
function describeStatuses(trials: readonly TrialResult[]): string {
  if (trials.length === 0) return 'it has no trials';
  const counts = new Map<string, number>();
  for (const t of trials) counts.set(statusOf(t), (counts.get(statusOf(t)) ?? 0) + 1);
  return `its ${trials.length} trial${trials.length === 1 ? '' : 's'}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`;
}
