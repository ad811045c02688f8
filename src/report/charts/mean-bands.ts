// Training loss by step as a mean over seeds: per group (a grid point's seeds, or an item of a comparison) a line
// through the mean of the seeds' moving averages and a band from their min to their max; the mean evaluations as points.
import type { TopLevelSpec } from 'vega-lite';
import type { BandRow, GroupEvalRow, GroupRow, ParamField, ReferenceRow } from '../data.js';
import {
  colourEncoding, defaultLog, keyColouring, logParam, lossDomain, lossY, pickHint, pickOpacity, pickParam, referenceLayers, switchableScale,
  MAX_TRIAL_COLOURS, type Chart, type Colouring,
} from './common.js';

/** What the chart draws: the groups (their labels, and the swept values as p0, p1, …), their bands and evaluations. */
export interface BandData {
  groups: GroupRow[];
  bands: BandRow[];
  groupEvals: GroupEvalRow[];
  reference: ReferenceRow[];
  keys: ParamField[]; // the swept keys without repeat (none in a comparison): beyond 10 groups the first colours them
}

/** How the chart is titled and captioned where it is used. */
export interface BandText {
  id: string;
  title: string;
  caption: string;
  noun: string; // what a group is called in the legend and tooltips: "grid point", "compared"
}

/** Colour by group label for a few groups, else by the first swept value (as the per-trial charts do). */
function groupColouring(data: BandData): Colouring {
  const key = data.keys[0];
  if (data.groups.length <= MAX_TRIAL_COLOURS || key === undefined) {
    return { field: 'label', title: 'group', type: 'nominal', sort: data.groups.map((g) => g.label), detail: false, log: false, values: null };
  }
  return keyColouring(key);
}

/** The mean curve of each group with its min–max band over the seeds, and its mean evaluations. */
export function meanBands(data: BandData, text: BandText): Chart {
  const c = groupColouring(data);
  const colour = { ...colourEncoding(c), title: c.field === 'label' ? text.noun : c.title };
  const starts = new Map<number, number | null>();
  for (const r of data.bands) if (!starts.has(r.group)) starts.set(r.group, r.max);
  const domain = lossDomain([...data.bands.flatMap((r) => [r.min, r.max]), ...data.groupEvals.map((r) => r.mean), ...data.reference.map((r) => r.loss)], [...starts.values()]);
  const scaled = (field: string) => ({ field, type: 'quantitative' as const, title: 'loss', ...switchableScale('log_y', domain, 0.0001) });
  const x = { field: 'step', type: 'quantitative' as const, title: 'step', scale: { nice: false }, axis: { tickCount: 10, labelOverlap: true, labelFlush: true } };
  const lookup = { lookup: 'group', from: { data: { name: 'groups' }, key: 'group', fields: ['label', 'seeds', ...data.keys.map((k) => k.field)] } };
  const detail = { detail: { field: 'group', type: 'nominal' as const } };
  const dev = data.groupEvals.some((r) => r.split === 'dev') ? 'dev' : data.groupEvals[0]?.split;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 340,
    datasets: { groups: data.groups, bands: data.bands, ...(dev === undefined ? {} : { groupEvals: data.groupEvals }), reference: data.reference },
    params: [logParam(defaultLog(domain))],
    layer: [
      {
        data: { name: 'bands' },
        transform: [lookup],
        mark: { type: 'area', clip: true, interpolate: 'linear' },
        encoding: { x, y: scaled('min'), y2: { field: 'max' }, color: colour, opacity: pickOpacity(0.2, 0.04), ...detail },
      },
      {
        data: { name: 'bands' },
        transform: [lookup],
        params: [pickParam(c), { name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }],
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: {
          x,
          y: scaled('mean'),
          color: colour,
          opacity: pickOpacity(1, 0.12),
          ...detail,
          tooltip: [
            { field: 'label', title: text.noun },
            { field: 'step', title: 'step', type: 'quantitative' },
            { field: 'mean', title: 'mean loss', type: 'quantitative', format: '.4f' },
            { field: 'min', title: 'min', type: 'quantitative', format: '.4f' },
            { field: 'max', title: 'max', type: 'quantitative', format: '.4f' },
            { field: 'n', title: 'seeds', type: 'quantitative' },
          ],
        },
      },
      ...(dev === undefined ? [] : [{
        data: { name: 'groupEvals' },
        transform: [{ filter: { field: 'split', equal: dev } }, lookup],
        mark: { type: 'point' as const, filled: true, size: 45, stroke: 'white', strokeWidth: 0.8, clip: true },
        encoding: {
          x,
          y: scaled('mean'),
          color: colour,
          opacity: pickOpacity(1, 0.12),
          tooltip: [
            { field: 'label', title: text.noun },
            { field: 'step', title: 'step', type: 'quantitative' as const },
            { field: 'mean', title: `mean ${dev} loss`, type: 'quantitative' as const, format: '.4f' },
            { field: 'min', title: 'min', type: 'quantitative' as const, format: '.4f' },
            { field: 'max', title: 'max', type: 'quantitative' as const, format: '.4f' },
            { field: 'n', title: 'seeds', type: 'quantitative' as const },
          ],
        },
      }]),
      ...referenceLayers(lossY(domain), data.reference.length > 0),
    ],
    resolve: { scale: { color: 'shared' } },
  };
  return { id: text.id, title: text.title, caption: `${text.caption} Drag to zoom steps; ${pickHint(c)}.`, spec };
}
