// How a trial cuts its work to bound its memory: chunks of steps, and evaluation batches that shrink for wide nets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNK_STEPS, EVAL_FLOATS, EVAL_ROWS, RANGE_CHUNK_STEPS, chunkSteps, evalFloatsPerRow, evalRows, tfjsChunkSteps } from '../../src/train/chunks.js';

describe('chunkSteps', () => {
  it('asks 500 steps of a chunk, 25 in a range test', () => {
    assert.equal(chunkSteps(0.1), CHUNK_STEPS);
    assert.equal(chunkSteps({ schedule: 'range', min: 1e-3, max: 1 }), RANGE_CHUNK_STEPS);
  });
});

describe('tfjsChunkSteps', () => {
  it('keeps 500 steps of the lecture\'s batches, and at least one step of a full batch', () => {
    assert.equal(tfjsChunkSteps(32, 27, CHUNK_STEPS), CHUNK_STEPS);
    assert.equal(tfjsChunkSteps(32, 27, RANGE_CHUNK_STEPS), RANGE_CHUNK_STEPS);
    assert.equal(tfjsChunkSteps(182_625, 27, CHUNK_STEPS), 1);
    assert.equal(tfjsChunkSteps(32_768, 27, CHUNK_STEPS), 4); // 4M floats of logits / (32,768 × 27)
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
