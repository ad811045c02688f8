// For values drawn from a distribution (random search): the final loss against each drawn key, a scatter of the
// trials (log x for learning rates), as Optuna's slice plot. A mean per value would be a mean of one trial each.
import type { TopLevelSpec } from 'vega-lite';
import type { ParamField, ReportData } from '../data.js';
import { colourEncoding, datasets, finalLossY, keyColouring, logAxis, lossCap, referenceLayers, STEPS_EXPR, statusShape, type Chart } from './common.js';

/** The report's status colours (as in the trial table), for a scatter that has no other key to colour by. */
const STATUS_COLOURS: Record<string, string> = { ok: '#1e7a46', stopped: '#0e7490', diverged: '#b45f06' };

/** Final loss (dev when evaluated) against one continuous key: a point per trial, shaped by status. */
export function searchFinal(data: ReportData, k: ParamField): Chart {
  const colourKey = data.keys.find((o) => o !== k && o.key !== 'repeat');
  const log = logAxis(k);
  const xs = k.values as number[];
  // The axis spans the search range when the key was drawn, so where the good trials sit in it shows.
  const [lo, hi] = k.distribution === null ? [Math.min(...xs), Math.max(...xs)] : [k.distribution.min, k.distribution.max];
  const x = { field: k.field, type: 'quantitative' as const, title: k.key, scale: { ...(log ? { type: 'log' as const } : { zero: false }), domain: [lo, hi], nice: false, padding: 16 } };
  const cap = lossCap(data); // trials worse than the uniform guess sit on the top edge, their loss in the tooltip
  const { split, y } = finalLossY(data, cap);
  const colour = colourKey === undefined
    ? { field: 'status', type: 'nominal' as const, title: 'status', scale: { domain: statusShape(data).scale.domain, range: statusShape(data).scale.domain.map((st) => STATUS_COLOURS[st]!) }, legend: statusShape(data).legend } // merges with the shape legend
    : colourEncoding({ ...keyColouring(colourKey), detail: false });
  const stopped = data.trials.filter((t) => t.status === 'stopped' && t.loss !== null).length;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 280,
    datasets: datasets(data, ['trials', 'reference']),
    layer: [
      {
        data: { name: 'trials' },
        transform: [
          { filter: 'datum.loss != null' },
          { calculate: STEPS_EXPR, as: 'steps_text' },
          { calculate: cap === null ? 'datum.loss' : `min(datum.loss, ${cap})`, as: 'shown' },
        ],
        mark: { type: 'point', filled: true, size: 60, opacity: 0.85, stroke: 'white', strokeWidth: 0.5, clip: true },
        encoding: {
          x,
          y: { ...y, field: 'shown' },
          color: colour,
          shape: statusShape(data),
          tooltip: [
            { field: 'label', title: 'trial' },
            { field: 'status' },
            { field: 'steps_text', title: 'steps' },
            ...(stopped > 0 ? [{ field: 'reason', title: 'why' }] : []),
            { field: 'loss', title: `final ${split} loss`, format: '.4f' },
            { field: 'train_loss', title: 'final train loss', format: '.4f' },
          ],
        },
      },
      ...referenceLayers(y, data.reference.length > 0),
    ],
  };
  const without = data.trials.filter((t) => t.loss === null).length;
  const range = k.distribution === null ? '' : `; the axis spans the search range ${k.distribution.name}(${lo}, ${hi})`;
  return {
    id: `final-vs-${k.field}`,
    title: `Final ${split} loss by ${k.key}`,
    caption:
      `One point per trial at its value of ${k.key}${log ? ' (log scale)' : ''}${range}, ` +
      (colourKey === undefined ? 'coloured by status.' : `coloured by ${colourKey.key}.`) +
      (stopped > 0 ? ` Triangles: ${stopped} trial(s) stopped early, at the loss of their last evaluation (not trained to the end).` : '') +
      (cap === null ? '' : ` Trials worse than the uniform guess (${cap.toFixed(3)}) sit on the top edge.`) +
      (without > 0 ? ` ${without} trial(s) without a final loss (failed, diverged or unfinished) are in the table only.` : ''),
    spec,
  };
}
