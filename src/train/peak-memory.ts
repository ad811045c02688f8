// The peak memory of this process during one trial: the kernel's high-water mark of its resident set (VmHWM in
// /proc/self/status on Linux), reset when the trial begins (writing 5 to /proc/self/clear_refs), so that a warm
// worker's next trial is measured on its own. Elsewhere the caller samples the resident set itself.
import { readFileSync, writeFileSync } from 'node:fs';

/** Start measuring a new peak (Linux; elsewhere nothing happens). */
export function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux, or not allowed: the high-water mark then spans the process's life
  }
}

/** The resident set's high-water mark since the last reset, in bytes; undefined where the kernel does not say. */
export function peakResident(): number | undefined {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
