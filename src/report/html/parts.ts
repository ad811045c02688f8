// The pieces every page builds its sections from: chart figures, sortable tables and their cells, status badges.
import type { Chart } from '../charts/common.js';
import type { ReportStatus } from '../results.js';
import { escapeHtml as h } from './escape.js';

/** The statuses in the order pages show them. */
export const STATUSES: ReportStatus[] = ['ok', 'diverged', 'stopped', 'failed', 'running', 'unfinished', 'damaged'];

/** One figure per chart: a container the page script embeds the spec into, its title and caption; `empty` when there are none ('' for nothing). */
export function charts(list: Chart[], empty: string): string {
  if (list.length === 0) return empty === '' ? '' : `<section id="charts"><p class="empty">${h(empty)}</p></section>`;
  return `<section id="charts">
${list.map(chartFigure).join('\n')}
</section>`;
}

/** A chart's figure: its title and caption, and the container the page script embeds its spec into. */
export function chartFigure(c: Chart): string {
  return `<figure class="chart"><figcaption><h2>${h(c.title)}</h2><p>${h(c.caption)}</p></figcaption><div class="vis" id="${h(c.id)}" data-chart="${h(c.id)}"></div></figure>`;
}

/** A table cell with its sort value (numbers sort as numbers; blanks last). */
export function cell(html: string, sort: string | number | null, cls = ''): string {
  const v = sort === null || (typeof sort === 'number' && !Number.isFinite(sort)) ? '' : String(sort);
  return `<td${cls ? ` class="${cls}"` : ''} data-v="${h(v)}">${html}</td>`;
}

/** A table the page script sorts by any column (click a heading): its headings (HTML) with their kind, its rows. */
export function sortableTable(head: [string, 'text' | 'number'][], rows: string[]): string {
  return `<div class="table-wrap"><table class="sortable">
<thead><tr>${head.map(([c, type]) => `<th data-type="${type}"><button type="button">${c}</button></th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>`;
}

/** Counts of statuses as coloured badges: "3 ok 1 failed" (none for a status without trials). */
export function statusBadges(counts: Partial<Record<ReportStatus, number>>): string {
  return STATUSES.filter((s) => (counts[s] ?? 0) > 0).map((s) => `<span class="status status-${s}">${counts[s]} ${s}</span>`).join(' ');
}
