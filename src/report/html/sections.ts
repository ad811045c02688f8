// The report's sections as HTML strings: header, missed expectations, charts, trial table, samples, experiment.
import type { ExpectationResult } from '../../expect/index.js';
import { formatLr } from '../charts/lr-range.js';
import type { Summary } from '../../types.js';
import type { ReportData } from '../data.js';
import { formatValue } from '../../values.js';
import { bestTrials, damagedResults, earlyStopping, judgedLoss, searchOf, statusOf, type EarlyStopping, type ReportStatus, type Results, type TrialResult } from '../results.js';
import { escapeHtml as h } from './escape.js';
import { cell, sortableTable, STATUSES, statusBadges } from './parts.js';
import { formatCount, formatDuration, formatLoss, formatMeanSd, formatRate, formatShare, formatSpan, formatTime } from '../../format.js';
import { rankGroups, type GroupSummary, type Stats } from '../seeds.js';

/** Trials per status, every status present (zeros included). */
function statusCounts(results: Results): Record<ReportStatus, number> {
  const counts: Record<ReportStatus, number> = { ok: 0, diverged: 0, stopped: 0, failed: 0, running: 0, unfinished: 0, damaged: 0 };
  for (const t of results.trials) counts[statusOf(t)] += 1;
  return counts;
}

/** Name, description and the facts of the run: when, how long, engine, backend and versions, commit, seed, trials. */
export function header(results: Results): string {
  const { experiment: e, run } = results;
  const counts = statusCounts(results);
  // The backends that trained: a trial that failed before starting reports the one it was asked for ("auto").
  const ran = results.trials.filter((t) => t.summary !== null && t.summary.status !== 'failed');
  const backends = [...new Set((ran.length > 0 ? ran : results.trials).flatMap((t) => (t.summary ? [`${t.summary.backend} · ${t.summary.backend_version}`] : [])))];
  const span = run ?? trialSpan(results);
  const facts: [string, string][] = [
    ['ran', results.live ? `since ${h(formatTime(results.live.started_at))} <small>(running)</small>` : span ? h(formatSpan(span.started_at, span.finished_at)) + (run ? '' : ' <small>(from the trials; no run.json)</small>') : 'unknown (no run.json)'],
    // A resumed run skips finished trials, so its own time can be far less than the training behind the report.
    ['took', span ? h(formatDuration(span.seconds)) + (results.live ? ' <small>(so far)</small>' : run ? ' <small>(this run)</small>' : '') : '—'],
    ['trial time', trialTime(results)],
    ['engine', engineFact(ran)],
    // TensorFlow.js's backend: it runs the tfjs engine's steps, and every engine's evaluation and sampling.
    ['backend', backends.length > 0 ? backends.map(h).join('<br>') : '—'],
    ['versions', run ? `run-exp ${h(run.run_exp_version)}, Node ${h(run.node_version)}` : '—'],
    ['git commit', run?.git_commit ? `<code>${h(run.git_commit.slice(0, 12))}</code>` : 'none'],
    // rng: torch seeds the lecture's generators with the seed itself; older experiment.yaml files have no rng.
    ['base seed', h(e.seed) + (e.rng === 'torch' ? " <small>(rng: torch: the lecture's generators, manual_seed(seed + repeat))</small>" : '')],
    ...searchFact(results),
    ['file', run ? `<code>${h(run.file)}</code>` : '—'],
    [
      'trials',
      `${results.trials.length}: ` +
        STATUSES.filter((s) => counts[s] > 0 || (s !== 'running' && s !== 'unfinished' && s !== 'stopped' && s !== 'damaged'))
          .map((s) => `<span class="status status-${s}">${counts[s]} ${s}</span>`)
          .join(' '),
    ],
  ];
  return `<header>
<h1>${h(e.name)}</h1>
${e.description ? `<p class="description">${h(e.description)}</p>` : ''}
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>
${earlyStoppingLine(earlyStopping(results))}</header>`;
}

