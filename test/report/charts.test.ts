// Every chart the report can choose: which charts each kind of experiment gets, and that each spec is valid
// Vega-Lite (the JSON schema), compiles with vega-lite, and runs and renders in vega's headless View.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseCharts } from '../../src/report/charts/index.js';
import { insideCharts } from '../../src/report/charts/inside.js';
import { linearTicks, logAxis, logTicks } from '../../src/report/charts/common.js';
import { buildData } from '../../src/report/data.js';
import { parallelAxes, parallelRows } from '../../src/report/charts/parallel.js';
import { fixtureResults, type FixtureOptions } from './fixture-results.js';
import { assertValidChart } from './vega-check.js';

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** A random search as issue #11 describes it: lr log-uniform, hidden size int-uniform, ASHA; some trials stopped, some diverged. */
const RANDOM: FixtureOptions = {
  name: 'random',
  grid: { 'train.lr': { log_uniform: [0.003, 2] }, 'model.hidden': { int_uniform: [32, 400] } },
  search: { trials: 24, seed: 1 },
  earlyStop: { method: 'asha', grace: 100, eta: 3 },
  steps: 900,
  evalEvery: 100,
};

const cases: { title: string; options: FixtureOptions; charts: string[]; colour?: string }[] = [
  { title: 'a single trial gets the loss curve only', options: { name: 'single', steps: 300 }, charts: ['loss-vs-step'] },
  {
    title: 'trials evaluated on no split still get their curves, and loss by time without dev points',
    options: { name: 'noeval', grid: { loss: ['manual', 'fused'] }, splits: [], steps: 200 },
    charts: ['loss-vs-step', 'loss-vs-time'],
  },
  {
    title: 'trials evaluated on train only are judged by their train loss',
    options: { name: 'trainonly', grid: { 'train.lr': [0.05, 0.1] }, splits: ['train'], steps: 200 },
    charts: ['loss-vs-step', 'final-vs-p0'],
  },
  {
    title: 'an LR range test with embed_dim 2 gets the range plot and the embedding',
    options: { name: 'range', lr: { schedule: 'range', min: 0.001, max: 1 }, steps: 600, embedDim: 2 },
    charts: ['loss-vs-step', 'lr-range', 'embedding'],
  },
  {
    title: 'a grid over lr and batch size gets parallel coordinates, a final-loss chart per key and loss by time',
    options: { name: 'grid', grid: { 'train.lr': [0.01, 0.1, 1.5], 'train.batch_size': [32, 'full'] }, steps: 400, evalEvery: 100, failed: [5], unfinished: [4] },
    charts: ['loss-vs-step', 'parallel', 'final-vs-p0', 'final-vs-p1', 'loss-vs-time'],
  },
  {
    title: 'a loss-mode comparison with repeats gets the mean over seeds with its band, loss by time, and no chart by repeat',
    options: { name: 'modes', grid: { loss: ['manual', 'fused'] }, repeat: 2, steps: 300 },
    charts: ['loss-vs-step', 'loss-by-seeds', 'final-vs-p0', 'loss-vs-time'],
  },
  {
    title: 'a grid of range tests over batch size (diverged by design: no final loss) gets loss by time but no final-loss chart',
    options: { name: 'ranges', grid: { 'train.batch_size': [16, 64] }, lr: { schedule: 'range', min: 0.0001, max: 10 }, steps: 500, embedDim: 2 },
    charts: ['loss-vs-step', 'lr-range', 'loss-vs-time', 'embedding'],
  },
  { title: 'an experiment whose only trial failed gets no chart', options: { name: 'failed', failed: [0], steps: 100 }, charts: [] },
  { title: 'an experiment with no finished trial gets no chart', options: { name: 'pending', unfinished: [0, 1], grid: { loss: ['manual', 'fused'] } }, charts: [] },
  {
    title: 'a 30-trial grid colours by its first key instead of by trial',
    options: { name: 'many', grid: { 'train.lr': [0.003, 0.01, 0.03, 0.1, 0.3, 1], 'model.hidden': [50, 100, 200, 300, 400] }, steps: 200 },
    charts: ['loss-vs-step', 'parallel', 'final-vs-p0', 'final-vs-p1'],
    colour: 'p0',
  },
  { title: 'a 4-trial grid colours by trial', options: { name: 'few', grid: { 'train.lr': [0.01, 0.1], loss: ['manual', 'fused'] }, steps: 100 }, charts: ['loss-vs-step', 'parallel', 'final-vs-p0', 'final-vs-p1', 'loss-vs-time'], colour: 'label' },
  {
    title: 'a grid of one key with ASHA stopping some trials gets the final-loss chart but no parallel coordinates',
    options: { name: 'grid-asha', grid: { 'train.lr': [0.003, 0.01, 0.03, 0.1, 0.3] }, steps: 900, evalEvery: 100, earlyStop: { method: 'asha', grace: 100 } },
    charts: ['loss-vs-step', 'final-vs-p0'],
  },
  {
    title: 'a random search of lr and hidden size with ASHA gets parallel coordinates and a scatter per key, coloured on a ramp',
    options: RANDOM,
    charts: ['loss-vs-step', 'parallel', 'final-vs-p0', 'final-vs-p1'],
    colour: 'p0',
  },
  {
    title: 'a random search of lr and a loss-mode choice, without early stopping, gets a scatter for lr and means for the choice',
    options: { name: 'random-modes', grid: { 'train.lr': { log_uniform: [0.01, 1] }, loss: ['manual', 'fused'] }, search: { trials: 12, seed: 3 }, steps: 300 },
    charts: ['loss-vs-step', 'parallel', 'final-vs-p0', 'final-vs-p1', 'loss-vs-time'],
  },
  {
    title: 'a grid of repeated trials with a failed seed and a diverging grid point gets the mean over seeds beside the trials',
    options: { name: 'seeded', grid: { 'train.lr': [0.01, 0.1, 1.5] }, repeat: 3, steps: 400, evalEvery: 100, failed: [4] },
    charts: ['loss-vs-step', 'loss-by-seeds', 'final-vs-p0'],
  },
  {
    title: 'twelve grid points of two seeds colour their means by the first key',
    options: { name: 'seeded-many', grid: { 'train.lr': [0.01, 0.02, 0.05, 0.1, 0.2, 0.5], 'model.hidden': [50, 200] }, repeat: 2, steps: 200 },
    charts: ['loss-vs-step', 'loss-by-seeds', 'parallel', 'final-vs-p0', 'final-vs-p1'],
  },
  {
    title: 'a random search of one key with the median rule gets a scatter and no parallel coordinates',
    options: { name: 'random-median', grid: { 'train.lr': { log_uniform: [0.001, 1] } }, search: { trials: 10 }, steps: 800, evalEvery: 100, earlyStop: { method: 'median', grace: 200 } },
    charts: ['loss-vs-step', 'final-vs-p0'],
  },
];

