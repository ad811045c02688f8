// Running trials in worker processes. (Stub: issue 4 replaces this.)
import type { BackendName, Plan } from '../types.js';

export interface RunOptions {
  out: string; // DIR
  jobs: number;
  backend: BackendName;
  force: boolean;
  quiet: boolean;
  json: boolean;
  timeoutSeconds?: number;
}

/** Run every trial of the plan; resolves to the exit code's ingredients. */
export async function runPlan(plan: Plan, options: RunOptions): Promise<{ failed: number; interrupted: boolean }> {
  throw new Error(`runPlan is not implemented yet (${plan.trials.length} trials into ${options.out})`);
}
