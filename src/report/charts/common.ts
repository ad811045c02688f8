// What the chart modules share: the Chart type, data-set selection, trial colours, the loss axis, reference lines.
import type { TopLevelSpec } from 'vega-lite';
import type { ParamField, ReportData } from '../data.js';

/** One chart of the report: a complete Vega-Lite spec (its data under `datasets`) with a title and a caption. */
export interface Chart {
  id: string; // unique in the report; also the HTML element id
  title: string;
  caption: string; // one or two sentences on how to read it
  spec: TopLevelSpec;
}

/** The named data sets a spec refers to, taken from the report data (shared arrays, not copies). */
export function datasets(data: ReportData, names: (keyof ReportData & string)[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const n of names) out[n] = data[n] as unknown[];
  return out;
}

/** Above this many trials, colour by the first varying value instead of by trial (a legend of 100 is no legend). */
export const MAX_TRIAL_COLOURS = 10;

/** True when a key's values read best on a log axis: learning rates, log-uniform draws, or positive numbers spanning 100× or more. */
export function logAxis(k: ParamField): boolean {
  if (!k.numeric || k.values.length < 2) return false;
  const xs = k.values as number[];
  if (xs.some((v) => v <= 0)) return false;
  return k.distribution?.name === 'log_uniform' || /(^|[._])lr($|[._])/.test(k.key) || Math.max(...xs) / Math.min(...xs) >= 100;
}

/** How trials are coloured: the field, its title and type, and whether lines need `detail: trial` to stay apart. */
export interface Colouring {
  field: string;
  title: string;
  type: 'nominal' | 'ordinal' | 'quantitative'; // quantitative: a continuous key (random search), on a colour ramp
  sort: (string | number)[] | null;
  detail: boolean;
  log: boolean; // a quantitative colour on a log scale (learning rates)
  values: number[] | null; // a quantitative colour's legend entries (round numbers over its values)
}

/** Colour by trial label when there are few trials, else by the first varying value (repeat last). */
export function colouring(data: ReportData): Colouring {
  const key = data.keys.find((k) => k.key !== 'repeat') ?? data.keys[0];
  if (data.trials.length <= MAX_TRIAL_COLOURS || key === undefined) {
    return { field: 'label', title: 'trial', type: 'nominal', sort: data.trials.map((t) => t.label), detail: false, log: false, values: null };
  }
  return keyColouring(key);
}

/** Colour by one key's values: hues for categories, an ordered scheme for a few numbers, a colour ramp for continuous ones. */
export function keyColouring(k: ParamField): Colouring {
  if (k.continuous) {
    const xs = k.values as number[];
    const domain: [number, number] = [Math.min(...xs), Math.max(...xs)];
    const log = logAxis(k);
    return { field: k.field, title: k.key, type: 'quantitative', sort: null, detail: true, log, values: log ? fewLogTicks(domain, 8) : linearTicks(domain, 5) };
  }
  return { field: k.field, title: k.key, type: k.numeric ? 'ordinal' : 'nominal', sort: k.values, detail: true, log: false, values: null };
}

/** The fields a layer looks up from the trials data set by trial index. */
export function trialLookup(data: ReportData, extra: string[] = []) {
  return {
    lookup: 'trial',
    from: { data: { name: 'trials' }, key: 'trial', fields: ['label', 'id', 'steps_per_s', ...data.keys.map((k) => k.field), ...extra] },
  };
}

/** The colour encoding of a trial-coloured layer (legend clicks highlight, see `pickParam`). */
export function colourEncoding(c: Colouring) {
  if (c.type === 'quantitative') {
    // Round values as entries: a layer of lines and one of circles share the scale as stroke and fill, and Vega then
    // draws a legend of symbols (not a gradient), whose default entries would be many and odd.
    const legend = { ...(c.values === null ? {} : { values: c.values }), gradientLength: 160, symbolOpacity: 1, labelExpr: "format(datum.value, '~g')" };
    return { field: c.field, type: c.type, title: c.title, scale: { ...RAMP, ...(c.log ? { type: 'log' as const } : {}) }, legend };
  }
  return {
    field: c.field,
    type: c.type,
    title: c.title,
    ...(c.sort === null ? {} : { sort: c.sort }),
    scale: colourScale(c.type, c.sort?.length ?? 0),
    legend: { symbolOpacity: 1, symbolStrokeWidth: 2, labelLimit: 260 },
  };
}

/** An ordered colour ramp, dark → light, stopping short of viridis' pale yellow (unreadable on white). */
export const RAMP = { scheme: { name: 'viridis', extent: [0, 0.88] } };