for (const c of cases) {
  test(`${c.title}; each spec is valid Vega-Lite that compiles and renders`, async () => {
    const results = await fixtureResults(c.options);
    const charts = chooseCharts(results);
    assert.deepEqual(charts.map((x) => x.id), c.charts);
    if (c.colour !== undefined) {
      const layers = (charts[0]!.spec as { layer: { encoding: { color?: { field?: string } } }[] }).layer;
      assert.equal(layers[1]!.encoding.color?.field, c.colour);
    }
    for (const chart of charts) await assertValidChart(chart);
  });
}

const insideCases: { title: string; options: FixtureOptions }[] = [
  { title: 'a grid over model.init with diagnostics', options: { name: 'inits', grid: { 'model.init': [{}, { W2: 0.01, b2: 0 }, { W1: 'kaiming', b1: 0.01, W2: 0.01, b2: 0 }] }, steps: 1000, diagnostics: 100 } },
  { title: 'one trial with diagnostics (no trial to pick)', options: { name: 'one', steps: 600, diagnostics: 50 } },
  { title: 'eight trials with diagnostics, ASHA stopping some (the best five shown)', options: { name: 'eight', grid: { 'train.lr': [0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.8] }, steps: 900, evalEvery: 100, earlyStop: { method: 'asha', grace: 100 }, diagnostics: 100 } },
];
for (const c of insideCases) {
  test(`inside the network: ${c.title} gets the histogram, saturation and ratio charts, each valid Vega-Lite that compiles and renders`, async () => {
    const results = await fixtureResults(c.options);
    const data = buildData(results);
    const charts = insideCharts(data);
    assert.deepEqual(charts.map((x) => x.id), ['inside-histogram', 'inside-saturation', 'inside-ratios']);
    const withDiagnostics = results.trials.filter((t) => t.inside !== null).length;
    assert.equal(data.insideTrials.length, Math.min(5, withDiagnostics));
    for (const chart of charts) await assertValidChart(chart);
    const picked = (charts[2]!.spec as { params?: { bind: { options: string[] } }[] }).params;
    assert.equal(picked === undefined, data.insideTrials.length === 1, 'a trial to pick only when there are several');
  });
}

