// The comparison page (pure): what is compared and why, what was left out, the training loss of each compared trial
// or grid point on one chart (a grid point's seeds as a mean with a min–max band), their final losses in a table
// (mean ± sd over seeds), and the configuration keys whose values differ between them.
import type { Chart } from '../charts/common.js';
import { meanBands } from '../charts/mean-bands.js';
import { addBands, groupRow, referenceRows, type BandRow, type GroupEvalRow } from '../data.js';
import { escapeHtml as h } from '../html/escape.js';
import { renderPage, type Libraries } from '../html/page.js';
import { cell, charts, sortableTable, statusBadges } from '../html/parts.js';
import { formatCount, formatDuration, formatMeanSd, formatRate, formatTime } from '../../format.js';
import { formatValue } from '../../values.js';
import type { Comparison } from './index.js';

/** The page of a comparison, as of `written` (ISO). */
export function renderComparison(c: Comparison, libraries: Libraries, written: string): string {
  const list = c.items.some((i) => i.group.trials.some((t) => (t.curves?.aligned.length ?? 0) > 0)) ? [lossChart(c)] : [];
  return renderPage({
    title: `${c.items.map((i) => i.selector.text).join(' vs ')} · run-exp comparison`,
    sections: [header(c, written), leftOut(c), charts(list, 'None of the compared trials has metrics to plot.'), finalTable(c), diffSection(c)],
    charts: list,
    libraries,
  });
}

function header(c: Comparison, written: string): string {
  return `<header>
<h1>${c.items.map((i) => h(i.selector.text)).join(' <small>vs</small> ')}</h1>
<p class="description">${c.items.length} compared from ${h(c.dir)}: for an experiment, its best grid point (seeds aggregated, as its report ranks them); for NAME@ID, that trial.</p>
<dl class="facts"><div><dt>written</dt><dd>${h(formatTime(written))}</dd></div><div><dt>results</dt><dd><code>${h(c.dir)}</code></dd></div></dl>
${c.notes.map((n) => `<p class="hint">${h(n)}</p>`).join('\n')}
</header>`;
}

/** The arguments that could not be compared, each with why (the command exits 1). */
function leftOut(c: Comparison): string {
  if (c.leftOut.length === 0) return '';
  return `<section class="expect expect-missed" id="left-out">
<h2>✗ ${c.leftOut.length} left out</h2>
<ul>${c.leftOut.map((l) => `<li><code>${h(l.text)}</code>: ${h(l.reason)}</li>`).join('')}</ul>
</section>`;
}

/** The compared items' curves: a mean line and a min–max band each (a single trial: its moving average). */
function lossChart(c: Comparison): Chart {
  const bands: { bands: BandRow[]; groupEvals: GroupEvalRow[] } = { bands: [], groupEvals: [] };
  c.items.forEach((item, i) => addBands(bands, item.group, i));
  const trials = c.items.flatMap((i) => i.group.trials);
  return meanBands(
    { groups: c.items.map((item, i) => groupRow(item.summary, i, item.selector.text)), ...bands, reference: referenceRows(trials), keys: [] },
    {
      id: 'compare-loss',
      title: 'Training loss by step',
      caption:
        'The moving average of each compared trial; for a grid point of several seeds, the mean of theirs with a band from the least to the greatest at each step. ' +
        'Points: the loss on the whole dev split (the mean over seeds). Dashed: the uniform guess and the bigram model of each data set.',
      noun: 'compared',
    },
  );
}

/** Each compared item's final losses (mean ± sd over seeds), status, steps, speed and time, with a link to its report. */
function finalTable(c: Comparison): string {
  const head: [string, 'text' | 'number'][] = [['compared', 'text'], ['what', 'text'], ['seeds', 'number'], ['status', 'text'], ['steps', 'number'], ['train loss', 'number'], ['dev loss', 'number'], ['test loss', 'number'], ['steps/s', 'number'], ['time', 'number'], ['trials', 'text']];
  const rows = c.items.map((item) => {
    const s = item.summary;
    const values = Object.entries(item.group.params).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
    const name = item.report === null ? h(item.selector.text) : `<a href="${h(encodeURIComponent(item.report))}">${h(item.selector.text)}</a>`;
    const description = item.results.experiment.description ? `<div class="reason">${h(item.results.experiment.description)}</div>` : '';
    return `<tr>${[
      cell(`${name}${description}`, item.selector.text),
      cell(`${h(item.why)}${values === '' ? '' : `<div class="reason">${h(values)}</div>`}`, item.why),
      cell(String(s.seeds), s.seeds, 'num'),
      cell(statusBadges(s.statuses), s.seeds - (s.statuses.ok ?? 0)),
      cell(s.steps === null ? '—' : formatCount(Math.round(s.steps.mean)), s.steps?.mean ?? null, 'num'),
      ...(['train', 'dev', 'test'] as const).map((sp) => cell(h(formatMeanSd(s.final[`${sp}_loss`])), s.final[`${sp}_loss`]?.mean ?? null, 'num')),
      cell(formatRate(s.steps_per_s?.mean), s.steps_per_s?.mean ?? null, 'num'),
      cell(h(formatDuration(s.seconds?.mean)), s.seconds?.mean ?? null, 'num'),
      cell(`<code>${h(item.group.trials.map((t) => t.trial.id).join(' '))}</code>`, item.group.trials[0]!.trial.id),
    ].join('')}</tr>`;
  });
  return `<section id="final">
<h2>Final losses</h2>
<p class="hint">Over a grid point's seeds: mean ± sample sd (n − 1) of those with a final loss; steps, steps/s and time: the mean per seed. Click a column heading to sort.</p>
${sortableTable(head, rows)}
</section>`;
}

/** The configuration keys whose values differ between the compared items; the shared ones folded away. */
function diffSection(c: Comparison): string {
  const { rows, same } = c.diff;
  const value = (v: unknown) => (v === undefined ? '<span class="reason">absent</span>' : h(formatValue(v)));
  const head = `<thead><tr><th>key</th>${c.items.map((i) => `<th>${h(i.selector.text)}</th>`).join('')}</tr></thead>`;
  const table = rows.length === 0
    ? `<p>The compared configurations are the same${c.items.length > 1 ? '' : ' (only one was compared)'}.</p>`
    : `<div class="table-wrap"><table>${head}<tbody>
${rows.map((r) => `<tr><td><code>${h(r.key)}</code></td>${r.values.map((v) => `<td>${value(v)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></div>`;
  return `<section id="config-diff">
<h2>What differs</h2>
<p class="hint">The keys of the resolved configurations (each trial's config.json) whose values are not the same in every compared item; a grid point's seeds differ only by their seed, shown as the list of them.</p>
${table}
<details><summary>${same.length} key${same.length === 1 ? '' : 's'} the same in every one</summary><table><tbody>
${same.map((r) => `<tr><td><code>${h(r.key)}</code></td><td>${value(r.values[0])}</td></tr>`).join('\n')}
</tbody></table></details>
</section>`;
}
