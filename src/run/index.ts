// Running trials in worker processes. (Stub: issue 4 replaces this.)
import type { BackendName, Plan } from '../types.js';

export interface RunOptions {
  out: string; // DIR (default "reports")
  jobs: number; // workers at once (default: CPU cores)
  backend: BackendName;
  force: boolean; // rerun finished trials too
  quiet: boolean; // only the final lines
  json: boolean; // one JSON document on stdout at the end, nothing else there
  timeoutSeconds?: number; // per trial
  argv: string[]; // the command line, for run.json
}

/**
 * Run every trial of the plan, write DIR/NAME/…, build the report, check expectations, print the summary.
 * Resolves to the exit code: 0 ran, 1 a trial failed or an expectation missed, 130 interrupted.
 */
export async function runPlan(plan: Plan, options: RunOptions): Promise<number> {
  throw new Error(`runPlan is not implemented yet (${plan.trials.length} trials into ${options.out})`);
}
