// Expectations: assertions on results that the experiment states. (Stub: issue 6 replaces this.)
import type { Experiment } from '../config/schema.js';
import type { Summary, Trial } from '../types.js';

/** One checked assertion: which expectation, which trial, what was expected and what was found. */
export interface ExpectationResult {
  expectation: number; // index in experiment.expect (0 when it is a single mapping)
  trial: string; // trial id
  params: Record<string, unknown>;
  key: string; // e.g. "dev_loss"
  expected: string; // e.g. "< 2.5"
  found: string; // e.g. "2.61"
  passed: boolean;
}

/** Check the experiment's `expect` against the trials' summaries (pure). Trials without a summary count as missed. */
export function checkExpectations(experiment: Experiment, trials: Trial[], summaries: Map<string, Summary>): ExpectationResult[] {
  if (experiment.expect === undefined) return [];
  throw new Error(`checkExpectations is not implemented yet (${trials.length} trials, ${summaries.size} summaries)`);
}
