// The report: one self-contained Vega-Lite HTML file built from the stored results in DIR/NAME/.
//
// 1. read the results (the only reads), 2. check the expectations, 3. build the data sets and choose the charts,
// 4. assemble the page (pure), 5. write it whole (the runner's writeFileAtomic: a temporary file, then a rename).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { checkExpectations, type ExpectationResult } from '../expect/index.js';
import { writeFileAtomic } from '../run/files.js';
import type { Summary } from '../types.js';
import { chooseCharts } from './charts/index.js';
import { buildData } from './data.js';
import { renderHtml, type Libraries } from './html/page.js';
import { readResults } from './load.js';
import type { Results } from './results.js';

/** Build DIR/NAME.html from the stored results in DIR/NAME/; returns the path written. */
export async function writeReport(out: string, name: string): Promise<string> {
  const stored = await readResults(out, name);
  const results: Results = { ...stored, expectations: expectationsOf(stored) };
  const html = buildReport(results, await readLibraries());
  const file = path.join(out, `${name}.html`);
  await writeFileAtomic(file, html);
  return file;
}

/** The report page for the results (pure): data sets, charts, HTML. */
export function buildReport(results: Results, libraries: Libraries): string {
  const data = buildData(results);
  return renderHtml(results, data, chooseCharts(results, data), libraries);
}

/** The experiment's expectations checked against the stored summaries (unfinished trials count as missed). */
function expectationsOf(stored: Omit<Results, 'expectations'>): ExpectationResult[] {
  const summaries = new Map<string, Summary>();
  for (const t of stored.trials) if (t.summary !== null) summaries.set(t.trial.id, t.summary);
  return checkExpectations(stored.experiment, stored.trials.map((t) => t.trial), summaries);
}

/** The min builds of vega, vega-lite and vega-embed from node_modules. */
async function readLibraries(): Promise<Libraries> {
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
