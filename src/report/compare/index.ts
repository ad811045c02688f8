// `run-exp compare A B [C …]`: one page over several experiments of DIR, written as DIR/compare.A+B+C.html.
//
// 1. read each named experiment's results (as its report does: every trial checked), 2. pick what each argument
// stands for (select.ts: the best grid point with its seeds, or the trial named NAME@ID), leaving out with a reason
// an argument that names nothing finished, 3. diff their resolved configurations (diff.ts), 4. assemble the page
// (page.ts) and 5. write it whole. Nothing is written when nothing is left to compare.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../store/files.js';
import { removeTempFilesIn } from '../../store/temp-files.js';
import type { SplitName } from '../../config/schema.js';
import { readLibraries } from '../index.js';
import { readResults } from '../load.js';
import { damagedResults, type Results } from '../results.js';
import type { Stats } from '../seeds.js';
import { configDiff, sharedConfig, type DiffRow } from './diff.js';
import { renderComparison } from './page.js';
import { pick, type Picked, type Selector } from './select.js';

/** A compared item: what its argument picked, and its experiment's report (NAME.html, relative to DIR) when there is one. */
export interface ComparedItem extends Picked {
  report: string | null;
}

/** An argument that could not be compared, and why. */
export interface LeftOut {
  text: string;
  reason: string;
}

/** Everything the comparison shows. */
export interface Comparison {
  dir: string;
  items: ComparedItem[];
  leftOut: LeftOut[];
  notes: string[]; // damaged results left out of an experiment (its report names each)
  diff: { rows: DiffRow[]; same: DiffRow[] };
}

/** Read and pick what each selector stands for; an aborted signal stops it between experiments. */
export async function readComparison(out: string, selectors: readonly Selector[], signal?: AbortSignal): Promise<Comparison> {
  const read = new Map<string, Promise<Results | string>>(); // an experiment named twice (two of its trials) is read once
  const items: ComparedItem[] = [];
  const leftOut: LeftOut[] = [];
  const notes: string[] = [];
  for (const selector of selectors) {
    signal?.throwIfAborted();
    if (!read.has(selector.name)) read.set(selector.name, readExperiment(out, selector.name, signal, notes));
    const results = await read.get(selector.name)!;
    const picked = typeof results === 'string' ? results : pick(selector, results);
    if (typeof picked === 'string') leftOut.push({ text: selector.text, reason: picked });
    else items.push({ ...picked, report: (await exists(path.join(out, `${selector.name}.html`))) ? `${selector.name}.html` : null });
  }
  const diff = configDiff(items.map((i) => sharedConfig(i.group.trials.map((t) => t.trial.config))));
  return { dir: out, items, leftOut, notes, diff };
}

/** An experiment's results, or why there are none to compare. */
async function readExperiment(out: string, name: string, signal: AbortSignal | undefined, notes: string[]): Promise<Results | string> {
  if (!(await exists(path.join(out, name, 'experiment.yaml')))) {
    const known = await experimentsIn(out);
    const listed = known.length === 0 ? 'none' : known.length <= 10 ? known.join(', ') : `${known.slice(0, 10).join(', ')} and ${known.length - 10} more`;
    return `no experiment ${name} in ${out} (no ${path.join(out, name, 'experiment.yaml')}); experiments there: ${listed}`;
  }
  try {
    const stored = await readResults(out, name, { signal });
    const damaged = damagedResults(stored).filter((u) => u.damaged);
    if (damaged.length > 0) notes.push(`${name}: ${damaged.length} damaged result${damaged.length === 1 ? '' : 's'} left out (\`run-exp report ${name}\` names each)`);
    return { ...stored, expectations: [] };
  } catch (error) {
    if (signal?.aborted) throw error;
    return `its results could not be read: ${(error as Error).message}`;
  }
}

/** The experiments of DIR (folders with an experiment.yaml), for an error that names what is there. */
async function experimentsIn(out: string): Promise<string[]> {
  const entries = await readdir(out, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && (await exists(path.join(out, e.name, 'experiment.yaml')))) found.push(e.name);
  return found.sort();
}

/**
 * DIR/compare.A+B.html, named after the arguments as given (so the same command rewrites the same page); never an
 * experiment's NAME.html (a name has no "."), and shortened with a hash of the whole when it would be too long a name.
 */
export function comparisonFile(out: string, selectors: readonly Selector[]): string {
  const joined = selectors.map((s) => s.text).join('+');
  if (joined.length <= 180) return path.join(out, `compare.${joined}.html`);
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, 10);
  return path.join(out, `compare.${selectors.slice(0, 3).map((s) => s.text).join('+')}+${selectors.length - 3}-more-${hash}.html`);
}

/** The page built and written whole; the path written (the caller has checked that something is left to compare). */
export async function writeComparison(out: string, selectors: readonly Selector[], comparison: Comparison, signal?: AbortSignal): Promise<string> {
  const file = comparisonFile(out, selectors);
  await removeTempFilesIn(out, (name) => name === path.basename(file));
  const html = renderComparison(comparison, await readLibraries(), new Date().toISOString());
  signal?.throwIfAborted();
  await writeFileAtomic(file, html, signal);
  return file;
}

/** `run-exp compare --json`: the comparison as one document. */
export interface ComparisonDocument {
  report: string | null; // the page, or null when nothing was left to compare
  compared: {
    name: string; // the argument as given
    experiment: string;
    why: string;
    trials: string[]; // the ids: one, or a grid point's seeds
    params: Record<string, unknown>; // the grid point's values (without repeat)
    seeds: number;
    statuses: Record<string, number>;
    final: Record<`${SplitName}_loss`, Stats | null>; // over the seeds that have one
    steps: Stats | null;
    steps_per_s: Stats | null;
    seconds: Stats | null;
    report: string | null; // its experiment's report
  }[];
  left_out: LeftOut[];
  config_diff: DiffRow[]; // the keys whose values differ, one value per compared item (null where absent)
}

/** The comparison as the --json document. */
export function comparisonDocument(c: Comparison, file: string | null): ComparisonDocument {
  return {
    report: file,
    compared: c.items.map((i) => ({
      name: i.selector.text,
      experiment: i.selector.name,
      why: i.why,
      trials: i.group.trials.map((t) => t.trial.id),
      params: i.group.params,
      seeds: i.summary.seeds,
      statuses: i.summary.statuses as Record<string, number>,
      final: i.summary.final,
      steps: i.summary.steps,
      steps_per_s: i.summary.steps_per_s,
      seconds: i.summary.seconds,
      report: i.report === null ? null : path.join(c.dir, i.report),
    })),
    left_out: c.leftOut,
    config_diff: c.diff.rows.map((r) => ({ key: r.key, values: r.values.map((v) => v ?? null) })),
  };
}

function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}