const ENGINES: Record<Summary['engine'], string> = {
  kernel: "run-exp's WebAssembly SIMD kernel, a chunk of steps a call",
  tfjs: 'TensorFlow.js, one step after another',
};

/**
 * The engines that trained the trials that ran, each with what it is and, when they differ, how many trials it trained;
 * trials that asked for the kernel and trained on tfjs say why.
 */
function engineFact(ran: TrialResult[]): string {
  const counts = new Map<Summary['engine'], number>();
  for (const t of ran) counts.set(t.summary!.engine, (counts.get(t.summary!.engine) ?? 0) + 1);
  if (counts.size === 0) return '—';
  const lines = [...counts].map(([engine, n]) => `${engine} <small>(${h(ENGINES[engine])}${counts.size > 1 ? `; ${n} trial${n === 1 ? '' : 's'}` : ''})</small>`);
  const fallbacks = [...new Set(ran.flatMap((t) => (t.summary!.engine_fallback === undefined ? [] : [t.summary!.engine_fallback])))];
  for (const why of fallbacks) {
    const n = ran.filter((t) => t.summary!.engine_fallback === why).length;
    lines.push(`<small>${n} trial${n === 1 ? '' : 's'} asked for the kernel and trained on tfjs: ${h(why)}</small>`);
  }
  return lines.join('<br>');
}

/** A random search's draws and seed, as a fact of the header (nothing for a grid). */
function searchFact(results: Results): [string, string][] {
  const s = searchOf(results);
  if (s.method !== 'random') return [];
  const draws = s.trials === null ? '' : `, ${formatCount(s.trials)} draw${s.trials === 1 ? '' : 's'}`;
  return [['search', `random${h(draws)}${s.seed === null ? '' : `, seed ${h(s.seed)}`}`]];
}

/**
 * What early stopping saved, under the facts: "early stopping (ASHA, grace 250 steps, η = 3): 7 of 20 trials stopped,
 * 84,000 of 400,000 steps saved (21 %)". The steps saved are each stopped trial's planned steps it did not train.
 */
export function earlyStoppingLine(es: EarlyStopping | null): string {
  if (es === null) return '';
  const rule = es.rule === null ? '' : ` (${h(describeRule(es.rule))})`;
  return (
    `<p class="early-stop" id="early-stopping"><strong>early stopping</strong>${rule}: ${formatCount(es.stopped)} of ${formatCount(es.trials)} trials stopped, ` +
    `${formatCount(es.saved)} of ${formatCount(es.planned)} steps saved (${formatShare(es.saved, es.planned)})</p>\n`
  );
}

/** An early-stopping rule in a few words, from whatever keys it has: "ASHA, grace 250 steps, η = 3". */
function describeRule(rule: Record<string, unknown>): string {
  const method = rule['method'] === 'asha' ? 'ASHA' : rule['method'] === 'median' ? 'median rule' : formatValue(rule['method'] ?? 'a rule');
  const parts = [method];
  if (typeof rule['metric'] === 'string' && rule['metric'] !== 'dev_loss') parts.push(`on ${rule['metric'].replace('_', ' ')}`);
  if (typeof rule['grace'] === 'number') parts.push(`grace ${formatCount(rule['grace'])} steps`);
  if (typeof rule['eta'] === 'number') parts.push(`η = ${rule['eta']}`);
  if (typeof rule['min_trials'] === 'number') parts.push(`at least ${rule['min_trials']} other trials`);
  return parts.join(', ');
}

/**
 * The best few trials by their final loss (dev when evaluated), first of all: their swept values, status (a stopped
 * trial can be among them), steps and final losses. Only when two or more trials have a final loss to compare.
 */
