// --jobs: capped at the trials to run, refused past 4 per core, warned about past the cores.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JOBS_PER_CORE, maxJobs, workerCount } from '../../../src/launch/local/jobs.js';

test('the workers are --jobs, capped at the trials to run (at least one)', () => {
  const cases = [
    { jobs: 2, trials: 24, workers: 2 },
    { jobs: 8, trials: 3, workers: 3 },
    { jobs: 8, trials: 0, workers: 1 },
    { jobs: 1, trials: 1, workers: 1 },
  ];
  for (const { jobs, trials, workers } of cases) assert.equal(workerCount(jobs, trials, 8).workers, workers, `--jobs ${jobs}, ${trials} trials`);
});

test('more workers than cores come with a warning that says how much slower each trial runs', () => {
  assert.equal(workerCount(2, 24, 2).warning, undefined);
  assert.equal(workerCount(8, 3, 2).warning, '--jobs 8: 3 workers on 2 CPU cores take turns on them, so each trial runs about 1.5× slower; --jobs 2 (the default) finishes as soon');
  assert.match(workerCount(4, 24, 1).warning!, /4 workers on 1 CPU core take turns on them, so each trial runs about 4× slower; --jobs 1/);
});

test('the limit is 4 workers per core', () => {
  assert.equal(MAX_JOBS_PER_CORE, 4);
  assert.equal(maxJobs(2), 8);
  assert.equal(maxJobs(64), 256);
});
