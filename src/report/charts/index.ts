// Which charts an experiment gets, decided from its results alone (what varies, the schedule, embed_dim).
import { buildData, type ReportData } from '../data.js';
import { isRangeTest } from '../../train/schedule.js';
import type { Results } from '../results.js';
import type { Chart } from './common.js';
import { embedding } from './embedding.js';
import { gridFinal } from './grid-final.js';
import { lossVsStep } from './loss-vs-step.js';
import { lossVsTime } from './loss-vs-time.js';
import { lrRange, type Suggestion } from './lr-range.js';
import { meanBands } from './mean-bands.js';
import { parallel, parallelKeys } from './parallel.js';
import { searchFinal } from './search-final.js';

/** Keys whose comparison is about cost as much as loss: they get the loss-by-time chart. */
export const TIME_KEYS = ['loss', 'train.batch_size'];

/**
 * The charts that fit the results, in reading order:
 * 1. training loss by step, whenever some trial logged steps;
 *    and the mean over seeds with a min–max band, when some grid point has several seeds (repeat > 1);
 * 2. the LR range test, when a trial used the range schedule;
 * 3. parallel coordinates of the sweep, when two or more keys (not "repeat") vary and two or more trials have a final loss;
 * 4. final loss by each varying key (not "repeat"), when two or more trials have a final loss: a point per trial and the
 *    mean per value for a grid's values, a scatter for values drawn from a distribution (random search);
 * 5. loss by training time, when the loss mode or the batch size varies;
 * 6. the 2-D character embedding, when a finished trial has embed_dim 2.
 */
export function chooseCharts(results: Results, data: ReportData = buildData(results)): Chart[] {
  const charts: Chart[] = [];
  if (data.curve.length > 0) charts.push(lossVsStep(data));
  if (data.bands.length > 0) charts.push(seedsChart(data));
  if (data.range.length > 0) charts.push(lrRange(data, suggestions(results)));
  if (data.trials.filter((t) => t.loss !== null).length >= 2) {
    const swept = parallelKeys(data);
    if (swept.length >= 2) charts.push(parallel(data));
    for (const k of swept) charts.push(k.continuous ? searchFinal(data, k) : gridFinal(data, k));
  }
  if (data.smooth.length > 0 && data.keys.some((k) => TIME_KEYS.includes(k.key) && k.values.length >= 2)) charts.push(lossVsTime(data));
  if (data.embedding.length > 0) charts.push(embedding(data));
  return charts;
}

/** The grid points' mean curves over their seeds. */
function seedsChart(data: ReportData): Chart {
  const seeds = Math.max(...data.groups.map((g) => g.seeds));
  return meanBands(
    { ...data, keys: data.keys.filter((k) => k.key !== 'repeat') },
    {
      id: 'loss-by-seeds',
      title: `Training loss by step, mean over seeds`,
      caption:
        `Each grid point's ${seeds > 1 ? `${seeds} seeds` : 'seeds'}: the line is the mean of their moving averages, the band spans their least to their greatest ` +
        'at each step (a seed that ended early counts until it did); points: the mean loss on the whole dev split.',
      noun: 'grid point',
    },
  );
}

/** The suggested learning rates of the range-test trials that were found: steepest descent, and the valley. */
export function suggestions(results: Results): Suggestion[] {
  const out: Suggestion[] = [];
  for (const t of results.trials) {
    const s = t.summary?.suggested_lr;
    if (!isRangeTest(t.trial.config.train.lr) || s === undefined) continue;
    if (s.steepest !== null && s.steepest > 0) out.push({ trial: t.trial.index, kind: 'steepest', lr: s.steepest });
    if (s.valley !== null && s.valley > 0) out.push({ trial: t.trial.index, kind: 'valley', lr: s.valley });
  }
  return out;
}
