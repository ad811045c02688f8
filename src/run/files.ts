// The files of an experiment on disk, DIR/NAME/…: written whole (temp file in the same directory + rename).
// A trial's own files are written by trial-files.ts.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Summary } from '../types.js';

/** Temp files are hidden, end in .tmp and name the writing process: .NAME.PID.RANDOM.tmp */
const TEMP = /^\..+\.\d+\.[0-9a-f]+\.tmp$/;

/** DIR/NAME: the experiment's directory. */
export function experimentDir(out: string, name: string): string {
  return path.join(out, name);
}

/** DIR/NAME/trials/ID: one trial's directory. */
export function trialDir(out: string, name: string, id: string): string {
  return path.join(out, name, 'trials', id);
}

/** Write a file whole: readers see the old content or the new one, never a part. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The summary of a finished trial, or undefined when it has none (not run, interrupted, or unreadable). */
export async function readSummary(dir: string): Promise<Summary | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')) as Summary;
  } catch {
    return undefined;
  }
}

/** Remove temp files left in DIR/NAME and its trial directories (by an interrupted or killed run); returns their paths. */
export async function removeTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const sweep = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const p = path.join(d, entry.name);
      if (entry.isFile() && TEMP.test(entry.name)) {
        await rm(p, { force: true });
        removed.push(p);
      }
    }
  };
  await sweep(dir);
  const trials = await readdir(path.join(dir, 'trials'), { withFileTypes: true }).catch(() => []);
  for (const t of trials) if (t.isDirectory()) await sweep(path.join(dir, 'trials', t.name));
  return removed;
}
