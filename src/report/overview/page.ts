// The index page of DIR (pure): every experiment with its description, when it last ran, its trials by status, its
// best loss and which grid point or trial, steps, time and a link to its report, in a table sortable by any column; a
// chart of the best losses; the comparisons written there; what could not be read.
import type { TopLevelSpec } from 'vega-lite';
import type { Chart } from '../charts/common.js';
import { round5 } from '../downsample.js';
import { escapeHtml as h } from '../html/escape.js';
import { renderPage, type Libraries } from '../html/page.js';
import { cell, charts, sortableTable, statusBadges } from '../html/parts.js';
import { formatCount, formatDuration, formatMeanSd, formatShellArg, formatTime } from '../../format.js';
import type { ExperimentEntry, Overview } from './scan.js';

/** The index page of DIR (pure), as of `written` (ISO). */
export function renderIndex(overview: Overview, libraries: Libraries, written: string): string {
  const list = overview.experiments.some((e) => e.best !== null) ? [bestChart(overview)] : [];
  return renderPage({
    title: `${overview.dir} · run-exp index`,
    sections: [header(overview, written), problems(overview), charts(list, ''), table(overview), comparisons(overview)],
    charts: list,
    libraries,
    style: INDEX_STYLE,
    script: PICK_SCRIPT,
  });
}

const INDEX_STYLE = `
.pick { margin: 0 6px 0 0; vertical-align: middle; }
#compare-command { display: block; margin-top: 6px; padding: 6px 8px; background: #f3f4f6; border-radius: 4px; white-space: pre-wrap; }
.running-now { color: var(--running); font-weight: 600; }
td.description { max-width: 36ch; color: var(--muted); }
`;

/** Ticking experiments in the table writes the command that compares them. */
const PICK_SCRIPT = `
(function () {
  var out = document.getElementById('compare-command');
  if (!out) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input.pick'));
  var update = function () {
    var names = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    out.textContent = names.length < 2 ? 'Tick two or more experiments to compare them.' : 'run-exp compare ' + names.join(' ') + ' ' + out.getAttribute('data-out');
  };
  boxes.forEach(function (b) { b.addEventListener('change', update); });
  update();
})();
`;

function header(o: Overview, written: string): string {
  const trials = o.experiments.reduce((n, e) => n + e.trials, 0);
  const running = o.experiments.filter((e) => e.running !== null).length;
  return `<header>
<h1>Experiments in ${h(o.dir)}</h1>
<dl class="facts"><div><dt>written</dt><dd>${h(formatTime(written))}</dd></div><div><dt>experiments</dt><dd>${o.experiments.length}</dd></div><div><dt>trials</dt><dd>${formatCount(trials)}</dd></div>${running > 0 ? `<div><dt>running now</dt><dd>${running}</dd></div>` : ''}</dl>
<p class="hint">Written by every run into ${h(o.dir)} and by <code>run-exp report</code>; it reads each trial's config.json and summary.json (a report checks every file).</p>
</header>`;
}

/** What could not be read, per experiment and at the top. */
function problems(o: Overview): string {
  const all = [...o.problems, ...o.experiments.flatMap((e) => e.problems)];
  if (all.length === 0) return '';
  return `<section class="expect expect-missed" id="unread">
<h2>⚠ Not everything could be read</h2>
<p>Listed with what could be read; <code>run-exp report NAME</code> says more about an experiment's damaged results.</p>
<ul>${all.map((p) => `<li><code>${h(p)}</code></li>`).join('')}</ul>
</section>`;
}