test('inside the network has no charts without diagnostics', async () => {
  assert.deepEqual(insideCharts(buildData(await fixtureResults({ name: 'plain', steps: 200 }))), []);
});

test('building the charts twice from the same results gives the same specs (no hidden state)', async () => {
  const results = await fixtureResults({ name: 'pure', grid: { 'train.lr': [0.01, 0.1] }, steps: 200 });
  const a = JSON.stringify(chooseCharts(results));
  const b = JSON.stringify(chooseCharts(structuredClone(results)));
  assert.equal(a, b);
});

test('the loss chart marks the uniform guess ln 27 and the bigram loss as reference lines', async () => {
  const results = await fixtureResults({ name: 'refs', steps: 100 });
  const data = buildData(results);
  assert.deepEqual(data.reference.map((r) => r.name), ['uniform', 'bigram']);
  assert.equal(data.reference[0]!.loss, Number(Math.log(27).toPrecision(5)));
  const chart = chooseCharts(results, data).find((c) => c.id === 'loss-vs-step')!;
  const layers = (chart.spec as { layer: { data?: { name: string }; mark: { type: string } }[] }).layer;
  const reference = layers.filter((l) => l.data?.name === 'reference').map((l) => l.mark.type);
  assert.deepEqual(reference, ['rule', 'text', 'text'], 'a dashed rule for both, and a label for each');
});

test('the range-test chart marks the steepest descent and the valley with a rule and a label each, on rows of their own', async () => {
  const results = await fixtureResults({ name: 'suggest', lr: { schedule: 'range', min: 0.001, max: 1 }, steps: 300 });
  const chart = chooseCharts(results).find((c) => c.id === 'lr-range')!;
  const marks = (chart.spec as { datasets: Record<string, { log_lr: number; text: string }[]> }).datasets['suggestions']!;
  assert.deepEqual(marks.map((m) => m.log_lr), [-1, Number(Math.log10(0.5).toFixed(4))]); // valley = min/10 × 10
  assert.match(marks[0]!.text, /steepest descent: lr ≈ 0\.1$/);
  assert.match(marks[1]!.text, /valley \(least loss\): lr ≈ 0\.5$/);
  assert.notEqual((marks[0] as unknown as { dy: number }).dy, (marks[1] as unknown as { dy: number }).dy);
});

const axes: { key: string; values: number[]; log: boolean }[] = [
  { key: 'train.lr', values: [0.01, 0.1], log: true },
  { key: 'train.lr.start', values: [0.05, 0.1, 0.2], log: true },
  { key: 'model.hidden', values: [50, 100, 200], log: false },
  { key: 'train.steps', values: [100, 1000, 10000], log: true },
  { key: 'train.lr', values: [0, 0.1], log: false },
];
for (const a of axes) {
  test(`values of ${a.key} from ${a.values[0]} to ${a.values.at(-1)} get ${a.log ? 'a log' : 'a linear'} axis`, () => {
    assert.equal(logAxis({ key: a.key, field: 'p0', short: a.key, numeric: true, values: a.values, distribution: null, continuous: false }), a.log);
  });
}

