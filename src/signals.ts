// Ctrl-C and its cousins: SIGINT, SIGTERM and SIGHUP (the terminal closed) all interrupt a run or a report the same
// way. The first aborts `signal` (workers are killed at once, a report being built is dropped, what finished is
// kept); a second exits on the spot. Either way the exit code is 130, and the exit handlers still run (the lock is
// released, temp files are removed, workers are killed).
/** The exit code of an interrupted run or report, whichever of the three signals came (design.md: 130 interrupted). */
export const INTERRUPTED = 130;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Interruption while they are installed: `signal` aborts (its reason is the signal's name) on the first. */
export interface Interrupts {
  signal: AbortSignal;
  /** The signal that came first, if any. */
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

/** The handlers of interruptBeforeStart, while they are installed. */
let beforeStart: ((signal: NodeJS.Signals) => void) | undefined;

/**
 * From the first line of the command until onInterrupt takes over (or releaseBeforeStart): a signal ends the process
 * at once with 130 and says so. Nothing has been written yet (loading, planning, asking Slurm), so nothing is lost;
 * without this the default action would end it silently with 128 + n.
 */
export function interruptBeforeStart(): void {
  if (beforeStart !== undefined) return;
  beforeStart = (signal) => {
    process.stderr.write(`run-exp: interrupted (${signal}) before anything was written\n`);
    process.exit(INTERRUPTED);
  };
  for (const s of SIGNALS) process.on(s, beforeStart);
}

/** Give the signals back their default action (a command that handles none, as a Slurm task: Slurm's SIGTERM ends it). */
export function releaseBeforeStart(): void {
  if (beforeStart === undefined) return;
  for (const s of SIGNALS) process.off(s, beforeStart);
  beforeStart = undefined;
}

/** Install the handlers (until dispose): the default action (die at once, 128 + n, nothing cleaned up) no longer applies. */
export function onInterrupt(): Interrupts {
  releaseBeforeStart();
  const stop = new AbortController();
  let first: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (first !== undefined) {
      process.stderr.write(`\n${signal} again: stopping now\n`);
      process.exit(INTERRUPTED);
    }
    first = signal;
    stop.abort(signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: stop.signal,
    received: () => first,
    dispose() {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
