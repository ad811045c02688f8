// DIR/index.html: every experiment in DIR, rewritten by every run (at its start and its end, interrupted and failed
// runs included) and by `run-exp report`.
//
// 1. the temp files of index writers that are gone are swept, 2. DIR/.index.lock is taken (waiting a little for
// another writer), 3. DIR is read afresh (scan.ts), 4. the page is assembled (page.ts), 5. written whole (a temp file,
// then a rename). Runs of different experiments into one DIR may end together: each rebuilds the page from the disk
// under the lock, so the last writer's page has every experiment as the disk holds it, and no reader ever sees a torn
// file. A writer that cannot get the lock in time (its holder on another host, say) writes without it: still whole.
import path from 'node:path';
import { writeFileAtomic } from '../../store/files.js';
import { acquireLock, type HeldLock } from '../../store/lock.js';
import { removeTempFilesIn } from '../../store/temp-files.js';
import { readLibraries } from '../index.js';
import { renderIndex } from './page.js';
import { scanResults } from './scan.js';

/** How long a writer waits for another to finish before it writes without the lock: building the index takes well under this. */
export const INDEX_LOCK_WAIT_MS = 5000;

/** DIR/index.html */
export function indexFile(out: string): string {
  return path.join(out, 'index.html');
}

/** Rebuild DIR/index.html from what DIR holds now; returns its path. Rejects only when the page cannot be written. */
export async function writeIndex(out: string, options: { waitMs?: number } = {}): Promise<string> {
  const file = indexFile(out);
  await removeTempFilesIn(out, (name) => name === 'index.html');
  const lock = await takeIndexLock(out, options.waitMs ?? INDEX_LOCK_WAIT_MS);
  try {
    const written = new Date().toISOString();
    const html = renderIndex(await scanResults(out), await readLibraries(), written);
    await writeFileAtomic(file, html);
    return file;
  } finally {
    await lock?.release();
  }
}

/** DIR/.index.lock, waiting up to `waitMs` while another writer holds it; undefined when it could not be had in time. */
async function takeIndexLock(out: string, waitMs: number): Promise<HeldLock | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const taken = await acquireLock(path.join(out, '.index.lock'), { argv: ['index'] }).catch(() => undefined);
    if (taken?.kind === 'acquired') return taken.lock;
    if (taken === undefined || Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
