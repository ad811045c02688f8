// For sweeps over two or more keys: parallel coordinates, as W&B and Optuna draw a sweep. One line per trial with a
// final loss, through an axis per swept key to a last axis of that loss, coloured by it.
//
// Vega-Lite has no parallel axes; the standard way is a long format, one row per (trial, axis) holding the value's
// position on its axis in [0, 1], drawn as lines over one shared y. The positions are computed here from the data
// (log for learning rates, the search range for drawn keys, evenly spaced categories) and each axis's tick labels
// are text marks at real values, its minimum and maximum always among them.
import type { TopLevelSpec } from 'vega-lite';
import type { ParamField, ReportData, TrialRow } from '../data.js';
import { datasets, fewLogTicks, linearTicks, logAxis, lossCap, RAMP, STEPS_EXPR, trialLookup, type Chart } from './common.js';

/** Where a trial crosses an axis: the axis (its title) and the position on it, 0 at the bottom, 1 at the top. */
export interface CrossingRow { trial: number; axis: string; pos: number }
/** A labelled tick of an axis: its position and the real value as text. */
export interface TickRow { axis: string; pos: number; text: string }

/** One axis: its title, where a trial crosses it (null: the trial has no value there), and its labelled ticks. */
export interface Axis {
  title: string;
  pos: (t: TrialRow) => number | null;
  ticks: { pos: number; text: string }[];
}

/** Inner ticks closer than this to an end (of the axis height) are dropped: the end's own label is there. */
const END_GAP = 0.08;
/** At most this many category labels on an axis (every n-th beyond). */
const MAX_CATEGORY_LABELS = 15;

/** The swept keys that get an axis: every varying key but repeat, with two values or more. */
export function parallelKeys(data: ReportData): ParamField[] {
  return data.keys.filter((k) => k.key !== 'repeat' && k.values.length >= 2);
}

/** The axes: one per swept key, in grid order, then the final loss (up to the uniform guess, see lossCap). */
export function parallelAxes(data: ReportData, split: string): Axis[] {
  const losses = data.trials.map((t) => t.loss).filter((v): v is number => v !== null);
  const cap = lossCap(data);
  const hi = cap ?? Math.max(...losses);
  const loss = numericAxis(`final ${split} loss`, (t) => (t.loss === null ? null : Math.min(t.loss, hi)), [Math.min(...losses), hi], false, null, 3);
  // Trials worse than guessing meet the top of the axis, labelled as such.
  if (cap !== null) loss.ticks = loss.ticks.map((k) => (k.pos === 1 ? { pos: 1, text: `≥ ${cap.toFixed(3)} (uniform)` } : k));
  return [...parallelKeys(data).map(keyAxis), loss];
}

function keyAxis(k: ParamField): Axis {
  if (!k.numeric) {
    const n = k.values.length;
    const at = (i: number) => (n === 1 ? 0.5 : i / (n - 1));
    const every = Math.ceil(n / MAX_CATEGORY_LABELS);
    return {
      title: k.key,
      pos: (t) => {
        const i = k.values.indexOf(t[k.field] as string);
        return i < 0 ? null : at(i);
      },
      ticks: k.values.flatMap((v, i) => (i % every === 0 || i === n - 1 ? [{ pos: at(i), text: String(v) }] : [])),
    };
  }
  const xs = k.values as number[];
  const domain: [number, number] = k.distribution === null ? [Math.min(...xs), Math.max(...xs)] : [k.distribution.min, k.distribution.max];
  // A grid's few values are labelled each; drawn values get the ends of the range and round numbers between.
  return numericAxis(k.key, (t) => t[k.field] as number | null, domain, logAxis(k), k.continuous ? null : xs, 4);
}

/** A numeric axis over `domain` (log or linear); ticks at `values`, or the two ends and a few round numbers between. */
function numericAxis(title: string, value: (t: TrialRow) => number | null, [lo, hi]: [number, number], log: boolean, values: number[] | null, digits: number): Axis {
  const f = log ? Math.log10 : (v: number) => v;
  const at = (v: number) => (hi === lo ? 0.5 : (f(v) - f(lo)) / (f(hi) - f(lo)));
  const text = (v: number) => String(Number(v.toPrecision(digits)));
  let ticks: { pos: number; text: string }[];
  if (values !== null) ticks = values.map((v) => ({ pos: at(v), text: text(v) }));
  else {
    const inner = (log ? fewLogTicks([lo, hi]) : linearTicks([lo, hi], 4)).filter((v) => at(v) >= END_GAP && at(v) <= 1 - END_GAP);
    const ends = hi === lo ? [lo] : [lo, hi];
    ticks = [...ends, ...inner].map((v) => ({ pos: at(v), text: text(v) }));
  }
  return {
    title,
    pos: (t) => {
      const v = value(t);
      return typeof v === 'number' && Number.isFinite(v) && (!log || v > 0) ? at(v) : null;
    },
    ticks,
  };
}

/** A position to 4 decimals: a tenth of a pixel on any axis. */
function round4(pos: number): number {
  return Math.round(pos * 1e4) / 1e4;
}

/** The crossings of every trial with a final loss, the worst first (so the best are drawn on top), and the ticks. */
export function parallelRows(data: ReportData, axes: Axis[]): { crossings: CrossingRow[]; ticks: TickRow[] } {
  const trials = data.trials.filter((t) => t.loss !== null).sort((a, b) => b.loss! - a.loss! || a.trial - b.trial);
  const crossings: CrossingRow[] = [];
  for (const t of trials) {
    for (const a of axes) {
      const pos = a.pos(t);
      if (pos !== null) crossings.push({ trial: t.trial, axis: a.title, pos: round4(pos) });
    }
  }
  const ticks = axes.flatMap((a) => a.ticks.map((k) => ({ axis: a.title, pos: round4(k.pos), text: k.text })));
  return { crossings, ticks };
}