/** Distinct hues for a few values; the ramp for many ordered ones. */
function colourScale(type: 'nominal' | 'ordinal', values: number) {
  return type === 'ordinal' && values > 10 ? RAMP : { scheme: values > 10 ? 'category20' : 'tableau10' };
}

/**
 * A selection that brings trials forward: bound to the legend (click an entry) for categories; a colour ramp has no
 * entries to click, so there a click on a line picks its trial.
 */
export function pickParam(c: Colouring) {
  if (c.type === 'quantitative') return { name: 'pick', select: { type: 'point' as const, fields: ['trial'] } };
  return { name: 'pick', select: { type: 'point' as const, fields: [c.field] }, bind: 'legend' as const };
}

/** How a reader highlights trials in a chart coloured by `c` (for its caption). */
export function pickHint(c: Colouring): string {
  return c.type === 'quantitative' ? 'click a line to highlight its trial (double-click to clear)' : 'click the legend to highlight';
}

/** How the point of a trial with a final loss is drawn by its status: stopped trials stand apart from finished ones. */
const STATUS_SHAPES: Record<string, string> = { ok: 'circle', stopped: 'triangle-down', diverged: 'cross' };

/** A shape encoding by status (the statuses plotted); its legend only when some plotted trial did not end ok. */
export function statusShape(data: ReportData) {
  const shown = Object.keys(STATUS_SHAPES).filter((s) => data.trials.some((t) => t.loss !== null && t.status === s));
  const scale = { domain: shown, range: shown.map((s) => STATUS_SHAPES[s]!) };
  return { field: 'status', type: 'nominal' as const, title: 'status', scale, legend: shown.some((s) => s !== 'ok') ? {} : null };
}

/**
 * The highest loss a chart of final losses spans: the uniform guess (ln V), when some trials are worse than guessing and
 * at least two are not. Early stopping ends hopeless trials while their loss is still far above it (20 and more at
 * its first rung); an axis up to theirs would squeeze every trial worth comparing into its bottom tenth.
 */
export function lossCap(data: ReportData): number | null {
  const uniform = data.reference.find((r) => r.name === 'uniform')?.loss ?? null;
  const losses = data.trials.map((t) => t.loss).filter((v): v is number => v !== null);
  if (uniform === null || !losses.some((v) => v > uniform) || losses.filter((v) => v <= uniform).length < 2) return null;
  return uniform;
}

/** Where a stopped trial ended: "1,000 of 3,000" steps. */
export const STEPS_EXPR = "isValid(datum.steps) ? format(datum.steps, ',') + ' of ' + format(datum.steps_planned, ',') : '—'";

/** Opacity that dims what the legend selection left out. */
export function pickOpacity(on: number, off: number) {
  return { condition: { param: 'pick', value: on, empty: true }, value: off };
}

/** A loss range [lo, hi] for the y axis: from the lowest loss to the highest starting loss (spikes beyond are clipped). */
export function lossDomain(losses: (number | null)[], starts: (number | null)[]): [number, number] {
  const finite = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null && Number.isFinite(x) && x > 0);
  const all = finite(losses);
  if (all.length === 0) return [1, 4];
  const lo = Math.min(...all);
  const top = finite(starts);
  const hi = top.length > 0 ? Math.max(...top) : Math.max(...all);
  return [lo * 0.95, Math.max(hi * 1.05, lo * 1.2)];
}

/** Tick values for a loss axis on a log scale: 1, 1.5, 2, 2.5, 3, 4, 5, 7 times powers of ten inside the domain. */
export function logTicks([lo, hi]: [number, number]): number[] {
  const ticks: number[] = [];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
    for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 7]) {
      const v = Number((m * 10 ** p).toPrecision(3));
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  // Too many ticks on a wide range: keep the 1-2-5 ones, then only the powers of ten.
  const mantissa = (v: number) => Math.round((v / 10 ** Math.floor(Math.log10(v) + 1e-9)) * 10) / 10;
  if (ticks.length <= 12) return ticks;
  const ones = ticks.filter((v) => [1, 2, 5].includes(mantissa(v)));
  return ones.length <= 12 ? ones : ticks.filter((v) => mantissa(v) === 1);
}

/** Log ticks for a short axis or a legend: the 1-2-5 ones, or powers of ten, when there are more than `max`. */
export function fewLogTicks(domain: [number, number], max = 6): number[] {
  const all = logTicks(domain);
  if (all.length <= max) return all;
  const mantissa = (v: number) => Math.round((v / 10 ** Math.floor(Math.log10(v) + 1e-9)) * 10) / 10;
  const ones = all.filter((v) => [1, 2, 5].includes(mantissa(v)));
  if (ones.length <= max) return ones;
  const powers = all.filter((v) => mantissa(v) === 1);
  return powers.length >= 2 ? powers : ones.filter((_, i) => i % Math.ceil(ones.length / max) === 0);
}

