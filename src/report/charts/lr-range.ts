// The LR range test as in the lecture: loss against log10(lr), the suggested lrs marked and written beside them.
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../data.js';
import { colourEncoding, colouring, datasets, pickOpacity, pickParam, referenceLayers, trialLookup, type Chart } from './common.js';

/** A suggested learning rate of one range-test trial, for the rules and labels. */
export interface Suggestion {
  trial: number;
  kind: 'steepest' | 'valley'; // where the smoothed loss falls fastest; where it is lowest (the lecture's read)
  lr: number;
}

const KINDS: Record<Suggestion['kind'], string> = { steepest: 'steepest descent', valley: 'valley (least loss)' };

/** Loss (faint) and its smoothed curve against log10(lr) for every range-test trial, with the suggestions marked. */
export function lrRange(data: ReportData, suggestions: Suggestion[]): Chart {
  const c = colouring(data);
  const colour = colourEncoding(c);
  const rows = data.range;
  const smooth = rows.map((r) => r.smooth).filter((v): v is number => v !== null);
  const lo = Math.min(...smooth, ...data.reference.map((r) => r.loss ?? Infinity));
  // Up to the highest starting loss: the blow-up at the end leaves the chart rather than squashing the valley.
  const starts = new Map<number, number>();
  for (const r of rows) if (!starts.has(r.trial) && r.smooth !== null) starts.set(r.trial, r.smooth);
  const hi = Math.max(...starts.values(), lo * 1.5);
  // Room below the lowest loss for the bigram line's label.
  const domain: [number, number] = [Number(Math.max(0, lo - 0.08 * (hi - lo)).toFixed(3)), Number((hi * 1.1).toFixed(3))];
  const y = { field: 'loss', type: 'quantitative' as const, title: 'loss', scale: { domain, zero: false, nice: false } };
  const x = { field: 'log_lr', type: 'quantitative' as const, title: 'log10(learning rate)', scale: { nice: false } };
  // With several range tests, each label says whose suggestion it is.
  const several = new Set(suggestions.map((s) => s.trial)).size > 1;
  const labels = new Map(data.trials.map((t) => [t.trial, t.label]));
  // Every label right of its rule, one row each from the top (steepest first), so no two labels overlap.
  const ordered = [...suggestions].sort((a, b) => (a.kind === b.kind ? a.trial - b.trial : a.kind === 'steepest' ? -1 : 1));
  const marks = ordered.map((s, row) => ({
    ...s,
    log_lr: Number(Math.log10(s.lr).toFixed(4)),
    dy: 14 + 16 * row,
    text: `${several ? `${labels.get(s.trial)}: ` : ''}${KINDS[s.kind]}: lr ≈ ${formatLr(s.lr)}`,
  }));
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 340,
    datasets: { ...datasets(data, ['trials', 'range', 'reference']), suggestions: marks },
    layer: [
      {
        data: { name: 'range' },
        transform: [trialLookup(data)],
        mark: { type: 'circle', size: 8, clip: true },
        encoding: { x, y, color: colour, opacity: pickOpacity(0.3, 0.04), tooltip: [{ field: 'label', title: 'trial' }, { field: 'log_lr', title: 'log10 lr', format: '.3f' }, { field: 'loss', format: '.4f' }] },
      },
      {
        data: { name: 'range' },
        transform: [trialLookup(data)],
        params: [pickParam(c)],
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: { x, y: { ...y, field: 'smooth' }, color: colour, opacity: pickOpacity(1, 0.1), detail: { field: 'trial', type: 'nominal' } },
      },
      // Layers over empty data are left out: Vega warns of an infinite extent for them.
      ...(marks.length === 0 ? [] : [{
        data: { name: 'suggestions' },
        mark: { type: 'rule' as const, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'log_lr', type: 'quantitative' as const },
          strokeDash: { field: 'kind', type: 'nominal' as const, title: 'suggested lr', scale: { domain: ['steepest', 'valley'], range: [[1, 0], [5, 3]] } },
          color: { value: '#c0392b' },
          tooltip: [{ field: 'text', title: 'suggested' }],
        },
      }]),
      ...(marks.length === 0 ? [] : [{
        data: { name: 'suggestions' },
        mark: { type: 'text' as const, align: 'left' as const, dx: 5, color: '#c0392b', fontWeight: 'bold' as const, fontSize: 12 },
        encoding: { x: { field: 'log_lr', type: 'quantitative' as const }, y: { field: 'dy', type: 'quantitative' as const, scale: null }, text: { field: 'text' } },
      }]),
      ...referenceLayers(y, data.reference.length > 0),
    ],
  };
  return {
    id: 'lr-range',
    title: 'Learning-rate range test',
    caption:
      'The loss of each step against the learning rate it used (lr grows log-spaced from step to step): the loss falls, ' +
      'bottoms out and then blows up. Red: where the smoothed loss falls fastest (solid; the suggestion of fastai and Lightning) and where it is lowest (dashed; the lecture picks its lr just below this valley).',
    spec,
  };
}

/** An lr in a short form: 0.1, 0.0032, 3.2e-5. */
export function formatLr(lr: number): string {
  return lr >= 1e-3 ? String(Number(lr.toPrecision(2))) : lr.toExponential(1);
}
