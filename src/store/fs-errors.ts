// Failures of the disk under DIR: which operation on which path failed, and why, in words. Every write of the store
// (a folder made, a file written, appended to, renamed into place, removed, the lock taken) goes through `guarded`, so that an
// errno error leaves the store as a StoreFault, whose message is one clear line (messages.ts: storeFault); the run
// turns the first one into a stop (src/run.ts), never a stack trace.
import * as msg from '../messages.js';

/** What the store was doing when the disk said no. */
export type FsOperation = 'create the folder' | 'write' | 'append to' | 'rename into' | 'lock' | 'remove';

/** Errno codes in words: what a user can act on (the code itself is said too, for a search). */
const CAUSES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'it already exists',
  EIO: 'input/output error (the disk or the network file system failed)',
  EFBIG: "file too large (past a file size limit: ulimit -f, or the file system's)",
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this machine',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EBUSY: 'device or resource busy',
  ESTALE: 'stale file handle (the network file system lost the file)',
  EXDEV: 'not on the same file system',
};

/** The cause of an errno code in words (the code itself when it is not one a store meets). */
export function causeOf(code: string): string {
  return CAUSES[code] ?? `system error ${code}`;
}

/** A failed operation of the store on the disk: one clear line (path, operation, cause), and the errno code. */
export class StoreFault extends Error {
  constructor(
    readonly operation: FsOperation,
    readonly path: string,
    readonly code: string,
    detail?: string, // instead of the cause's usual words, e.g. "out is a file, not a folder", "/dev/null is not a folder (a device)"
  ) {
    super(msg.storeFault(operation, path, detail ?? causeOf(code), code));
    this.name = 'StoreFault';
  }

  /** The disk (or the user's quota) is full: the run can say how much space it needed. */
  get full(): boolean {
    return this.code === 'ENOSPC' || this.code === 'EDQUOT';
  }
}

/** An error of the file system as a StoreFault of `operation` on `path`; anything else (a bug) is returned as it is. */
export function faultOf(error: unknown, operation: FsOperation, path: string): unknown {
  if (error instanceof StoreFault) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? new StoreFault(operation, path, code) : error;
}

/** Run one operation of the store on the disk; an errno error becomes a StoreFault naming `operation` and `path`. */
export async function guarded<T>(operation: FsOperation, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw faultOf(error, operation, path);
  }
}
