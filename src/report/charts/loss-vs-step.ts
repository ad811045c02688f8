// Training loss against step for every trial: faint raw points, a smoothed line, eval losses as points.
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../data.js';
import {
  colourEncoding, colouring, curveTooltip, datasets, defaultLog, logParam, lossDomain, lossY, pickHint, pickOpacity, pickParam,
  referenceLayers, STEPS_EXPR, trialLookup, type Chart,
} from './common.js';

/** Loss against step: the smoothed training loss over its raw points, train/dev evaluations as filled points. */
export function lossVsStep(data: ReportData): Chart {
  const c = colouring(data);
  const starts = firstLosses(data);
  const domain = lossDomain([...data.curve.map((r) => r.loss), ...data.evals.map((r) => r.loss), ...data.reference.map((r) => r.loss)], starts);
  const y = lossY(domain);
  const x = { field: 'step', type: 'quantitative' as const, title: 'step', scale: { nice: false }, axis: { tickCount: 10, labelOverlap: true, labelFlush: true } };
  const colour = colourEncoding(c);
  const detail = c.detail ? { detail: { field: 'trial', type: 'nominal' as const } } : {};
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 340,
    datasets: datasets(data, ['trials', 'curve', 'smooth', 'evals', ...(data.stops.length > 0 ? (['stops'] as const) : []), 'reference']),
    params: [logParam(defaultLog(domain))],
    layer: [
      {
        data: { name: 'curve' },
        transform: [trialLookup(data)],
        mark: { type: 'circle', size: 6, clip: true },
        encoding: { x, y, color: colour, opacity: pickOpacity(0.25, 0.03), ...detail, tooltip: curveTooltip(data, [{ field: 'step', title: 'step', type: 'quantitative' }]) },
      },
      {
        data: { name: 'smooth' },
        transform: [trialLookup(data)],
        params: [pickParam(c), { name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }],
        mark: { type: 'line', strokeWidth: 1.8, clip: true },
        encoding: { x, y, color: colour, opacity: pickOpacity(1, 0.1), detail: { field: 'trial', type: 'nominal' } },
      },
      ...(data.evals.length === 0 ? [] : [{
        data: { name: 'evals' },
        transform: [trialLookup(data)],
        mark: { type: 'point' as const, filled: true, size: 45, stroke: 'white', strokeWidth: 0.8, clip: true },
        encoding: {
          x,
          y,
          color: colour,
          shape: { field: 'split', type: 'nominal' as const, title: 'evaluation', scale: { domain: ['train', 'dev', 'test'], range: ['circle', 'diamond', 'triangle-up'] } },
          opacity: pickOpacity(1, 0.1),
          tooltip: curveTooltip(data, [{ field: 'step', title: 'step', type: 'quantitative' }, { field: 'split', title: 'split', type: 'nominal' }]),
        },
      }]),
      // Where a diverged trial stopped: a red cross, held just inside the top when its last loss is off the chart;
      // where early stopping ended a trial: a hollow square at the end of its line.
      ...(data.stops.some((r) => r.kind === 'diverged') ? [divergedLayer(data, x, y, domain)] : []),
      ...(data.stops.some((r) => r.kind === 'stopped') ? [stoppedLayer(data, x, y)] : []),
      ...referenceLayers(y, data.reference.length > 0),
    ],
    resolve: { scale: { color: 'shared' } },
  };
  return {
    id: 'loss-vs-step',
    title: 'Training loss by step',
    caption:
      `Faint dots: the minibatch loss (at most ${data.budget} per trial, each bucket's min and max); lines: its moving average; ` +
      'filled marks: the loss on the whole train/dev split; a red cross: where a diverged trial stopped' +
      (data.stops.some((r) => r.kind === 'stopped') ? '; a hollow square: where early stopping ended a trial (the reason in its tooltip)' : '') +
      `. Dashed: a uniform guess and the bigram model. Drag to zoom steps; ${pickHint(c)}.`,
    spec,
  };
}

/** Each trial's highest loss among its first 10 plotted points: where the y axis ends (later spikes are clipped). */
function firstLosses(data: ReportData): number[] {
  const first = new Map<number, number[]>();
  for (const r of data.curve) {
    const xs = first.get(r.trial) ?? [];
    if (xs.length < 10 && r.loss !== null) xs.push(r.loss);
    first.set(r.trial, xs);
  }
  return [...first.values()].filter((xs) => xs.length > 0).map((xs) => Math.max(...xs));
}

/** The layer of red crosses where diverged trials stopped (only when some trial diverged: an empty layer warns). */
function divergedLayer(data: ReportData, x: object, y: ReturnType<typeof lossY>, domain: [number, number]) {
  return {
    data: { name: 'stops' },
    transform: [{ filter: "datum.kind == 'diverged'" }, trialLookup(data), { calculate: `min(datum.loss, ${Number((domain[1] * 0.9).toPrecision(4))})`, as: 'shown' }],
    mark: { type: 'point' as const, shape: 'cross', filled: true, size: 110, color: '#b3261e', stroke: 'white', strokeWidth: 0.6 },
    encoding: {
      x,
      y: { ...y, field: 'shown' },
      tooltip: [
        { field: 'label', title: 'trial' },
        { field: 'step', title: 'stopped at step' },
        { field: 'loss', title: 'last loss', format: '.4g' },
        { field: 'reason', title: 'diverged' },
      ],
    },
  };
}

/** The layer of hollow squares (the stopped status's colour) where early stopping ended trials, at the end of their lines. */
function stoppedLayer(data: ReportData, x: object, y: ReturnType<typeof lossY>) {
  return {
    data: { name: 'stops' },
    transform: [{ filter: "datum.kind == 'stopped'" }, trialLookup(data, ['steps', 'steps_planned', 'dev_loss']), { calculate: STEPS_EXPR, as: 'steps_text' }],
    mark: { type: 'point' as const, shape: 'square', filled: false, size: 70, color: '#0e7490', strokeWidth: 2, clip: true },
    encoding: {
      x,
      y,
      opacity: pickOpacity(1, 0.15),
      tooltip: [
        { field: 'label', title: 'trial' },
        { field: 'steps_text', title: 'steps' },
        { field: 'dev_loss', title: 'last dev loss', format: '.4f' },
        { field: 'reason', title: 'stopped early' },
      ],
    },
  };
}
