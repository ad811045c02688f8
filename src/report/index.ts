// The report: one self-contained Vega-Lite HTML file built from the stored results in DIR/NAME/.
//
// 1. read the results (the only reads), 2. check the expectations (unless a run checked them), 3. build the data
// sets and choose the charts, 4. assemble the page (pure), 5. write it whole (the store's writeFileAtomic: a temporary
// file, then a rename).
// Damaged trials are left out and named (ReportOptions.onUnread, and on the page); a signal stops it at the next step.
// A live page (ReportOptions.live, while the run goes on: see live.ts) also reads the running trials' metrics so far and
// leaves the expectations to the end; the finished trials it has read and checked are kept (ReportOptions.cache) for
// the next page and the run's final report.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { checkExpectations, type ExpectationResult } from '../expect/index.js';
import { formatBytes } from '../format.js';
import * as msg from '../messages.js';
import { writeFileAtomic } from '../store/files.js';
import { freeBytes } from '../store/folders.js';
import type { Progress, RunInfo, Summary } from '../types.js';
import { chooseCharts } from './charts/index.js';
import { insideCharts } from './charts/inside.js';
import { buildData } from './data.js';
import { renderHtml, type Libraries } from './html/page.js';
import { readResults, type ResultCache } from './load.js';
import { damagedResults, type LiveInfo, type Results, type UnreadTrial } from './results.js';

/** How writeReport runs: an abort signal, who hears of damaged results, the expectations if checked already. */
export interface ReportOptions {
  signal?: AbortSignal; // aborted: stop at the next step (between trials, before or during the write); nothing written, the old report stays
  onUnread?: (unread: UnreadTrial) => void; // each damaged result and each folder of trials/ that is no trial (the page lists them too)
  expectations?: ExpectationResult[]; // checked by the caller against the same trials (a run); default: checked here against the stored summaries
  live?: LiveReportOptions; // a page written while the run goes on (see live.ts): no expectations yet, the running trials' curves so far
  cache?: ResultCache; // finished trials this process has read and checked already (a run's live pages; see load.ts)
}

/** What a live page shows besides the stored results, and what it keeps from one page to the next. */
export interface LiveReportOptions {
  info: LiveInfo;
  running: ReadonlyMap<string, Progress>; // the trials being trained, by id, and how far
  run: RunInfo; // this run (run.json is written at its end): its start, versions and commit
  leaveFree?: number; // bytes the run's trials may still write: a page that would leave the disk less is not written
}

/** Build DIR/NAME.html from the stored results in DIR/NAME/; returns the path written. An abort rejects with the signal's reason. */
export async function writeReport(out: string, name: string, options: ReportOptions = {}): Promise<string> {
  const { signal, live, cache } = options;
  const stored = await readResults(out, name, { signal, ...(cache === undefined ? {} : { cache }), ...(live === undefined ? {} : { running: live.running }) });
  for (const u of damagedResults(stored)) options.onUnread?.(u);
  const results: Results =
    live === undefined
      ? { ...stored, expectations: options.expectations ?? expectationsOf(stored) }
      : { ...stored, run: live.run, expectations: [], live: live.info }; // expectations are checked once every trial has ended
  const html = buildReport(results, await readLibraries());
  signal?.throwIfAborted();
  const file = path.join(out, `${name}.html`);
  if (live?.leaveFree !== undefined) await checkRoom(out, Buffer.byteLength(html), live.leaveFree);
  await writeFileAtomic(file, html, signal);
  return file;
}

/**
 * A live page must not take the room its run's trials need: while its temporary copy is written, a trial's write
 * could fail for want of space and stop the run. Throws when the page and `leaveFree` together do not fit.
 */
async function checkRoom(out: string, pageBytes: number, leaveFree: number): Promise<void> {
  const free = await freeBytes(out);
  if (free !== undefined && free < pageBytes + leaveFree) throw new Error(msg.noRoomForLivePage(formatBytes(pageBytes), formatBytes(free), formatBytes(leaveFree)));
}

/** The report page for the results (pure): data sets, charts, HTML. */
export function buildReport(results: Results, libraries: Libraries): string {
  const data = buildData(results);
  return renderHtml(results, data, chooseCharts(results, data), libraries, insideCharts(data));
}

/** The experiment's expectations checked against the stored summaries (unfinished trials count as missed). */
function expectationsOf(stored: Omit<Results, 'expectations'>): ExpectationResult[] {
  const summaries = new Map<string, Summary>();
  for (const t of stored.trials) if (t.summary !== null) summaries.set(t.trial.id, t.summary);
  return checkExpectations(stored.experiment, stored.trials.map((t) => t.trial), summaries);
}

/** The libraries, read once per process (a live report writes many pages). */
let libraries: Promise<Libraries> | undefined;

/** The min builds of vega, vega-lite and vega-embed from node_modules (read once). */
export function readLibraries(): Promise<Libraries> {
  libraries ??= readLibraryFiles().catch((error: unknown) => {
    libraries = undefined; // try again next time
    throw error;
  });
  return libraries;
}

async function readLibraryFiles(): Promise<Libraries> {
  const build = (pkg: string, file: string) => path.join(packageDir(pkg), 'build', file);
  const [vega, vegaLite, vegaEmbed] = await Promise.all([
    readFile(build('vega', 'vega.min.js'), 'utf8'),
    readFile(build('vega-lite', 'vega-lite.min.js'), 'utf8'),
    readFile(build('vega-embed', 'vega-embed.min.js'), 'utf8'),
  ]);
  return { vega, vegaLite, vegaEmbed };
}

/** The installed directory of a package (not every package exports its package.json, so walk up from its entry). */
function packageDir(pkg: string): string {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve(pkg));
  while (path.basename(dir) !== pkg || path.basename(path.dirname(dir)) !== 'node_modules') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`${pkg}: cannot find its package directory above ${require.resolve(pkg)}`);
    dir = parent;
  }
  return dir;
}
