// The files of an experiment on disk, DIR/NAME/…: written whole (temp file in the same directory + rename).
// A trial's own files are written by trial-files.ts; temp files are named and swept by temp-files.ts.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineName } from '../config/schema.js';
import type { Summary } from '../types.js';
import { upgradeSummary } from './summary.js';
import { guarded } from './fs-errors.js';
import { settleTemp, tempFor } from './temp-files.js';

/** DIR/NAME: the experiment's directory. */
export function experimentDir(out: string, name: string): string {
  return path.join(out, name);
}

/** DIR/NAME/trials/ID: one trial's directory. */
export function trialDir(out: string, name: string, id: string): string {
  return path.join(out, name, 'trials', id);
}

/** DIR/NAME/plan.json: the ids of the trials of the latest run's plan, in plan order (what the report shows). */
export function planFile(out: string, name: string): string {
  return path.join(out, name, 'plan.json');
}

/** The latest plan as written to plan.json: its trial ids in plan order, and each one's values, steps and engine (for `status`). */
export interface PlanFile {
  trials: string[];
  params?: Record<string, unknown>[]; // trial i's values that vary (absent in plan.json written before #22)
  steps?: number[]; // trial i's train.steps
  engines?: EngineName[]; // trial i's engine (absent in plan.json written before #18)
}

/** plan.json as read: none (results written before runs wrote it), the plan, or why it cannot be used (one line). */
export type PlanRead = { kind: 'none' } | { kind: 'plan'; plan: PlanFile } | { kind: 'damaged'; problem: string };

/**
 * DIR/NAME/plan.json, checked: its trial ids (strings), and the values, steps and engine of each when they are lists (else
 * left out: the trial's config.json has them). The report and the index read plan.json through it.
 */
export async function readPlanFile(out: string, name: string): Promise<PlanRead> {
  const file = planFile(out, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { kind: 'none' } : { kind: 'damaged', problem: `${file}: ${(e as Error).message}` };
  }
  let value: Partial<Record<keyof PlanFile, unknown>> | null;
  try {
    value = JSON.parse(text) as typeof value;
  } catch (e) {
    return { kind: 'damaged', problem: `${file}:1:1: expected JSON, found ${JSON.stringify(text.slice(0, 60))} (${(e as Error).message})` };
  }
  const ids = value?.trials;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    return { kind: 'damaged', problem: `${file}: expected {"trials": [ID, …]}, found ${JSON.stringify(value).slice(0, 60)}` };
  }
  const perTrial = <T>(list: unknown) => (Array.isArray(list) && list.length === ids.length ? (list as T[]) : undefined);
  const plan: PlanFile = { trials: ids };
  const params = perTrial<Record<string, unknown>>(value!.params);
  const steps = perTrial<number>(value!.steps);
  if (params !== undefined) plan.params = params;
  if (steps !== undefined) plan.steps = steps;
  const engines = perTrial<EngineName>(value!.engines);
  if (engines !== undefined) plan.engines = engines;
  return { kind: 'plan', plan };
}

/**
 * Write a file whole: readers see the old content or the new one, never a part. An abort leaves the old one, and no
 * temp file; so does a failure of the disk, which is thrown as a StoreFault naming the file.
 */
export async function writeFileAtomic(file: string, data: string, signal?: AbortSignal): Promise<void> {
  const temp = tempFor(file);
  try {
    await guarded('write', file, () => writeFile(temp, data, { signal }));
    signal?.throwIfAborted();
    await guarded('rename into', file, () => rename(temp, file));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    settleTemp(temp);
  }
}

/** The summary of a finished trial (in the current form), or undefined when it has none (not run, interrupted, or unreadable). */
export async function readSummary(dir: string): Promise<Summary | undefined> {
  try {
    return upgradeSummary(JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')) as Summary);
  } catch {
    return undefined;
  }
}
