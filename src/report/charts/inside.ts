// "Inside the network": the lecture's plots of the tanh layer and of the parameters' updates (makemore part 3),
// drawn from diagnostics.jsonl for the trials that took diagnostics (the best few where there are many).
import type { TopLevelSpec } from 'vega-lite';
import { HIST_BINS, SATURATED } from '../../train/diagnostic-stats.js';
import type { ReportData } from '../data.js';
import { THRESHOLDS, WEIGHT_MATRICES } from '../findings.js';
import { colourEncoding, datasets, trialLookup, type Chart, type Colouring } from './common.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The charts of the section, in reading order: the tanh histogram, its saturation over steps, the ratios per parameter. */
export function insideCharts(data: ReportData): Chart[] {
  if (data.saturation.length === 0) return [];
  return [tanhHistogram(data), saturation(data), ratios(data)];
}

/** Trials coloured by their labels, in the order the section shows them. */
function shownColouring(data: ReportData): Colouring {
  return { field: 'label', title: 'trial', type: 'nominal', sort: shownLabels(data), detail: false, log: false, values: null };
}

function shownLabels(data: ReportData): string[] {
  return data.insideTrials.map((i) => data.trials.find((t) => t.trial === i)!.label);
}

const stepX = { field: 'step', type: 'quantitative' as const, title: 'step', scale: { nice: false }, axis: { tickCount: 8, labelOverlap: true, labelFlush: true } };

/** h's distribution at step 0 and at the last diagnostics step, a step line per trial: where the flat tails fill up. */
export function tanhHistogram(data: ReportData): Chart {
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    datasets: datasets(data, ['trials', 'histogram']),
    data: { name: 'histogram' },
    transform: [trialLookup(data)],
    width: 360,
    height: 220,
    mark: { type: 'line', interpolate: 'step', strokeWidth: 1.6 },
    encoding: {
      column: {
        field: 'when',
        type: 'nominal',
        title: null,
        sort: ['first', 'last'],
        header: { labelExpr: "datum.value == 'first' ? 'step 0' : 'the last diagnostics step'", labelFontSize: 12 },
      },
      x: { field: 'x', type: 'quantitative', title: 'h = tanh(emb @ W1 + b1)', scale: { domain: [-1, 1], nice: false } },
      y: { field: 'share', type: 'quantitative', title: 'share of h', axis: { format: '.0%' } },
      color: colourEncoding(shownColouring(data)),
      tooltip: [
        { field: 'label', title: 'trial' },
        { field: 'step', title: 'step', format: ',' },
        { field: 'x', title: 'bin centre', format: '.2f' },
        { field: 'share', title: 'share', format: '.2%' },
      ],
    },
  };
  return {
    id: 'inside-histogram',
    title: 'The tanh layer: its outputs at the start and at the end',
    caption:
      `The share of h (the batch's ${HIST_BINS} bins over [−1, 1]) at step 0 and at the last diagnostics step. ` +
      'Mass at ±1 is saturation: there tanh is flat and passes almost no gradient back (the lecture\'s first plot of part 3).',
    spec,
  };
}

/** The share of |h| > 0.97 over the steps, with the threshold the findings read "too saturated" from. */
export function saturation(data: ReportData): Chart {
  const y = { field: 'saturated', type: 'quantitative' as const, title: `share of |h| > ${SATURATED}`, scale: { domain: [0, 1] }, axis: { format: '.0%' } };
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    width: 'container',
    height: 240,
    datasets: { ...datasets(data, ['trials', 'saturation']), threshold: [{ saturated: THRESHOLDS.saturated, text: 'a third: too saturated at step 0' }] },
    layer: [
      {
        data: { name: 'saturation' },
        transform: [trialLookup(data)],
        mark: { type: 'line', strokeWidth: 1.8, point: { size: 14 } },
        encoding: {
          x: stepX,
          y,
          color: colourEncoding(shownColouring(data)),
          tooltip: [
            { field: 'label', title: 'trial' },
            { field: 'step', title: 'step', format: ',' },
            { field: 'saturated', title: 'saturated', format: '.1%' },
            { field: 'dead', title: 'dead units' },
          ],
        },
      },
      { data: { name: 'threshold' }, mark: { type: 'rule', strokeDash: [6, 4], color: '#666' }, encoding: { y } },
      {
        data: { name: 'threshold' },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -4, dy: -2, color: '#555', fontSize: 11 },
        encoding: { y, x: { value: 'width' }, text: { field: 'text' } },
      },
    ],
  };
  return {
    id: 'inside-saturation',
    title: 'Saturated tanh units over training',
    caption: `The share of the minibatch's tanh outputs beyond ±${SATURATED} at each diagnostics step (dead units, saturated on every example, in the tooltip). Dashed: a third, above which the findings call the start too saturated.`,
    spec,
  };
}

/** update:data (log10) and grad:data of each weight matrix over the steps, one trial at a time, with the lecture's 10^-3. */
export function ratios(data: ReportData): Chart {
  const labels = shownLabels(data);
  const pick = labels.length > 1;
  const filter = pick ? [{ filter: 'datum.label == trial_pick' }] : [];
  const colour = { field: 'param', type: 'nominal' as const, title: 'parameter', sort: WEIGHT_MATRICES, scale: { scheme: 'tableau10' } };
  const own = { data: { name: 'ratios' }, transform: [trialLookup(data), ...filter] };
  const tooltip = (field: string, title: string, format: string) => [
    { field: 'label', title: 'trial' },
    { field: 'param', title: 'parameter' },
    { field: 'step', title: 'step', format: ',' },
    { field, title, format },
  ];
  const update = { field: 'update_data', type: 'quantitative' as const, title: 'log10 update:data' };
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    datasets: { ...datasets(data, ['trials', 'ratios']), lecture: [{ update_data: -3, text: "the lecture's 10^-3" }] },
    ...(pick ? { params: [{ name: 'trial_pick', value: labels[0], bind: { input: 'select' as const, options: labels, name: 'trial ' } }] } : {}),
    hconcat: [
      {
        width: 420,
        height: 240,
        layer: [
          { ...own, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: stepX, y: update, color: colour, tooltip: tooltip('update_data', 'log10 update:data', '.2f') } },
          { data: { name: 'lecture' }, mark: { type: 'rule', strokeDash: [6, 4], color: '#666' }, encoding: { y: update } },
          {
            data: { name: 'lecture' },
            mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -4, dy: -2, color: '#555', fontSize: 11 },
            encoding: { y: update, x: { value: 'width' }, text: { field: 'text' } },
          },
        ],
      },
      {
        ...own,
        width: 420,
        height: 240,
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: stepX,
          y: { field: 'grad_data', type: 'quantitative', title: 'grad:data', scale: { type: 'log' }, axis: { format: '~g' } },
          color: colour,
          tooltip: tooltip('grad_data', 'grad:data', '.3g'),
        },
      },
    ],
  };
  return {
    id: 'inside-ratios',
    title: 'Updates and gradients against the weights',
    caption:
      `Left: log10 of std(lr · grad) / std(p) for ${WEIGHT_MATRICES.join(', ')} (the lecture's update:data, about −3 when the lr suits the weights; dashed). ` +
      `Right: std(grad) / std(p).${pick ? ' Pick a trial below the charts.' : ''} Standard deviations over the step's minibatch gradient and the weights, unbiased (n − 1).`,
    spec,
  };
}