export function bestTrialsSection(results: Results, data: ReportData): string {
  if (data.groups.length > 0) return bestGroupsSection(data);
  const judged = results.trials.filter((t) => judgedLoss(t.summary) !== null);
  if (judged.length < 2) return '';
  const best = bestTrials(results);
  const splits = (['train', 'dev', 'test'] as const).filter((sp) => best.some((t) => typeof t.summary!.final[`${sp}_loss`] === 'number'));
  const judgedSplits = [...new Set(best.map((t) => judgedLoss(t.summary)!.split))];
  const by = judgedSplits.length === 1 ? `final ${judgedSplits[0]} losses` : 'final losses (dev where evaluated)';
  const head = ['rank', 'trial', ...data.keys.map((k) => h(k.key)), 'status', 'steps', ...splits.map((sp) => `${sp} loss`), 'id'];
  const rows = best.map((t, i) => {
    const s = t.summary!;
    const own = judgedLoss(s)!.split;
    return `<tr class="row-${s.status}">${[
      `<td class="num">${i + 1}</td>`,
      `<td class="num">${t.trial.index}</td>`,
      ...data.keys.map((k) => {
        const v = t.trial.params[k.key];
        return `<td${k.numeric ? ' class="num"' : ''}>${v === undefined ? '—' : h(formatValue(v))}</td>`;
      }),
      `<td>${statusBadge(t)}</td>`,
      `<td class="num">${stepsText(s)}</td>`,
      ...splits.map((sp) => `<td class="num">${sp === own ? '<strong>' : ''}${formatLoss(s.final[`${sp}_loss`], '—')}${sp === own ? '</strong>' : ''}</td>`),
      `<td><code>${h(t.trial.id)}</code></td>`,
    ].join('')}</tr>`;
  });
  const stopped = best.some((t) => t.summary!.status === 'stopped');
  return `<section id="best">
<h2>Best trials</h2>
<p class="hint">The ${best.length} lowest ${h(by)} of the ${judged.length} trials that have one.${stopped ? ' A stopped trial\'s losses are those of its last evaluation, at the step shown.' : ''}</p>
<div class="table-wrap"><table class="best">
<thead><tr>${head.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>
</section>`;
}

/** What a grid point's figures are when it has several seeds. */
export const SEEDS_STATS = "mean ± sample sd (n − 1) over each grid point's seeds";
/** How a seed without a final loss counts in the ranking (see src/report/seeds.ts). */
export const SEEDS_INCOMPLETE =
  'a grid point where some seed has no final loss (failed, diverged or unfinished) ranks after every grid point whose seeds all have one, by the mean of those that do (n of N)';

/** With several seeds per grid point: the best few grid points by the mean of their judged final loss. */
function bestGroupsSection(data: ReportData): string {
  const ranked = rankGroups(data.summaries, BEST_GROUPS);
  if (ranked.length < 2) return '';
  const splits = (['train', 'dev', 'test'] as const).filter((sp) => ranked.some((g) => g.final[`${sp}_loss`] !== null));
  const keys = data.keys.filter((k) => k.key !== 'repeat');
  const head = ['rank', ...keys.map((k) => h(k.key)), 'seeds', 'status', ...splits.map((sp) => `${sp} loss`), 'trials'];
  const rows = ranked.map((g, i) => {
    const own = g.judged!.split;
    return `<tr>${[
      `<td class="num">${i + 1}</td>`,
      ...keys.map((k) => paramCell(g.group.params[k.key], k.numeric)),
      `<td class="num">${seedsText(g)}</td>`,
      `<td>${statusBadges(g.statuses)}</td>`,
      ...splits.map((sp) => `<td class="num">${sp === own ? '<strong>' : ''}${h(formatMeanSd(g.final[`${sp}_loss`]))}${sp === own ? '</strong>' : ''}</td>`),
      `<td>${g.group.trials.map((t) => `#${t.trial.index}`).join(' ')}</td>`,
    ].join('')}</tr>`;
  });
  const by = [...new Set(ranked.map((g) => g.judged!.split))];
  return `<section id="best">
<h2>Best grid points</h2>
<p class="hint">The ${ranked.length} lowest mean final ${h(by.length === 1 ? `${by[0]} losses` : 'losses (dev where evaluated)')}: ${h(SEEDS_STATS)}; ${h(SEEDS_INCOMPLETE)}.</p>
<div class="table-wrap"><table class="best">
<thead><tr>${head.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>
</section>`;
}

