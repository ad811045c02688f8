// Seeds aggregated: trials that differ only by repeat form a grid point; its figures are means over the seeds (sample
// sd), its curve the mean with a min–max band on aligned steps, and the best grid points rank by their means.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildData } from '../../src/report/data.js';
import { varyingKeys } from '../../src/report/results.js';
import { meanCurve, meanEvals, rankGroups, seedGroups, stats, summarizeGroup } from '../../src/report/seeds.js';
import { fixtureResults } from './fixture-results.js';

test('stats: the mean, the sample standard deviation (n − 1), min, max and n of the finite values', () => {
  const s = stats([2, 4, 4, 4, 5, 5, 7, 9, null, Number.NaN])!;
  assert.equal(s.mean, 5);
  assert.equal(s.sd, Math.sqrt(32 / 7)); // the population sd would be 2
  assert.deepEqual([s.min, s.max, s.n], [2, 9, 8]);
  assert.deepEqual(stats([3]), { mean: 3, sd: null, min: 3, max: 3, n: 1 }, 'one value has no sample sd');
  assert.equal(stats([null, undefined]), null);
});

test('trials that differ only by repeat form one grid point each, labelled by their values without repeat, seeds in repeat order', async () => {
  const results = await fixtureResults({ name: 'seeds', grid: { 'train.lr': [0.05, 0.1], loss: ['manual', 'fused'] }, repeat: 3, steps: 100 });
  const groups = seedGroups(results.trials, varyingKeys(results));
  assert.deepEqual(groups.map((g) => g.label), ['lr=0.05 loss=manual', 'lr=0.05 loss=fused', 'lr=0.1 loss=manual', 'lr=0.1 loss=fused']);
  for (const g of groups) {
    assert.deepEqual(g.trials.map((t) => t.trial.repeat), [0, 1, 2]);
    assert.equal(new Set(g.trials.map((t) => t.trial.config.seed)).size, 3, 'three seeds');
    assert.ok(!('repeat' in g.params));
  }
  const one = seedGroups((await fixtureResults({ name: 'alone', repeat: 2, steps: 50 })).trials, ['repeat']);
  assert.deepEqual(one.map((g) => [g.label, g.trials.length]), [['every seed', 2]], 'nothing but repeat varies');
});

test('a grid point with a failed seed: its figures are over the seeds with a final loss (2 of 3), and it ranks after every complete grid point', async () => {
  // lr 0.1 trains better than 0.05 (its loss floor is lower), but one of its seeds failed.
  const results = await fixtureResults({ name: 'failed-seed', grid: { 'train.lr': [0.05, 0.1] }, repeat: 3, steps: 200, failed: [4] });
  const groups = seedGroups(results.trials, varyingKeys(results));
  const [low, high] = groups.map(summarizeGroup);
  assert.deepEqual([low!.complete, high!.complete], [true, false]);
  assert.equal(high!.judged!.stats.n, 2);
  assert.deepEqual(high!.statuses, { ok: 2, failed: 1 });
  const devs = high!.group.trials.map((t) => t.summary!.final.dev_loss).filter((v): v is number => v !== null);
  assert.equal(high!.judged!.stats.mean, (devs[0]! + devs[1]!) / 2);
  assert.ok(high!.judged!.stats.mean < low!.judged!.stats.mean, 'its mean is the lower one');
  assert.deepEqual(rankGroups([low!, high!]).map((g) => g.group.label), ['lr=0.05', 'lr=0.1'], 'yet it ranks second');
  // Without the failure it ranks first.
  const whole = await fixtureResults({ name: 'no-failure', grid: { 'train.lr': [0.05, 0.1] }, repeat: 3, steps: 200 });
  assert.deepEqual(rankGroups(seedGroups(whole.trials, varyingKeys(whole)).map(summarizeGroup)).map((g) => g.group.label), ['lr=0.1', 'lr=0.05']);
});

test('the mean curve is the mean of the seeds at the same steps, the band their min and max; a seed that ended early counts until it did', async () => {
  const results = await fixtureResults({ name: 'band', repeat: 3, steps: 1000, evalEvery: 250 });
  const [group] = seedGroups(results.trials, ['repeat']);
  const aligned = group!.trials.map((t) => t.curves!.aligned);
  assert.deepEqual(aligned[1]!.map((p) => p.step), aligned[0]!.map((p) => p.step), 'the seeds have points at the same steps');
  assert.equal(aligned[0]!.at(-1)!.step, 999, 'the last step is one of them');
  // A seed that diverged at step 500 keeps its points up to there.
  group!.trials[2]!.curves!.aligned = aligned[2]!.filter((p) => p.step <= 500);
  const band = meanCurve(group!);
  assert.deepEqual(band.map((p) => p.step), aligned[0]!.map((p) => p.step));
  for (const p of band) {
    const xs = group!.trials.map((t) => t.curves!.aligned.find((q) => q.step === p.step)?.loss).filter((x): x is number => x !== undefined);
    assert.equal(p.n, xs.length);
    assert.equal(p.n, p.step <= 500 ? 3 : 2);
    assert.ok(Math.abs(p.mean - xs.reduce((a, b) => a + b, 0) / xs.length) < 1e-12);
    assert.deepEqual([p.min, p.max], [Math.min(...xs), Math.max(...xs)]);
  }
  const devs = meanEvals(group!, 'dev');
  assert.deepEqual(devs.map((p) => p.step), [250, 500, 750, 1000]);
  assert.deepEqual(devs.map((p) => p.n), [3, 3, 3, 3]);
});

test('the report data have a row per grid point and its bands only when some grid point has several seeds', async () => {
  const single = buildData(await fixtureResults({ name: 'single', grid: { 'train.lr': [0.05, 0.1] }, steps: 100 }));
  assert.deepEqual([single.groups.length, single.bands.length, single.summaries.length], [0, 0, 2]);
  const seeded = buildData(await fixtureResults({ name: 'seeded', grid: { 'train.lr': [0.05, 0.1] }, repeat: 2, steps: 100, evalEvery: 50 }));
  assert.deepEqual(seeded.groups.map((g) => [g.label, g.seeds, g.with_loss, g['p0']]), [['lr=0.05', 2, 2, 0.05], ['lr=0.1', 2, 2, 0.1]]);
  assert.ok(seeded.groups.every((g) => g.loss !== null && g.loss_sd !== null && g.loss_split === 'dev'));
  assert.deepEqual([...new Set(seeded.bands.map((b) => b.group))], [0, 1]);
  assert.deepEqual([...new Set(seeded.groupEvals.map((b) => `${b.split}@${b.step}`))], ['train@50', 'train@100', 'dev@50', 'dev@100']);
});
