// Temp files of whole-file writes: named after the writing process (.NAME.PID.RANDOM.tmp), removed on every exit
// path of that process, and swept after a process that could not remove its own (SIGKILL, a power cut) is gone.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** Temp files are hidden, end in .tmp and name the writing process: .NAME.PID.RANDOM.tmp */
const TEMP = /^\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/;

/** This process's temp files that exist right now (written, not yet renamed or removed). */
const live = new Set<string>();
let exitHandler = false;

/** A fresh temp path next to `file`, registered until `settleTemp` (on process exit it is removed). */
export function tempFor(file: string): string {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  live.add(temp);
  if (!exitHandler) {
    exitHandler = true;
    // process.exit (a second Ctrl-C), an uncaught exception: nothing can be awaited, so remove them synchronously.
    process.on('exit', () => live.forEach((t) => rmSync(t, { force: true })));
  }
  return temp;
}

/** The temp file was renamed into place or removed: forget it. */
export function settleTemp(temp: string): void {
  live.delete(temp);
}

/** The pid a temp file's name gives, or undefined when the name is not a temp file's. */
export function tempOwner(name: string): number | undefined {
  const m = TEMP.exec(name);
  return m === null ? undefined : Number(m[2]);
}

/** True when a process with this pid exists on this machine (another user's counts: it cannot be signalled but exists). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temp files a gone process left in DIR/NAME, its trial directories and, for the report, DIR/.NAME.html.*;
 * returns their paths. A temp file is removed when its pid is not running, or is this process's and not one of its
 * live writes (so: left by an earlier process that had the same pid). A live process's files are never touched.
 */
export async function removeTempFiles(dir: string): Promise<string[]> {
  const removed = await removeTempFilesIn(dir);
  const trials = await readdir(path.join(dir, 'trials'), { withFileTypes: true }).catch(() => []);
  for (const t of trials) if (t.isDirectory()) removed.push(...(await removeTempFilesIn(path.join(dir, 'trials', t.name))));
  removed.push(...(await removeTempFilesIn(path.dirname(dir), (name) => name === `${path.basename(dir)}.html`))); // DIR/.NAME.html.PID.RANDOM.tmp: the report's
  return removed;
}

/** The temp files of gone processes directly in `dir` (of the files `of` names, when given), removed; returns their paths. */
export async function removeTempFilesIn(dir: string, of?: (name: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const pid = entry.isFile() ? tempOwner(entry.name) : undefined;
    if (pid === undefined || (of !== undefined && !of(TEMP.exec(entry.name)![1]!))) continue;
    const p = path.join(dir, entry.name);
    if (pid === process.pid ? live.has(p) : pidAlive(pid)) continue;
    const gone = await rm(p, { force: true }).then(() => true, () => false); // best effort: a later sweep tries again
    if (gone) removed.push(p);
  }
  return removed;
}