/** How many grid points the "best grid points" section lists. */
const BEST_GROUPS = 5;

/** A grid point's seeds: "3", or "2 of 3" when some seed has no final loss. */
function seedsText(g: GroupSummary): string {
  const n = g.judged?.stats.n ?? 0;
  return n === g.seeds ? String(g.seeds) : `${n} of ${g.seeds}`;
}

/** A swept value in a table cell. */
function paramCell(v: unknown, numeric: boolean): string {
  return `<td${numeric ? ' class="num"' : ''}>${v === undefined ? '—' : h(formatValue(v))}</td>`;
}

/**
 * Every grid point over its seeds, sortable: its values, seeds, statuses, and the mean ± sd of its final losses, speed
 * and time. Only when some grid point has several seeds.
 */
export function groupTable(data: ReportData): string {
  if (data.groups.length === 0) return '';
  const keys = data.keys.filter((k) => k.key !== 'repeat');
  const head: [string, 'text' | 'number'][] = [
    ...keys.map((k): [string, 'text' | 'number'] => [h(k.key), k.numeric ? 'number' : 'text']),
    ...(['seeds', 'status', 'train loss', 'dev loss', 'test loss', 'steps/s', 'time'] as const).map((c): [string, 'text' | 'number'] => [c, c === 'status' ? 'text' : 'number']),
  ];
  const mean = (s: Stats | null) => s?.mean ?? null;
  const rows = data.summaries.map((g) => {
    return `<tr>${[
      ...keys.map((k) => {
        const v = g.group.params[k.key];
        return cell(v === undefined ? '—' : h(formatValue(v)), v === undefined ? null : typeof v === 'number' ? v : formatValue(v), k.numeric ? 'num' : '');
      }),
      cell(seedsText(g), g.judged?.stats.n ?? 0, 'num'),
      cell(statusBadges(g.statuses), g.seeds - (g.statuses.ok ?? 0)), // sorts by the seeds that did not end ok
      ...(['train', 'dev', 'test'] as const).map((sp) => cell(h(formatMeanSd(g.final[`${sp}_loss`])), mean(g.final[`${sp}_loss`]), 'num')),
      cell(formatRate(g.steps_per_s?.mean), mean(g.steps_per_s), 'num'),
      cell(formatDuration(g.seconds?.mean), mean(g.seconds), 'num'),
    ].join('')}</tr>`;
  });
  return `<section id="grid-points">
<h2>Grid points, over their seeds</h2>
<p class="hint">Final losses as ${h(SEEDS_STATS)}; steps/s and time: the mean per seed. Click a column heading to sort.</p>
${sortableTable(head, rows)}
</section>`;
}

/** A trial's status as a coloured badge, with the reason of a diverged, stopped, failed or damaged trial under it, and the step a resumed one went on from. */
function statusBadge(t: TrialResult): string {
  const status = statusOf(t);
  const reason = t.problem ?? t.summary?.reason; // a damaged trial's problem, or why it diverged, stopped or failed
  const why = reason ? `<div class="reason">${h(reason)}</div>` : '';
  const from = t.summary?.resumed_from;
  const resumed = from === undefined ? '' : `<div class="reason">resumed from step ${formatCount(from)}</div>`;
  return `<span class="status status-${status}">${status}</span>${why}${resumed}`;
}

/** Steps trained, with the planned number when fewer: "1,000 / 3,000". */
function stepsText(s: Summary): string {
  return `${formatCount(s.steps)}${s.steps < s.steps_planned ? ` / ${formatCount(s.steps_planned)}` : ''}`;
}

/** The trials' own times added up (those skipped by a resumed run included), or a dash when none finished. */
function trialTime(results: Results): string {
  const finished = results.trials.flatMap((t) => (t.summary ? [t.summary.seconds] : []));
  if (finished.length === 0) return '—';
  const total = finished.reduce((a, b) => a + b, 0);
  return `${h(formatDuration(total))} <small>(sum over ${finished.length} trial${finished.length === 1 ? '' : 's'})</small>`;
}

