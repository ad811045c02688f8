// What an argument of `run-exp compare` stands for: NAME (the best grid point, seeds aggregated) or NAME@ID.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSelector, pick, type Picked } from '../../../src/report/compare/select.js';
import { fixtureResults } from '../fixture-results.js';

test('NAME and NAME@ID parse; anything else says what was expected', () => {
  assert.deepEqual(parseSelector('lr-sweep'), { text: 'lr-sweep', name: 'lr-sweep' });
  assert.deepEqual(parseSelector('lr-sweep@3f9c'), { text: 'lr-sweep@3f9c', name: 'lr-sweep', trial: '3f9c' });
  for (const bad of ['Lr', 'lr@', 'lr@3f9', 'lr@3f9c0a1b2d0', 'lr@XYZW', 'lr:3f9c', '../lr']) {
    assert.match(parseSelector(bad) as string, /: expected an experiment NAME or NAME@ID \(a trial's id, or its first 4 or more hex digits\)/, bad);
  }
});

test('an experiment stands for its best grid point with its seeds; a named trial for itself', async () => {
  const r = await fixtureResults({ name: 'seeded', grid: { 'train.lr': [0.05, 0.1, 0.3] }, repeat: 2, steps: 200 });
  const best = pick({ text: 'seeded', name: 'seeded' }, r) as Picked;
  assert.deepEqual([best.group.label, best.group.trials.length, best.why], ['lr=0.1', 2, 'the best of 3 grid points (mean of 2 seeds)']);
  const id = r.trials[5]!.trial.id;
  const one = pick({ text: `seeded@${id.slice(0, 6)}`, name: 'seeded', trial: id.slice(0, 6) }, r) as Picked;
  assert.deepEqual([one.group.trials.map((t) => t.trial.id), one.why], [[id], `trial ${id}, as named`]);
});

test('nothing to compare is said: no finished trial, no such trial, an ambiguous prefix, an unfinished trial', async () => {
  const none = await fixtureResults({ name: 'none', grid: { 'train.lr': [0.1, 2] }, steps: 300, unfinished: [0] });
  assert.equal(pick({ text: 'none', name: 'none' }, none), 'none has no finished trial with a final loss (its 2 trials: 1 unfinished, 1 diverged)');
  const unfinished = none.trials[0]!.trial.id;
  assert.equal(pick({ text: `none@${unfinished}`, name: 'none', trial: unfinished }, none), `trial ${unfinished} of none has not finished (unfinished)`);
  assert.match(pick({ text: 'none@ffff', name: 'none', trial: 'ffff' }, none) as string, /^none has no trial ffff \(its trials: [0-9a-f]{10}, [0-9a-f]{10}\)$/);
  // Two ids that share their first five digits (made so: real ones rarely do in a small grid).
  const two = await fixtureResults({ name: 'two', grid: { 'train.lr': [0.05, 0.1] }, steps: 20 });
  const first = two.trials[0]!.trial.id;
  two.trials[1]!.trial.id = `${first.slice(0, 5)}00000`;
  assert.equal(pick({ text: `two@${first.slice(0, 5)}`, name: 'two', trial: first.slice(0, 5) }, two), `two@${first.slice(0, 5)} matches 2 trials of two (${first}, ${first.slice(0, 5)}00000): give more digits`);
  assert.equal((pick({ text: `two@${first}`, name: 'two', trial: first }, two) as Picked).group.trials[0]!.trial.id, first, 'the whole id is not ambiguous');
});
