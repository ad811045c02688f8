// Loss against wall-clock time: the lecture's point that many cheap noisy steps beat few exact ones.
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../data.js';
import {
  colourEncoding, colouring, datasets, defaultLog, logParam, lossDomain, lossY, pickOpacity, pickParam, referenceLayers, switchableScale, trialLookup, type Chart,
} from './common.js';

/** The smoothed training loss and the eval losses against training time, estimated as step / steps_per_s. */
export function lossVsTime(data: ReportData): Chart {
  const c = colouring(data);
  const colour = colourEncoding(c);
  const starts = new Map<number, number | null>();
  for (const r of data.smooth) if (!starts.has(r.trial)) starts.set(r.trial, r.loss);
  const domain = lossDomain([...data.smooth.map((r) => r.loss), ...data.evals.map((r) => r.loss), ...data.reference.map((r) => r.loss)], [...starts.values()]);
  const y = lossY(domain);
  // metrics.jsonl holds no times (it must stay byte-reproducible), so time is the step over the trial's mean speed.
  const time = [trialLookup(data), { filter: 'isValid(datum.steps_per_s) && datum.steps_per_s > 0' }, { calculate: 'datum.step / datum.steps_per_s', as: 'seconds' }];
  // The fastest and the slowest trial can differ 100-fold (minibatch vs full batch): a log time axis by default then.
  const speeds = new Map(data.trials.filter((t) => t.steps_per_s !== null && t.steps_per_s > 0).map((t) => [t.trial, t.steps_per_s!]));
  const ends = new Map<number, number>();
  for (const r of [...data.smooth, ...data.evals]) {
    const v = speeds.get(r.trial);
    if (v !== undefined) ends.set(r.trial, Math.max(ends.get(r.trial) ?? 0, r.step / v));
  }
  const longest = Math.max(1e-3, ...ends.values());
  const shortest = Math.min(longest, ...[...ends.values()].filter((t) => t > 0));
  const firstStep = 1 / Math.max(1, ...speeds.values());
  const logX = longest / shortest > 10;
  const x = {
    field: 'seconds', type: 'quantitative' as const, title: 'training time (s, ≈ step / steps per second)',
    ...switchableScale('log_x', [0, Number((longest * 1.01).toPrecision(3))], Number(firstStep.toPrecision(2))),
  };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 300,
    datasets: datasets(data, ['trials', 'smooth', 'evals', 'reference']),
    params: [logParam(defaultLog(domain)), logParam(logX, 'log_x', 'log-scale time ')],
    layer: [
      {
        data: { name: 'smooth' },
        transform: time,
        params: [pickParam(c)], // no zoom: Vega-Lite cannot pan a symlog scale whose constant is an expression
        mark: { type: 'line', strokeWidth: 1.8, clip: true },
        encoding: { x, y, color: colour, opacity: pickOpacity(1, 0.1), detail: { field: 'trial', type: 'nominal' } },
      },
      ...(!data.evals.some((r) => r.split === 'dev') ? [] : [{
        data: { name: 'evals' },
        transform: [...time, { filter: "datum.split == 'dev'" }],
        mark: { type: 'point' as const, filled: true, size: 45, stroke: 'white', strokeWidth: 0.8, clip: true },
        encoding: {
          x,
          y,
          color: colour,
          opacity: pickOpacity(1, 0.1),
          tooltip: [{ field: 'label', title: 'trial' }, { field: 'seconds', format: '.2f', title: 'seconds' }, { field: 'loss', title: 'dev loss', format: '.4f' }],
        },
      }]),
      ...referenceLayers(y, data.reference.length > 0),
    ],
  };
  return {
    id: 'loss-vs-time',
    title: 'Loss by training time',
    caption:
      'The smoothed training loss (lines) and the dev loss (points) against the time spent training, estimated from each ' +
      "trial's steps per second. Compare where the curves are after the same time, not after the same number of steps.",
    spec,
  };
}