/** When the trials ran, from the first start to the last finish: the header's fallback when run.json is missing. */
function trialSpan(results: Results): { started_at: string; finished_at: string; seconds: number } | null {
  const times = results.trials.flatMap((t) => (t.summary ? [[Date.parse(t.summary.started_at), Date.parse(t.summary.finished_at)]] : []));
  const starts = times.map(([a]) => a!).filter((x) => !Number.isNaN(x));
  const ends = times.map(([, b]) => b!).filter((x) => !Number.isNaN(x));
  if (starts.length === 0 || ends.length === 0) return null;
  const [a, b] = [Math.min(...starts), Math.max(...ends)];
  return { started_at: new Date(a).toISOString(), finished_at: new Date(b).toISOString(), seconds: (b - a) / 1000 };
}

/** Damaged results, prominently: each with its file and what is wrong; they count as not finished. Folders that are no trial, after. */
export function damaged(results: Results): string {
  const all = damagedResults(results);
  if (all.length === 0) return '';
  const bad = all.filter((u) => u.damaged);
  const strays = all.filter((u) => !u.damaged);
  const list = (items: typeof all) => `<ul>${items.map((u) => `<li><code>${h(u.problem)}</code></li>`).join('')}</ul>`;
  return `<section class="expect expect-missed" id="damaged">
${bad.length > 0 ? `<h2>⚠ ${bad.length} damaged result${bad.length === 1 ? '' : 's'}, left out</h2>
<p>A damaged trial counts as not finished: running the experiment again trains it again.</p>
${list(bad)}` : ''}${strays.length > 0 ? `<p>Under <code>trials/</code> but not a trial, so not shown:</p>
${list(strays)}` : ''}
</section>`;
}

