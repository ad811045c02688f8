// How a trial cuts its work to bound its memory: chunks of steps, and evaluation batches that shrink for wide nets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNK_STEPS, EVAL_FLOATS, EVAL_ROWS, RANGE_CHUNK_STEPS, chunkSteps, evalFloatsPerRow, evalRows } from '../../src/train/chunks.js';

describe('chunkSteps', () => {
  it('keeps 500 steps of the lecture\'s batches, 25 in a range test, and at least one step of a full batch', () => {
    assert.equal(chunkSteps(32, 27, false), CHUNK_STEPS);
    assert.equal(chunkSteps(32, 27, true), RANGE_CHUNK_STEPS);
    assert.equal(chunkSteps(182_625, 27, false), 1);
    assert.equal(chunkSteps(32_768, 27, false), 4); // 4M floats of logits / (32,768 × 27)
  });
});

describe('evalRows', () => {
  it('evaluates 16,384 examples at once for the lecture\'s net (as before), fewer for a wide one, within EVAL_FLOATS', () => {
    assert.equal(evalRows(200, 27, 3, 10), EVAL_ROWS);
    const wide = evalRows(20_000, 27, 3, 10);
    assert.ok(wide < EVAL_ROWS && wide * evalFloatsPerRow(20_000, 27, 3, 10) <= EVAL_FLOATS, `${wide} rows`);
    assert.equal(evalRows(1e9, 27, 3, 10), 1, 'at least one example');
  });
});