/** Each experiment's best final loss: a point at its mean, a bar over ± sd where it is a mean over seeds; least first. */
function bestChart(o: Overview): Chart {
  const rows = o.experiments
    .filter((e) => e.best !== null)
    .map((e) => {
      const s = e.best!.judged!.stats;
      const sd = s.sd ?? 0;
      return { experiment: e.name, loss: round5(s.mean), lo: round5(s.mean - sd), hi: round5(s.mean + sd), split: e.best!.judged!.split, point: e.best!.group.label, seeds: e.best!.seeds, sd: s.sd === null ? null : round5(s.sd) };
    })
    .sort((a, b) => (a.loss ?? Infinity) - (b.loss ?? Infinity));
  const splits = [...new Set(rows.map((r) => r.split))];
  const title = `best final ${splits.length === 1 ? `${splits[0]} ` : ''}loss`;
  const y = { field: 'experiment', type: 'nominal' as const, sort: rows.map((r) => r.experiment), title: null, axis: { labelLimit: 240 } };
  const x = { field: 'loss', type: 'quantitative' as const, title, scale: { zero: false } };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: Math.max(60, 26 * rows.length),
    datasets: { best: rows },
    data: { name: 'best' },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2, color: '#8aa4c8' }, encoding: { y, x: { ...x, field: 'lo' }, x2: { field: 'hi' } } },
      {
        mark: { type: 'point', filled: true, size: 80, color: '#1f4e9c' },
        encoding: {
          y,
          x,
          tooltip: [
            { field: 'experiment' },
            { field: 'point', title: 'best' },
            { field: 'split', title: 'split' },
            { field: 'loss', title: 'final loss', format: '.4f' },
            { field: 'sd', title: 'sd over seeds', format: '.4f' },
            { field: 'seeds', title: 'seeds' },
          ],
        },
      },
    ],
  };
  return {
    id: 'best-by-experiment',
    title: 'Best final loss by experiment',
    caption:
      'Each experiment\'s best grid point or trial (the one its report ranks first), least loss at the top' +
      (splits.length > 1 ? ' (the dev loss where evaluated, else train or test)' : '') +
      '; a bar spans ± one sample sd where the best is a mean over seeds.',
    spec,
  };
}

function table(o: Overview): string {
  if (o.experiments.length === 0) return `<section id="experiments"><p>No experiment has results in ${h(o.dir)} yet.</p></section>`;
  const head: [string, 'text' | 'number'][] = [['experiment', 'text'], ['description', 'text'], ['last ran', 'text'], ['trials', 'number'], ['best loss', 'number'], ['best', 'text'], ['steps', 'number'], ['time', 'number'], ['state', 'text']];
  const rows = o.experiments.map((e) => `<tr>${row(e).join('')}</tr>`);
  return `<section id="experiments">
<h2>Experiments</h2>
<p class="hint">Click a column heading to sort. Tick experiments to get the command that compares them:</p>
<code id="compare-command" data-out="--out ${h(formatShellArg(o.dir))}"></code>
${sortableTable(head, rows)}
</section>`;
}

function row(e: ExperimentEntry): string[] {
  const link = e.report === null ? h(e.name) : `<a href="${h(encodeURIComponent(e.report))}">${h(e.name)}</a>`;
  const when = e.ran?.finished_at ?? e.ran?.started_at ?? null;
  const best = e.best;
  const judged = best?.judged ?? null;
  const bestText = best === null ? '—' : `${h(best.group.label)}${best.seeds > 1 ? ` <small>(mean of ${best.complete ? '' : `${best.judged!.stats.n} of `}${best.seeds} seeds)</small>` : ''}<div class="reason"><code>${h(best.group.trials.map((t) => t.trial.id).join(' '))}</code></div>`;
  const state = e.running !== null ? `<span class="running-now">running</span> <small>since ${h(formatTime(e.running.since))}, pid ${e.running.pid} on ${h(e.running.host)}</small>` : e.report === null ? 'no report yet' : '';
  return [
    cell(`<input type="checkbox" class="pick" value="${h(e.name)}" aria-label="compare ${h(e.name)}">${link}`, e.name),
    cell(e.description ? h(e.description) : '', e.description ?? '', 'description'),
    cell(when === null ? '—' : h(formatTime(when)), when),
    cell(`${e.trials} ${statusBadges(e.statuses)}`, e.trials),
    cell(judged === null ? '—' : `${h(formatMeanSd(judged.stats))} <small>${h(judged.split)}</small>`, judged?.stats.mean ?? null, 'num'),
    cell(bestText, best?.group.label ?? null),
    cell(`${formatCount(e.steps)}${e.steps < e.planned ? ` / ${formatCount(e.planned)}` : ''}`, e.steps, 'num'),
    cell(h(formatDuration(e.seconds)), e.seconds, 'num'),
    cell(state, e.running !== null ? 'running' : ''),
  ];
}

/** The comparisons written in DIR, each a link. */
function comparisons(o: Overview): string {
  if (o.comparisons.length === 0) return '';
  return `<section id="comparisons">
<h2>Comparisons</h2>
<ul>${o.comparisons.map((f) => `<li><a href="${h(encodeURIComponent(f))}">${h(f.slice('compare.'.length, -'.html'.length).split('+').join(' · '))}</a></li>`).join('')}</ul>
</section>`;
}

