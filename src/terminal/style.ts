// Colour in the terminal: whether a stream gets it, and the colours of the trial statuses (numbers: src/format.ts).
import { styleText } from 'node:util';
import type { TrialStatus } from '../config/schema.js';

/** Whether to colour text written to this stream: a terminal that has colours, NO_COLOR unset (Node's hasColors honours NO_COLOR and FORCE_COLOR). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && typeof stream.hasColors === 'function' && stream.hasColors();
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