test('log ticks stay inside the domain and thin out to 1-2-5, then powers of ten, over wide ranges', () => {
  assert.deepEqual(logTicks([1.9, 30]), [2, 2.5, 3, 4, 5, 7, 10, 15, 20, 25, 30]);
  assert.deepEqual(logTicks([0.0004, 50]), [0.001, 0.01, 0.1, 1, 10]);
  assert.deepEqual(linearTicks([1.9, 30]), [5, 10, 15, 20, 25, 30]);
});

test('a diverged trial is marked where it stopped, with its reason', async () => {
  const data = buildData(await fixtureResults({ name: 'stop', grid: { 'train.lr': [0.1, 2] }, steps: 400 }));
  assert.equal(data.stops.length, 1);
  const stop = data.stops[0]!;
  assert.equal(stop.trial, 1);
  assert.match(stop.reason, /^loss became NaN at step \d+$/);
  const last = data.curve.filter((r) => r.trial === 1).at(-1)!;
  assert.deepEqual([stop.step, stop.loss], [last.step, last.loss], 'the last finite loss');
});

test('parallel coordinates: an axis per swept key and one of final loss, positions on log and linear scales, real values as tick labels', async () => {
  const data = buildData(await fixtureResults(RANDOM));
  const axes = parallelAxes(data, 'dev');
  assert.deepEqual(axes.map((a) => a.title), ['train.lr', 'model.hidden', 'final dev loss']);
  const { crossings, ticks } = parallelRows(data, axes);
  const withLoss = data.trials.filter((t) => t.loss !== null);
  assert.equal(crossings.length, withLoss.length * 3, 'each trial with a final loss crosses every axis');
  const at = (trial: number, axis: string) => crossings.find((c) => c.trial === trial && c.axis === axis)!.pos;
  for (const t of withLoss) {
    const lr = t['p0'] as number;
    const hidden = t['p1'] as number;
    // The axes span the search ranges: lr log-uniform on [0.003, 2], hidden int-uniform on [32, 400].
    assert.ok(Math.abs(at(t.trial, 'train.lr') - Math.log(lr / 0.003) / Math.log(2 / 0.003)) < 1e-4, `lr ${lr}`);
    assert.ok(Math.abs(at(t.trial, 'model.hidden') - (hidden - 32) / (400 - 32)) < 1e-4, `hidden ${hidden}`);
  }
  const labels = (axis: string) => ticks.filter((k) => k.axis === axis).sort((a, b) => a.pos - b.pos).map((k) => `${k.pos} ${k.text}`);
  assert.deepEqual(labels('train.lr'), ['0 0.003', `${round4(Math.log(0.01 / 0.003) / Math.log(2 / 0.003))} 0.01`, `${round4(Math.log(0.1 / 0.003) / Math.log(2 / 0.003))} 0.1`, `${round4(Math.log(1 / 0.003) / Math.log(2 / 0.003))} 1`, '1 2']);
  assert.deepEqual(labels('model.hidden').map((l) => l.split(' ')[1]), ['32', '100', '200', '300', '400']);
  // Stopped trials still far above the uniform guess meet the top of the loss axis, labelled as such.
  const best = Math.min(...withLoss.map((t) => t.loss!));
  assert.deepEqual([labels('final dev loss')[0], labels('final dev loss').at(-1)], [`0 ${Number(best.toPrecision(3))}`, '1 ≥ 3.296 (uniform)']);
  assert.ok(withLoss.some((t) => t.loss! > 3.3 && at(t.trial, 'final dev loss') === 1));
  // The worst first, so the best lines are drawn last (on top).
  const order = [...new Set(crossings.map((c) => c.trial))].map((i) => data.trials[i]!.loss!);
  assert.deepEqual(order, [...order].sort((a, b) => b - a));
});

