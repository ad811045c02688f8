// The points of a sweep: grid combinations, and a random search's draws (in bounds, distinct, stable).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drawPoints, gridPoints, spaceSize, type SweepValues } from '../../src/config/search.js';
import { canonicalJson } from '../../src/config/expand.js';

describe('gridPoints', () => {
  it('gives every combination, the first key varying slowest', () => {
    assert.deepEqual(gridPoints({ a: [1, 2], b: ['x', 'y'] }), [
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
  });
});

describe('drawPoints', () => {
  const space: Record<string, SweepValues> = {
    'train.lr': { log_uniform: [0.001, 1] },
    'train.batch_size': [16, 32, 'full'],
    'model.hidden': { int_uniform: [10, 12] },
    'data.split.train': { uniform: [0.5, 0.9] },
  };

  it('draws each key within its bounds, from its list, or as an integer with both ends included', () => {
    const points = drawPoints(space, 300, 7);
    const hidden = new Set<unknown>();
    for (const p of points) {
      const lr = p['train.lr'] as number;
      assert.ok(lr >= 0.001 && lr <= 1, `lr ${lr}`);
      assert.ok([16, 32, 'full'].includes(p['train.batch_size'] as number | string));
      assert.ok(Number.isInteger(p['model.hidden']));
      hidden.add(p['model.hidden']);
      const f = p['data.split.train'] as number;
      assert.ok(f >= 0.5 && f <= 0.9, `fraction ${f}`);
      assert.equal(Number(lr.toPrecision(4)), lr, 'rounded to 4 significant digits');
    }
    assert.deepEqual([...hidden].sort(), [10, 11, 12]);
  });

  it('draws log-uniformly: about as many learning rates in each decade', () => {
    const decades = [0, 0, 0];
    for (const p of drawPoints({ 'train.lr': { log_uniform: [0.001, 1] } }, 900, 1)) decades[Math.min(2, Math.floor(Math.log10(p['train.lr'] as number) + 3))]! += 1;
    for (const n of decades) assert.ok(n > 240 && n < 360, `per decade: ${decades.join(', ')}`);
  });

  it('gives the same draws for the same seed, others for another seed', () => {
    assert.deepEqual(drawPoints(space, 20, 3), drawPoints(space, 20, 3));
    assert.notDeepEqual(drawPoints(space, 20, 3), drawPoints(space, 20, 4));
  });

  it('keeps the first draws when more trials are asked for', () => {
    assert.deepEqual(drawPoints(space, 30, 5).slice(0, 20), drawPoints(space, 20, 5));
  });

  it('changes no other key\'s draws when a key is added', () => {
    const without = drawPoints({ 'train.lr': { log_uniform: [0.001, 1] } }, 20, 9).map((p) => p['train.lr']);
    const withKey = drawPoints({ 'train.lr': { log_uniform: [0.001, 1] }, 'model.hidden': { int_uniform: [10, 500] } }, 20, 9).map((p) => p['train.lr']);
    assert.deepEqual(withKey, without);
  });

  it('draws a point that repeats an earlier one again, so every trial is a different one, until the space is used up', () => {
    const small: Record<string, SweepValues> = { 'train.lr': [0.1, 0.2], 'model.hidden': { int_uniform: [10, 12] } };
    const points = drawPoints(small, 6, 0);
    assert.equal(new Set(points.map(canonicalJson)).size, 6, 'all six points of the space');
    const more = drawPoints(small, 8, 0);
    assert.deepEqual(more.slice(0, 6), points);
    assert.equal(new Set(more.map(canonicalJson)).size, 6, 'a seventh point does not exist: the repeats are kept for validation to report');
  });
});

describe('spaceSize', () => {
  const cases: { grid: Record<string, SweepValues>; size: number }[] = [
    { grid: {}, size: 1 },
    { grid: { a: [1, 2, 3] }, size: 3 },
    { grid: { a: [1, 2], b: { int_uniform: [0, 9] } }, size: 20 },
    { grid: { a: [1, 2], b: { uniform: [0, 1] } }, size: Infinity },
  ];
  for (const { grid, size } of cases) {
    it(`counts ${size} points in ${JSON.stringify(grid)}`, () => assert.equal(spaceSize(grid), size));
  }
});
