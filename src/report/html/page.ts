// A whole page: one self-contained HTML string with the libraries, the data and the specs inlined. The report, the
// comparison and the index of DIR are such pages (renderPage); the report's sections are in sections.ts.
import type { Chart } from '../charts/common.js';
import type { ReportData } from '../data.js';
import type { Results } from '../results.js';
import { escapeHtml as h, inlineScript, jsonForScript } from './escape.js';
import { liveBanner } from './live.js';
import { insideSection } from './inside.js';
import { charts } from './parts.js';
import { bestTrialsSection, damaged, expectations, experimentYaml, groupTable, header, samples, trialTable } from './sections.js';

/** The sources of vega, vega-lite and vega-embed (their min builds), inlined so the page needs no network. */
export interface Libraries {
  vega: string;
  vegaLite: string;
  vegaEmbed: string;
}

/** What the page script reads: every data set once, and each chart's spec with the names of the sets it uses. */
export interface Payload {
  datasets: Record<string, unknown[]>;
  charts: { id: string; spec: object; datasets: string[] }[];
}

/** Move each spec's `datasets` into one shared table, so a data set used by three charts is embedded once. */
export function payload(list: Chart[]): Payload {
  const shared: Record<string, unknown[]> = {};
  const out: Payload['charts'] = [];
  for (const c of list) {
    const { datasets = {}, ...spec } = c.spec as { datasets?: Record<string, unknown[]> };
    for (const [name, rows] of Object.entries(datasets)) {
      const key = name in shared && shared[name] !== rows ? `${c.id}:${name}` : name;
      shared[key] = rows;
    }
    // A set whose name is taken by different rows (e.g. two charts' own "suggestions") is stored under chart:name.
    const names = Object.keys(datasets).map((n) => (shared[n] === datasets[n] ? n : `${c.id}:${n}`));
    out.push({ id: c.id, spec, datasets: names });
  }
  return { datasets: shared, charts: out };
}

// Nothing here may reach the network: CSP forbids it outright (connect, img, font, frames), and vega-embed's
// actions that open the online editor or show the source are off (export as SVG/PNG stays: it is local).
const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'";

/**
 * The page script: embed each chart (canvas: fast with many points), mark failures in place, sort the tables; on a live
 * page (a #live-data element, see live.ts), reload after a while, keeping the reader's place, and say how old it is.
 */
const SCRIPT = `
(function () {
  var payload = JSON.parse(document.getElementById('report-data').textContent);
  var options = { renderer: 'canvas', actions: { export: true, source: false, compiled: false, editor: false } };
  var views = window.reportViews = {}; // each chart's Vega view by id, for the console and the browser tests
  window.reportReady = Promise.all(payload.charts.map(function (c) {
    var el = document.getElementById(c.id);
    var spec = Object.assign({}, c.spec, { datasets: {} });
    c.datasets.forEach(function (n) { spec.datasets[n.slice(n.indexOf(':') + 1)] = payload.datasets[n]; });
    return vegaEmbed(el, spec, options).then(function (result) { views[c.id] = result.view; el.setAttribute('data-rendered', 'true'); }, function (err) {
      el.classList.add('chart-error');
      el.textContent = 'This chart could not be drawn: ' + (err && err.message ? err.message : err);
      console.error(err);
    });
  }));
  document.querySelectorAll('table.sortable').forEach(function (table) {
    table.querySelectorAll('th').forEach(function (th, col) {
      th.querySelector('button').addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        table.querySelectorAll('th').forEach(function (o) { o.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var numeric = th.getAttribute('data-type') === 'number';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
          if (x === '' || y === '') return (x === '') - (y === '');
          var d = numeric && !isNaN(x) && !isNaN(y) ? x - y : x.localeCompare(y, undefined, { numeric: true });
          return asc ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  var liveData = document.getElementById('live-data');
  if (liveData) {
    var live = JSON.parse(liveData.textContent);
    var key = 'run-exp:scroll:' + location.pathname;
    var saved = null;
    if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
    try { saved = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (e) {}
    if (saved !== null) {
      window.scrollTo(0, Number(saved));
      window.reportReady.then(function () { window.scrollTo(0, Number(saved)); });
    }
    var written = Date.parse(live.written_at);
    var stale = Date.now() - written > live.stale_ms;
    var ago = document.getElementById('live-ago');
    var tick = function () {
      var s = Math.max(0, Math.round((Date.now() - written) / 1000));
      ago.textContent = s < 2 ? 'just now' : s < 120 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
      if (Date.now() - written > live.stale_ms) {
        document.getElementById('live').classList.add('live-stale');
        document.getElementById('live-stale').hidden = false;
      }
    };
    tick();
    setInterval(tick, 1000);
    setTimeout(function () {
      try { sessionStorage.setItem(key, String(window.scrollY)); } catch (e) {}
      location.reload();
    }, stale ? live.stale_reload_ms : live.reload_ms);
  }
})();
`;

