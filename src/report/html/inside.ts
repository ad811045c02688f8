// The report's "Inside the network" section: the lecture's numbers of each trial shown (first loss, saturation, dead
// units, update:data), the findings those numbers trigger (findings.ts), and the section's charts (charts/inside.ts).
import type { Chart } from '../charts/common.js';
import type { ReportData } from '../data.js';
import { findings, updateMedian, WEIGHT_MATRICES } from '../findings.js';
import { insideTrials } from '../inside.js';
import { BEST_TRIALS, bestTrials, type Results, type TrialResult } from '../results.js';
import { SATURATED } from '../../train/diagnostic-stats.js';
import { formatCount } from '../../format.js';
import { escapeHtml as h } from './escape.js';
import { chartFigure } from './parts.js';

/** The trials the section speaks of: those with diagnostics (the best few where many), else the best few finished ones. */
function shownTrials(results: Results): TrialResult[] {
  const inside = insideTrials(results);
  if (inside.length > 0) return inside;
  return bestTrials(results, BEST_TRIALS).filter((t) => t.summary !== null && t.summary.status !== 'failed');
}

/** The section, or '' when no trial has diagnostics and no finding fires (nothing to say). */
export function insideSection(results: Results, data: ReportData, charts: Chart[]): string {
  const shown = shownTrials(results);
  const labels = new Map(data.trials.map((r) => [r.trial, r.label]));
  const read = shown.map((t) => ({ t, found: findings(t.summary!, t.inside, t.trial.config.model, batchOf(t)) }));
  const withDiagnostics = shown.some((t) => t.inside !== null);
  if (!withDiagnostics && read.every((r) => r.found.length === 0)) return '';
  const taken = results.trials.filter((t) => t.inside !== null).length;
  const every = results.experiment.diagnostics?.every;
  const intro = withDiagnostics
    ? `At step 0 and every ${formatCount(every ?? 0)} steps, on that step's minibatch before its update (diagnostics.jsonl)` +
      (taken > shown.length ? `; the ${shown.length} best of the ${taken} trials with diagnostics.` : '.')
    : 'From the first loss alone: set <code>diagnostics: {every: N}</code> to look at the tanh layer, the gradients and the updates too.';
  const single = shown.length === 1 && data.keys.length === 0;
  return `<section id="inside">
<h2>Inside the network</h2>
<p class="hint">${intro}</p>
${numbersTable(read.map((r) => r.t), labels)}
${read
  .map(({ t, found }) => {
    const name = single ? '' : `<h3>${h(labels.get(t.trial.index) ?? t.trial.id)}</h3>`;
    const items = found.length > 0 ? found.map((f) => `<li class="finding-${f.kind}">${h(f.text)}</li>`).join('') : `<li>${h(noFinding(t))}</li>`;
    return `<div class="findings">${name}<ul>${items}</ul></div>`;
  })
  .join('\n')}
${charts.map(chartFigure).join('\n')}
</section>`;
}

/** The minibatch size a trial's diagnostics were taken on (the whole training split for batch_size full). */
function batchOf(t: TrialResult): number {
  const b = t.trial.config.train.batch_size;
  return b === 'full' ? (t.summary?.examples.train ?? 0) : b;
}

/** When no reading fires: the numbers the readings were taken from stayed in range. */
function noFinding(t: TrialResult): string {
  return t.inside === null
    ? `No finding: the first loss is within twice a uniform guess (ln ${[...t.summary!.vocab].length}).`
    : 'No finding: the first loss, the saturation at step 0, the dead units and the update:data ratios are within the ranges the lecture reads as healthy.';
}

/** One row per trial: its first loss against ln V, the saturated share at the first and last diagnostics, dead units, update:data medians. */
function numbersTable(shown: TrialResult[], labels: Map<number, string>): string {
  const inside = shown.some((t) => t.inside !== null);
  const head = ['trial', 'first loss', 'ln V', ...(inside ? [`|h| > ${SATURATED} at step 0`, 'at the last diagnostics', 'most dead units', ...WEIGHT_MATRICES.map((p) => `update:data ${p}`)] : [])];
  const rows = shown.map((t) => {
    const s = t.summary!;
    const cells = [h(labels.get(t.trial.index) ?? t.trial.id), s.first_loss === undefined ? '—' : s.first_loss.toFixed(3), s.reference.uniform.toFixed(3)];
    const i = t.inside;
    if (inside) {
      if (i === null) cells.push('—', '—', '—', ...WEIGHT_MATRICES.map(() => '—'));
      else {
        cells.push(pct(i.first.tanh.saturated), `${pct(i.last.tanh.saturated)} <small>(step ${formatCount(i.last.step)})</small>`);
        cells.push(i.mostDead.dead === 0 ? '0' : `${formatCount(i.mostDead.dead)} <small>(step ${formatCount(i.mostDead.step)})</small>`);
        for (const p of WEIGHT_MATRICES) {
          const m = updateMedian(i, p);
          cells.push(m === null ? '—' : `10<sup>${m.toFixed(1)}</sup>`);
        }
      }
    }
    return `<tr>${cells.map((c, k) => `<td${k === 0 ? '' : ' class="num"'}>${c}</td>`).join('')}</tr>`;
  });
  const note = inside
    ? `<p class="hint">update:data: the median of std(lr · grad) / std(p) over the diagnostics steps at the main rate (within 2× of the highest lr); dead: tanh units beyond ±${SATURATED} on every example of the minibatch.</p>`
    : '';
  return `<div class="table-wrap"><table class="inside">
<thead><tr>${head.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>
${note}`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}
