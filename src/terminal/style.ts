// Pure text formatting for what the user sees: trial labels, numbers, durations, status colours.
import { styleText } from 'node:util';
import type { TrialStatus } from '../config/schema.js';

/** Whether to colour text written to this stream: a terminal that has colours, NO_COLOR unset (Node's hasColors honours NO_COLOR and FORCE_COLOR). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && typeof stream.hasColors === 'function' && stream.hasColors();
}

/** A loss with 4 decimals, or "-" when there is none. */
export function formatLoss(loss: number | null | undefined): string {
  return loss === null || loss === undefined || Number.isNaN(loss) ? '-' : loss.toFixed(4);
}

/** Seconds as "0.8s", "42s", "3m05s", "1h02m". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds); // rounded once, so 719.6 s is 12m00s, not 11m60s
  if (whole < 60) return `${whole}s`;
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A status, coloured when asked: ok green, diverged yellow, stopped cyan, failed red. */
export function formatStatus(status: TrialStatus | 'pending', color: boolean): string {
  if (!color) return status;
  const paint = (format: Parameters<typeof styleText>[0]) => styleText(format, status, { validateStream: false }); // the caller decided
  switch (status) {
    case 'ok':
      return paint('green');
    case 'diverged':
      return paint('yellow');
    case 'stopped':
      return paint('cyan');
    case 'failed':
      return paint('red');
    case 'pending':
      return paint('dim');
    default:
      throw new Error(`status not recognised: ${JSON.stringify(status satisfies never)}`);
  }
}
