// A timer for any delay. Node's timers hold at most 2^31 − 1 ms (24.8 days): a longer delay fires after 1 ms instead,
// with a TimeoutOverflowWarning, so a --timeout of a month would fail every trial at once. This one re-arms in pieces.

/** The longest delay one Node timer can hold, in ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Call `callback` once after `ms` milliseconds, however many; `clear()` cancels it. The timer does not keep the process alive on its own. */
export function setLongTimeout(callback: () => void, ms: number): { clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const arm = (left: number) => {
    timer = left > MAX_TIMER_MS ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(callback, left);
    timer.unref();
  };
  arm(ms);
  return { clear: () => clearTimeout(timer) };
}
