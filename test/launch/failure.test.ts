// Failed trials as values: the reason in words, and the summary that records it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFailure, failedSummary, tail, type Failure } from '../../src/launch/failure.js';
import { fixturePlan } from '../e2e/helpers.js';

describe('describeFailure', () => {
  const cases: { failure: Failure; stderr: string; reason: RegExp }[] = [
    { failure: { kind: 'threw', message: 'bad shape', stack: 'Error: bad shape\n  at x' }, stderr: '', reason: /^the trial threw: bad shape$/ },
    { failure: { kind: 'died', exitCode: 3, signal: undefined }, stderr: '', reason: /exited with code 3/ },
    { failure: { kind: 'died', exitCode: undefined, signal: 'SIGKILL' }, stderr: '', reason: /killed by SIGKILL .*out-of-memory killer/ },
    { failure: { kind: 'died', exitCode: undefined, signal: 'SIGSEGV' }, stderr: '', reason: /^the worker was killed by SIGSEGV$/ },
    { failure: { kind: 'died', exitCode: undefined, signal: 'SIGABRT' }, stderr: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', reason: /ran out of memory/ },
    { failure: { kind: 'died', exitCode: 134, signal: undefined }, stderr: 'JavaScript heap out of memory', reason: /ran out of memory/ },
    { failure: { kind: 'timeout', seconds: 90 }, stderr: '', reason: /ran past its limit of 90 s/ },
    { failure: { kind: 'protocol', message: 'a result for trial x' }, stderr: '', reason: /broke the protocol: a result for trial x/ },
  ];
  for (const c of cases) {
    it(`says "${c.reason.source}" for ${JSON.stringify(c.failure).slice(0, 70)}`, () => {
      assert.match(describeFailure(c.failure, c.stderr), c.reason);
    });
  }
});

describe('tail', () => {
  it('keeps the last lines of a log, without its trailing newline', () => {
    assert.equal(tail('a\nb\nc\nd\n', 2), 'c\nd');
    assert.equal(tail('only', 5), 'only');
  });
});

describe('failedSummary', () => {
  it('records status failed, the reason, the stack, the stderr tail, the steps whose metrics were kept and the times', () => {
    const trial = fixturePlan('f', [{ behave: 'throw' }]).trials[0]!;
    const started = new Date('2026-01-01T00:00:00Z');
    const finished = new Date('2026-01-01T00:00:02.5Z');
    const stderr = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const s = failedSummary(trial, { kind: 'threw', message: 'boom', stack: 'Error: boom\n    at train' }, {
      started,
      finished,
      steps: 6, // rows written; the last progress (step 7) may run ahead of them
      progress: { step: 7, steps: 20, loss: 2.9, steps_per_s: 140 },
      backend: 'wasm',
      stderr,
    });
    assert.equal(s.status, 'failed');
    assert.equal(s.reason, 'the trial threw: boom');
    assert.match(s.error!, /^Error: boom\n    at train\n\nstderr \(last 20 lines\):\nline 10\n/);
    assert.match(s.error!, /line 29$/);
    assert.deepEqual([s.steps, s.steps_planned, s.steps_per_s, s.seconds, s.seed], [6, 20, 140, 2.5, trial.config.seed]);
    assert.deepEqual(s.final, { train_loss: null, dev_loss: null, test_loss: null });
    assert.equal(s.started_at, '2026-01-01T00:00:00.000Z');
  });
});
