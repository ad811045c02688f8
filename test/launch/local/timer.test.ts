// Timers beyond Node's 24.8-day limit fire when they should, not at once.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { MAX_TIMER_MS, setLongTimeout } from '../../../src/launch/local/timer.js';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

for (const ms of [1500, MAX_TIMER_MS, MAX_TIMER_MS + 1, 3_000_000_000, 2.5 * MAX_TIMER_MS, 1e15]) {
  test(`a timer of ${ms.toLocaleString('en-US')} ms fires after exactly that long, not before`, () => {
    let fired = 0;
    setLongTimeout(() => (fired += 1), ms);
    let left = ms - 1;
    // Advance in pieces no longer than one Node timer, as the clock would.
    while (left > 0) {
      const piece = Math.min(left, MAX_TIMER_MS);
      mock.timers.tick(piece);
      left -= piece;
    }
    assert.equal(fired, 0, 'not a millisecond early');
    mock.timers.tick(1);
    assert.equal(fired, 1);
    mock.timers.tick(MAX_TIMER_MS);
    assert.equal(fired, 1, 'once');
  });
}

test('a cleared timer never fires, also after it re-armed', () => {
  let fired = false;
  const timer = setLongTimeout(() => (fired = true), 3 * MAX_TIMER_MS);
  mock.timers.tick(MAX_TIMER_MS);
  mock.timers.tick(10);
  timer.clear();
  for (let i = 0; i < 4; i++) mock.timers.tick(MAX_TIMER_MS);
  assert.equal(fired, false);
});