const STYLE = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #dde2ea; --ok: #1e7a46; --diverged: #b45f06; --stopped: #0e7490; --failed: #b3261e; --running: #2563eb; --unfinished: #6b7280; --damaged: #7c2d92; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; word-break: break-word; }
h2 { font-size: 17px; margin: 0 0 4px; }
.description { margin: 0 0 12px; color: var(--muted); font-size: 15px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 6px 20px; margin: 12px 0 20px; }
.facts div { display: flex; gap: 8px; min-width: 0; } .facts dt { color: var(--muted); min-width: 78px; } .facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
section, figure { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 0 0 18px; }
#charts { background: none; border: 0; padding: 0; }
figure.chart figcaption p { margin: 0 0 8px; color: var(--muted); max-width: 90ch; }
.vis { width: 100%; min-height: 60px; }
.vis .vega-embed { width: 100%; }
.vis .vega-bindings { margin: 4px 0 0 4px; color: var(--muted); }
.chart-error { color: var(--failed); font-weight: 600; }
.status { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600; color: #fff; }
.status-ok { background: var(--ok); } .status-diverged { background: var(--diverged); } .status-stopped { background: var(--stopped); } .status-failed { background: var(--failed); } .status-running { background: var(--running); } .status-unfinished { background: var(--unfinished); } .status-damaged { background: var(--damaged); }
.reason { font-size: 12px; color: var(--muted); max-width: 40ch; }
tr.row-failed .reason { color: var(--failed); } tr.row-diverged .reason { color: var(--diverged); } tr.row-stopped .reason { color: var(--stopped); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th button { all: unset; cursor: pointer; font-weight: 600; white-space: nowrap; }
th[aria-sort=ascending] button::after { content: " ▲"; } th[aria-sort=descending] button::after { content: " ▼"; }
.hint { color: var(--muted); margin: 0 0 8px; font-size: 12px; }
.early-stop { margin: -8px 0 20px; } .early-stop strong { color: var(--stopped); }
table.best td strong { font-weight: 700; }
.expect-missed { border: 2px solid var(--failed); background: #fdf1f0; }
.expect-missed h2 { color: var(--failed); }
.expect-ok { border-color: var(--ok); color: var(--ok); }
.live { border: 2px solid var(--running); background: #eff5ff; }
.live h2 { color: var(--running); } .live-ended { border-color: var(--unfinished); background: #f3f4f6; } .live-ended h2 { color: var(--fg); }
.live-stale { border-color: var(--diverged); background: #fff7ed; } .live-stale h2 { color: var(--diverged); }
.live table { width: auto; } .live progress { width: 160px; vertical-align: middle; }
.findings h3 { font-size: 14px; margin: 10px 0 2px; }
.findings ul { margin: 4px 0 8px; padding-left: 20px; }
table.inside { margin-bottom: 6px; }
.samples div { display: flex; gap: 12px; padding: 3px 0; border-bottom: 1px solid var(--line); }
.samples dt { min-width: 220px; color: var(--muted); } .samples dd { margin: 0; }
.samples span { display: inline-block; margin-right: 6px; }
details pre { white-space: pre-wrap; }
summary { cursor: pointer; }
`;

/** A page: its title, its sections as HTML (strings from the user already escaped), its charts, the libraries, its own style. */
export interface Page {
  title: string;
  sections: string[];
  charts: Chart[];
  libraries: Libraries;
  style?: string; // CSS of this kind of page, after the shared style
  script?: string; // JavaScript of this kind of page, after the shared script
}

/** Assemble a page (pure): the shared head (CSP, style), its sections, the charts' data and specs, the libraries, the script. */
export function renderPage(page: Page): string {
  const { libraries } = page;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${h(CSP)}">
<meta name="generator" content="run-exp">
<title>${h(page.title)}</title>
<style>${STYLE}${page.style ?? ''}</style>
</head>
<body>
<main>
${page.sections.filter((x) => x !== '').join('\n')}
</main>
<script type="application/json" id="report-data">${jsonForScript(payload(page.charts))}</script>
${inlineScript('vega', libraries.vega)}
${inlineScript('vega-lite', libraries.vegaLite)}
${inlineScript('vega-embed', libraries.vegaEmbed)}
<script>${SCRIPT}${page.script ?? ''}</script>
</body>
</html>
`;
}

/**
 * Assemble the report page (pure): header, a live run's banner, damaged results, missed expectations, the best trials,
 * charts, inside the network (its own charts), grid points, trials, samples, the experiment.
 */
export function renderHtml(results: Results, data: ReportData, list: Chart[], libraries: Libraries, inside: Chart[] = []): string {
  return renderPage({
    title: `${results.experiment.name} · run-exp report`,
    sections: [
      header(results),
      liveBanner(results, data),
      damaged(results),
      expectations(results, data),
      bestTrialsSection(results, data),
      charts(list, 'No finished trial has metrics yet: nothing to plot.'),
      insideSection(results, data, inside),
      groupTable(data),
      trialTable(results, data),
      samples(results, data),
      experimentYaml(results),
    ],
    charts: [...list, ...inside],
    libraries,
  });
}
