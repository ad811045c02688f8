// The banner of a report written while its run goes on: that it is live, when it was written, which trials run and
// how far; with the data the page script needs to reload the page (see page.ts). When the run ends without its final
// report (a signal, a report that could not be built), the last live page is closed: the banner says why, and the
// page no longer reloads.
import { formatCount, formatDuration, formatLoss, formatRate, formatTime } from '../../format.js';
import type { ReportData } from '../data.js';
import type { Results } from '../results.js';
import { escapeHtml as h, jsonForScript } from './escape.js';

/** Where the banner begins and ends in the page, so that closeLivePage can replace it (data never holds a raw "<!--"). */
const BEGIN = '<!--live:begin-->';
const END = '<!--live:end-->';

/** A live page that has not been rewritten for this long, and at least 60 s, says so (the run may have been killed). */
export const STALE_FACTOR = 5;
/** How often a page that says it is stale still reloads: a run that is only slow may write again. */
export const STALE_RELOAD_SECONDS = 30;

/** The live banner: what runs and how far, when this page was written, that it reloads itself ('' when not live). */
export function liveBanner(results: Results, data: ReportData): string {
  const live = results.live;
  if (live === undefined) return '';
  const labels = new Map(data.trials.map((r) => [r.id, r.label]));
  const running = results.trials.filter((t) => t.progress !== undefined && t.summary === null);
  const rows = running.map((t) => {
    const p = t.progress!;
    const share = p.steps > 0 ? p.step / p.steps : 0;
    return (
      `<tr><td class="num">${t.trial.index}</td><td>${h(labels.get(t.trial.id) ?? t.trial.id)}</td>` +
      `<td class="num">${formatCount(p.step)} / ${formatCount(p.steps)}</td><td><progress max="1" value="${share.toFixed(4)}"></progress> ${Math.floor(share * 100)} %</td>` +
      `<td class="num">${formatLoss(p.loss, '—')}</td><td class="num">${formatRate(p.steps_per_s)}</td></tr>`
    );
  });
  const elapsed = (Date.parse(live.written_at) - Date.parse(live.started_at)) / 1000;
  const state = { written_at: live.written_at, reload_ms: Math.round(live.reload_seconds * 1000), stale_ms: Math.max(60_000, STALE_FACTOR * live.reload_seconds * 1000), stale_reload_ms: STALE_RELOAD_SECONDS * 1000 };
  return `${BEGIN}<section class="live" id="live">
<h2>● Live: this run is going on</h2>
<p>Started ${h(formatTime(live.started_at))} (${h(formatDuration(elapsed))} before this page was written): ${formatCount(live.ended)} of ${formatCount(live.trials)} trials of this run ended, ${formatCount(running.length)} running.
Written <time datetime="${h(live.written_at)}">${h(formatTime(live.written_at))}</time> (<span id="live-ago">just now</span>); this page reloads itself every ${h(formatDuration(live.reload_seconds))} or so, keeping your place, until the run's final report replaces it.</p>
<p id="live-stale" hidden>No newer page has been written for a while: the run may have ended without its final report (see <code>run-exp status ${h(results.name)}</code>).</p>
${rows.length === 0 ? '' : `<table class="running"><thead><tr><th>#</th><th>running</th><th>step</th><th>progress</th><th>loss</th><th>steps/s</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`}
<script type="application/json" id="live-data">${jsonForScript(state)}</script>
</section>${END}`;
}

/**
 * A live page closed: its banner replaced by `title` and `text` (HTML, escaped by the caller), so that it no longer
 * reloads itself; the rest of the page as it was. A page without a live banner is returned as it is.
 */
export function closeLivePage(html: string, title: string, text: string): string {
  const begin = html.indexOf(BEGIN);
  const end = html.indexOf(END, begin);
  if (begin < 0 || end < 0) return html;
  const banner = `${BEGIN}<section class="live live-ended" id="live">\n<h2>${title}</h2>\n<p>${text}</p>\n</section>${END}`;
  return html.slice(0, begin) + banner + html.slice(end + END.length);
}
