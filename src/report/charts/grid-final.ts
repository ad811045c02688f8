// For grids: the final loss against each varying value (log x for learning rates), one chart per key.
import type { TopLevelSpec } from 'vega-lite';
import type { ParamField, ReportData } from '../data.js';
import { colourEncoding, datasets, finalLossY, keyColouring, logAxis, referenceLayers, STEPS_EXPR, statusShape, type Chart } from './common.js';

/** Final loss (dev when evaluated) against one varying key: a point per trial, the mean per value as a line. */
export function gridFinal(data: ReportData, k: ParamField): Chart {
  const others = data.keys.filter((o) => o !== k && o.key !== 'repeat');
  const colourKey = others[0];
  // A continuous other key (random search) colours the points on a ramp; one mean line then, not one per value.
  const byColour = colourKey !== undefined && !colourKey.continuous;
  const x = k.numeric
    ? { field: k.field, type: 'quantitative' as const, title: k.key, scale: logAxis(k) ? { type: 'log' as const, nice: false, padding: 24 } : { zero: false, nice: false, padding: 24 }, axis: { values: k.values as number[] } }
    : { field: k.field, type: 'ordinal' as const, title: k.key, sort: k.values, axis: { labelAngle: 0 } };
  const { split, y } = finalLossY(data);
  const colour = colourKey === undefined ? { value: '#1f77b4' } : colourEncoding({ ...keyColouring(colourKey), detail: false });
  const stopped = data.trials.some((t) => t.status === 'stopped' && t.loss !== null);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 280,
    datasets: datasets(data, ['trials', 'reference']),
    layer: [
      {
        data: { name: 'trials' },
        transform: [{ filter: 'datum.loss != null' }],
        mark: { type: 'line', point: false, strokeWidth: 1.5, opacity: 0.8 },
        encoding: {
          x,
          y: { ...y, aggregate: 'mean' },
          color: byColour ? colour : { value: '#888' },
          ...(byColour ? { detail: { field: colourKey.field, type: 'nominal' as const } } : {}),
        },
      },
      {
        data: { name: 'trials' },
        transform: [{ filter: 'datum.loss != null' }, { calculate: STEPS_EXPR, as: 'steps_text' }],
        mark: { type: 'point', filled: true, size: 70, clip: true },
        encoding: {
          x,
          y,
          color: colour,
          shape: statusShape(data),
          tooltip: [
            { field: 'label', title: 'trial' },
            { field: 'status' },
            ...(stopped ? [{ field: 'steps_text', title: 'steps' }, { field: 'reason', title: 'why' }] : []),
            { field: 'loss', title: `final ${split} loss`, format: '.4f' },
            { field: 'train_loss', title: 'final train loss', format: '.4f' },
          ],
        },
      },
      ...referenceLayers(y, data.reference.length > 0),
    ],
  };
  const failedOrNot = data.trials.filter((t) => t.loss === null).length;
  return {
    id: `final-vs-${k.field}`,
    title: `Final ${split} loss by ${k.key}`,
    caption:
      `One point per trial${colourKey ? `, coloured by ${colourKey.key}` : ''}; the line joins the means.` +
      (stopped ? ' Triangles: trials stopped early, at the loss of their last evaluation.' : '') +
      (failedOrNot > 0 ? ` ${failedOrNot} trial(s) without a final loss (failed, diverged or unfinished) are in the table only.` : ''),
    spec,
  };
}