/** Evenly spaced "nice" tick values (steps of 1, 2 or 5 × a power of ten) inside the domain, about `count` of them. */
export function linearTicks([lo, hi]: [number, number], count = 6): number[] {
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) ticks.push(Number(v.toPrecision(6)));
  return ticks;
}

/** A checkbox (a boolean param) that switches an axis between linear and log, see `switchableScale`. */
export function logParam(on: boolean, name = 'log_y', label = 'log-scale loss ') {
  return { name, value: on, bind: { input: 'checkbox' as const, name: label } };
}

/**
 * A scale and axis that the boolean param `param` switches between linear and log. Vega cannot change a scale's type
 * at run time, so this is a symlog scale whose constant does it: symlog(v) = log(1 + v/c) is linear in v when c ≫ v
 * and log(v) plus a constant when c ≪ v (`small` must be well below the values that matter). Ticks are set per mode.
 */
export function switchableScale(param: string, domain: [number, number], small: number) {
  const big = Math.max(1e6, domain[1] * 1e6);
  const logDomain: [number, number] = [Math.max(domain[0], small), domain[1]];
  return {
    scale: { type: 'symlog' as const, constant: { expr: `${param} ? ${small} : ${big}` }, domain, nice: false, zero: false },
    // labelExpr, not format: Vega would impose a precision from the tick count on a format (2.5 → "3").
    axis: { labelExpr: "format(datum.value, '~g')", values: { expr: `${param} ? ${JSON.stringify(logTicks(logDomain))} : ${JSON.stringify(linearTicks(domain))}` } },
  };
}

/** A y encoding for losses, switched between linear and log by the `log_y` checkbox. */
export function lossY(domain: [number, number], title = 'loss') {
  return { field: 'loss', type: 'quantitative' as const, title, ...switchableScale('log_y', domain, 0.0001) };
}

/**
 * The y encoding of a final-loss chart (one point per trial): from the least final loss or reference line to the
 * greatest, or to `cap` (see lossCap), with 3 % to spare at each end. Also the split it is the loss of.
 */
export function finalLossY(data: ReportData, cap: number | null = null) {
  const split = data.trials.find((t) => t.loss_split !== null)?.loss_split ?? 'dev';
  const losses = data.trials.map((t) => t.loss).filter((v): v is number => v !== null);
  const refs = data.reference.map((r) => r.loss).filter((v): v is number => v !== null);
  const lo = Math.min(...losses, ...refs);
  const hi = cap ?? Math.max(...losses, ...refs);
  const domain = [Number((lo * 0.97).toFixed(3)), Number((hi * 1.03).toFixed(3))];
  return { split, y: { field: 'loss', type: 'quantitative' as const, title: `final ${split} loss`, scale: { domain, zero: false, nice: false } } };
}

/** Use the log scale by default when the losses span more than a factor of 4. */
export function defaultLog([lo, hi]: [number, number]): boolean {
  return hi / lo > 4;
}

/** Dashed horizontal lines at the reference losses (uniform guess, bigram), labelled at the right edge. */
export function referenceLayers<Y extends { field: string; type: 'quantitative' }>(y: Y, present = true) {
  if (!present) return []; // an empty layer would make Vega warn of an infinite extent
  const data = { name: 'reference' };
  const ref = { ...y, title: null };
  return [
    {
      data,
      mark: { type: 'rule' as const, strokeDash: [6, 4], color: '#666', strokeWidth: 1 },
      encoding: { y: ref, tooltip: [{ field: 'text', title: 'reference' }] },
    },
    // Labels at the right edge: the uniform guess above its line, the bigram (always lower) below its own.
    ...(['uniform', 'bigram'] as const).map((name) => ({
      data,
      transform: [{ filter: { field: 'name', equal: name } }],
      mark: {
        type: 'text' as const, align: 'right' as const, baseline: name === 'uniform' ? ('bottom' as const) : ('top' as const),
        dx: -4, dy: name === 'uniform' ? -2 : 2, color: '#555', fontSize: 11,
      },
      encoding: { y: ref, x: { value: 'width' as const }, text: { field: 'text' } },
    })),
  ];
}

/** The tooltip of a point on a trial's curve. */
export function curveTooltip(data: ReportData, extra: { field: string; title: string; type: 'quantitative' | 'nominal' }[] = []) {
  return [
    { field: 'label', title: 'trial' },
    ...extra,
    { field: 'loss', title: 'loss', type: 'quantitative' as const, format: '.4f' },
    ...(data.keys.length === 0 ? [{ field: 'id', title: 'id' }] : []),
  ];
}