test('a categorical key gets an ordinal axis, its values evenly spaced and each labelled', async () => {
  const data = buildData(await fixtureResults({ name: 'cat', grid: { 'train.lr': { log_uniform: [0.01, 1] }, loss: ['manual', 'fused'] }, search: { trials: 8 }, steps: 200 }));
  const axes = parallelAxes(data, 'dev');
  assert.deepEqual(axes[1]!.ticks, [{ pos: 0, text: data.keys[1]!.values[0] }, { pos: 1, text: data.keys[1]!.values[1] }]);
});

/** The layers of a chart's spec. */
type Layer = { mark: { type: string; shape?: string; filled?: boolean }; data?: { name: string }; transform?: { filter?: string }[]; encoding: Record<string, { aggregate?: string; field?: string; type?: string; scale?: { type?: string; domain?: unknown[] } }> };
const layersOf = (c: { spec: unknown }) => (c.spec as { layer: Layer[] }).layer;

test('drawn values get a scatter without a mean line, on the search range, stopped trials as triangles; a grid keeps its means', async () => {
  const results = await fixtureResults(RANDOM);
  const charts = chooseCharts(results);
  const lr = layersOf(charts.find((c) => c.id === 'final-vs-p0')!);
  assert.equal(lr.some((l) => Object.values(l.encoding).some((e) => e.aggregate === 'mean')), false, 'no mean over one trial per value');
  const points = lr.find((l) => l.data?.name === 'trials')!;
  assert.deepEqual([points.encoding['x']!.scale!.type, points.encoding['x']!.scale!.domain], ['log', [0.003, 2]]);
  assert.deepEqual((points.encoding['shape'] as unknown as { scale: object }).scale, { domain: ['ok', 'stopped'], range: ['circle', 'triangle-down'] });
  assert.deepEqual([points.encoding['color']!.field, points.encoding['color']!.type, points.encoding['color']!.scale!.type], ['p1', 'quantitative', undefined], 'coloured by hidden size on a ramp');
  const grid = layersOf(chooseCharts(await fixtureResults({ name: 'g', grid: { 'train.lr': [0.01, 0.1, 0.3] }, steps: 300 })).find((c) => c.id === 'final-vs-p0')!);
  assert.equal(grid[0]!.encoding['y']!.aggregate, 'mean');
});

test('a trial stopped early is marked where its line ends, with its reason; a random search of many trials is coloured by lr on a log ramp', async () => {
  const results = await fixtureResults(RANDOM);
  const data = buildData(results);
  const stopped = results.trials.filter((t) => t.summary?.status === 'stopped');
  assert.ok(stopped.length > 0);
  for (const t of stopped) {
    const mark = data.stops.find((r) => r.trial === t.trial.index)!;
    assert.equal(mark.kind, 'stopped');
    assert.equal(mark.reason, t.summary!.reason);
    assert.deepEqual([mark.step, mark.loss], [data.smooth.filter((r) => r.trial === t.trial.index).at(-1)!.step, data.smooth.filter((r) => r.trial === t.trial.index).at(-1)!.loss], 'the end of its moving average');
    assert.equal(mark.step, t.summary!.steps - 1, 'its last step');
  }
  const layers = layersOf(chooseCharts(results, data).find((c) => c.id === 'loss-vs-step')!);
  const squares = layers.find((l) => l.data?.name === 'stops' && l.transform?.[0]?.filter === "datum.kind == 'stopped'")!;
  assert.deepEqual([squares.mark.shape, squares.mark.filled], ['square', false]);
  const colour = layers[1]!.encoding['color'] as unknown as { field: string; type: string; scale: { type: string }; legend: { values: number[] } };
  assert.deepEqual([colour.field, colour.type, colour.scale.type], ['p0', 'quantitative', 'log']);
  assert.deepEqual(colour.legend.values, [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
});