/** Parallel coordinates of the sweep: a line per trial through its swept values to its final loss, coloured by that loss. */
export function parallel(data: ReportData): Chart {
  const split = data.trials.find((t) => t.loss_split !== null)?.loss_split ?? 'dev';
  const axes = parallelAxes(data, split);
  const { crossings, ticks } = parallelRows(data, axes);
  const keys = parallelKeys(data);
  const statuses = ['ok', 'stopped', 'diverged'].filter((st) => data.trials.some((t) => t.status === st && t.loss !== null));
  const stopped = statuses.includes('stopped');
  const dashes: Record<string, number[]> = { ok: [1, 0], stopped: [5, 3], diverged: [1, 3] };
  const cap = lossCap(data);
  const losses = data.trials.map((t) => t.loss).filter((v): v is number => v !== null);
  const lossTitle = `final ${split} loss`;
  const x = {
    field: 'axis', type: 'nominal' as const, sort: axes.map((a) => a.title), scale: { type: 'point' as const, padding: 0.35 },
    axis: { title: null, orient: 'bottom' as const, labelAngle: 0, labelFontSize: 12, labelFontWeight: 'bold' as const, labelPadding: 10, domain: false, ticks: false, labelLimit: 220 },
  };
  const y = { field: 'pos', type: 'quantitative' as const, scale: { domain: [0, 1], nice: false, zero: false, padding: 10 }, axis: null };
  const colour = {
    field: 'loss', type: 'quantitative' as const, title: lossTitle,
    scale: { ...RAMP, ...(cap === null ? {} : { domain: [Math.min(...losses), cap], clamp: true }) },
    legend: { type: 'gradient' as const, gradientLength: 200, format: '.3f' },
  };
  const lookup = [trialLookup(data, ['status', 'loss', 'steps', 'steps_planned']), { calculate: STEPS_EXPR, as: 'steps_text' }];
  const tooltip = [
    { field: 'label', title: 'trial' },
    { field: 'status', title: 'status' },
    { field: 'steps_text', title: 'steps' },
    ...keys.map((k) => ({ field: k.field, title: k.key })),
    { field: 'loss', title: lossTitle, format: '.4f' },
  ];
  const hovered = (on: number, off: number) => ({ condition: { param: 'hover', value: on, empty: true }, value: off });
  const label = { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 8, fontSize: 11 };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 340,
    datasets: { ...datasets(data, ['trials']), parallel: crossings, parallel_ticks: ticks },
    layer: [
      {
        data: { name: 'parallel_ticks' },
        transform: [{ aggregate: [{ op: 'count', as: 'ticks' }], groupby: ['axis'] }],
        mark: { type: 'rule', color: '#9aa3b2', strokeWidth: 1 },
        encoding: { x },
      },
      {
        data: { name: 'parallel' },
        transform: lookup,
        mark: { type: 'line', strokeWidth: 1.6 },
        encoding: {
          x,
          y,
          color: colour,
          detail: { field: 'trial', type: 'nominal' },
          ...(stopped ? { strokeDash: { field: 'status', type: 'nominal' as const, title: 'status', scale: { domain: statuses, range: statuses.map((st) => dashes[st]!) } } } : {}),
          opacity: hovered(0.85, 0.08),
        },
      },
      {
        // Invisible wide twins of the lines, on top: the pointer picks a trial anywhere along its line, not only on a
        // 1.6 px stroke. (Not `nearest`: Vega-Lite 6.4's Voronoi tooltips read undefined fields, vega/vega-lite#9707.)
        data: { name: 'parallel' },
        transform: lookup,
        params: [{ name: 'hover', select: { type: 'point', fields: ['trial'], on: 'pointerover', clear: 'pointerout' } }],
        mark: { type: 'line', strokeWidth: 9, opacity: 0.001, color: '#000' },
        encoding: { x, y, detail: { field: 'trial', type: 'nominal' }, tooltip },
      },
      {
        // Vega shows a line's tooltip only near its points: invisible discs where each line crosses an axis carry it.
        data: { name: 'parallel' },
        transform: lookup,
        mark: { type: 'circle', size: 160, opacity: 0.001, color: '#000' },
        encoding: { x, y, tooltip },
      },
      {
        data: { name: 'parallel_ticks' },
        mark: { type: 'tick', orient: 'horizontal', size: 8, thickness: 1, color: '#5b6475' },
        encoding: { x, y },
      },
      // The tick labels twice: a white outline first, so a label stays legible over the lines crossing it.
      { data: { name: 'parallel_ticks' }, mark: { ...label, stroke: 'white', strokeWidth: 3, strokeJoin: 'round' as const }, encoding: { x, y, text: { field: 'text' } } },
      { data: { name: 'parallel_ticks' }, mark: { ...label, color: '#1d2330' }, encoding: { x, y, text: { field: 'text' } } },
    ],
  };
  const drawn = new Set(crossings.map((c) => c.trial)).size;
  const without = data.trials.length - drawn;
  const logs = keys.filter((k) => k.numeric && logAxis(k)).map((k) => k.key);
  return {
    id: 'parallel',
    title: 'The sweep in parallel coordinates',
    caption:
      `One line per trial (${drawn} with a final loss${without > 0 ? `; ${without} without one are in the table only` : ''}), through its value of each swept key ` +
      `to its ${lossTitle} on the last axis, coloured by that loss (darker is lower).` +
      (logs.length > 0 ? ` ${logs.join(', ')} on a log scale.` : '') +
      (stopped ? ' Dashed: stopped early, at the loss of its last evaluation.' : '') +
      ' Hover to pick out a trial.',
    spec,
  };
}