/** The missed expectations, prominently; a one-line all-clear when every expectation held. */
export function expectations(results: Results, data: ReportData): string {
  const checked = results.expectations;
  if (checked.length === 0) return '';
  const missed = checked.filter((x) => !x.passed);
  if (missed.length === 0) return `<section class="expect expect-ok" id="expectations"><p>✓ All ${checked.length} expectation checks held.</p></section>`;
  const labels = labelsById(data);
  const label = (x: ExpectationResult) => {
    if (x.trial === '') return 'no trial matched its where';
    const l = labels.get(x.trial);
    return l === undefined ? x.trial : `${l} (${x.trial})`;
  };
  return `<section class="expect expect-missed" id="expectations">
<h2>✗ ${missed.length} of ${checked.length} expectation checks missed</h2>
<table><thead><tr><th>expectation</th><th>trial</th><th>key</th><th>expected</th><th>found</th></tr></thead><tbody>
${missed.map((x) => `<tr><td>#${x.expectation + 1}</td><td>${h(label(x))}</td><td><code>${h(x.key)}</code></td><td>${h(x.expected)}</td><td>${h(x.found)}</td></tr>`).join('\n')}
</tbody></table>
</section>`;
}

/**
 * The sortable table of trials: varying values, status (with the reason), the engine that trained it, final losses,
 * speed and time. A grid over `engine` shows it among the values, and then the engine column only when some trial
 * trained on another engine than its own value (the kernel could not run).
 */
export function trialTable(results: Results, data: ReportData): string {
  const keys = data.keys;
  const range = results.trials.some((t) => t.summary?.suggested_lr !== undefined);
  const engine = !keys.some((k) => k.key === 'engine') || results.trials.some((t) => t.summary !== null && t.summary.engine !== t.trial.params['engine']);
  const head = ['#', ...keys.map((k) => h(k.key)), 'status', ...(engine ? ['engine'] : []), 'steps', 'train loss', 'dev loss', 'test loss', ...(range ? ['suggested lr'] : []), 'steps/s', 'time', 'id'];
  const numeric = new Set(['#', 'steps', 'train loss', 'dev loss', 'test loss', 'suggested lr', 'steps/s', 'time', ...keys.filter((k) => k.numeric).map((k) => h(k.key))]);
  const rows = results.trials.map((t) => {
    const s = t.summary;
    const status = statusOf(t);
    const error = s?.error ? `<details><summary>error</summary><pre>${h(s.error)}</pre></details>` : '';
    return `<tr class="row-${status}">${[
      cell(String(t.trial.index), t.trial.index, 'num'),
      ...keys.map((k) => {
        const v = t.trial.params[k.key];
        return cell(v === undefined ? '—' : h(formatValue(v)), v === undefined ? null : typeof v === 'number' ? v : formatValue(v), k.numeric ? 'num' : '');
      }),
      cell(`${statusBadge(t)}${error}`, STATUSES.indexOf(status)),
      ...(engine ? [cell(s ? h(s.engine) : '—', s?.engine ?? null)] : []),
      cell(s ? stepsText(s) : t.progress ? `${formatCount(t.progress.step)} / ${formatCount(t.progress.steps)}` : '—', s?.steps ?? t.progress?.step ?? null, 'num'),
      cell(formatLoss(s?.final.train_loss, '—'), s?.final.train_loss ?? null, 'num'),
      cell(formatLoss(s?.final.dev_loss, '—'), s?.final.dev_loss ?? null, 'num'),
      cell(formatLoss(s?.final.test_loss, '—'), s?.final.test_loss ?? null, 'num'),
      ...(range ? [suggestedCell(s?.suggested_lr)] : []),
      cell(formatRate(s?.steps_per_s), s?.steps_per_s ?? null, 'num'),
      cell(formatDuration(s?.seconds), s?.seconds ?? null, 'num'),
      cell(`<code>${h(t.trial.id)}</code>`, t.trial.id),
    ].join('')}</tr>`;
  });
  return `<section id="trials">
<h2>Trials</h2>
<p class="hint">Click a column heading to sort.</p>
${sortableTable(head.map((c) => [c, numeric.has(c) ? 'number' : 'text']), rows)}
</section>`;
}

/** A range test's suggestions: the steepest-descent lr, and the valley's lr ÷ 10 (fastai's `minimum`) below it. */
function suggestedCell(s: Summary['suggested_lr']): string {
  if (s === undefined) return cell('—', null, 'num');
  const steepest = s.steepest === null ? '—' : formatLr(s.steepest);
  const tenth = s.valley === null ? '' : `<div class="reason">min/10: ${formatLr(s.valley / 10)}</div>`;
  return cell(`${steepest}${tenth}`, s.steepest, 'num');
}

/** The names each finished trial generated. */
export function samples(results: Results, data: ReportData): string {
  const labels = labelsById(data);
  const withSamples = results.trials.filter((t) => t.samples.length > 0);
  if (withSamples.length === 0) return '';
  const open = withSamples.length <= 12 ? ' open' : '';
  return `<section id="samples">
<h2>Generated names</h2>
<details${open}><summary>${withSamples.length} trial(s)</summary>
<dl class="samples">${withSamples
    .map((t) => `<div><dt>${h(labels.get(t.trial.id)!)}</dt><dd>${t.samples.map((s) => `<span>${h(s)}</span>`).join(' ')}</dd></div>`)
    .join('\n')}</dl>
</details>
</section>`;
}

/** Each trial's label ("lr=0.1 batch_size=32"), as the data sets already hold it. */
function labelsById(data: ReportData): Map<string, string> {
  return new Map(data.trials.map((r) => [r.id, r.label]));
}

/** The resolved experiment, as stored in experiment.yaml. */
export function experimentYaml(results: Results): string {
  return `<section id="experiment">
<h2>Resolved experiment</h2>
<details><summary>experiment.yaml (every default filled in)</summary><pre><code>${h(results.experimentYaml)}</code></pre></details>
</section>`;
}
