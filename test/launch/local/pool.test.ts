// The pool's flow control, with a real worker process (the fixture, speaking the real protocol) and a slow writer in
// the parent: a worker never has more than CHUNKS_IN_FLIGHT chunks' rows unwritten, however fast it trains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHUNKS_IN_FLIGHT } from '../../../src/launch/in-flight.js';
import { runPool, type Outcome } from '../../../src/launch/local/pool.js';
import { BEHAVE_WORKER, fixturePlan } from '../../e2e/helpers.js';

test('a worker that trains faster than the parent writes waits: at most CHUNKS_IN_FLIGHT chunks unwritten, every row written in order', async () => {
  const plan = fixturePlan('flow', [{ behave: 'chunks', ms: 0 }]); // one step a chunk, sent as fast as the worker may
  const steps = plan.trials[0]!.config.train.steps;
  let queue = Promise.resolve(); // the parent's writer: one write at a time, 30 ms each
  let unwritten = 0;
  let most = 0;
  const written: number[] = [];
  let outcome: Outcome | undefined;
  await runPool(
    plan.trials,
    { jobs: 1, workerPath: BEHAVE_WORKER, execArgv: [], backend: 'cpu', signal: new AbortController().signal, checkpointEvery: 'never' },
    {
      start: async () => ({}),
      started: () => {},
      progress: () => {},
      metrics: (_trial, rows) => {
        most = Math.max(most, (unwritten += 1));
        queue = queue.then(async () => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          written.push(...rows.filter((r) => !('split' in r)).map((r) => r.step));
          unwritten -= 1;
        });
        return queue;
      },
      checkpoint: () => {},
      end: async (ended) => {
        await queue; // as the recorder's end waits for its writer
        outcome = ended.outcome;
      },
      interrupted: () => {},
    },
  );
  assert.equal(outcome?.kind, 'output', JSON.stringify(outcome));
  assert.deepEqual(written, Array.from({ length: steps }, (_, i) => i));
  assert.ok(most <= CHUNKS_IN_FLIGHT, `${most} chunks were unwritten at once`);
});
