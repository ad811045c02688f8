// The folders of DIR/NAME, made one level at a time, so that the folder that could not be made is the one named, with
// the true cause (Node's recursive mkdir turns some causes into ENOENT, and on /proc it retries for ever), and so that
// a run that writes nothing can remove exactly the folders it made. DIR on one of the kernel's own file systems (/proc,
// /sys …) is refused before anything is made: nothing there can hold a file.
import type { Stats } from 'node:fs';
import { mkdir, rmdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import * as msg from '../messages.js';
import { StoreFault, faultOf } from './fs-errors.js';

/** The kernel's file systems that hold no files (statfs f_type, linux/magic.h) and what they are. */
const KERNEL_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x65735543, 'fusectl'],
]);

/** The folder exists now (`created`: the folders this call made, outermost first), or why it cannot be made. */
export type Folder = { kind: 'made'; created: string[] } | { kind: 'refused'; message: string; fault?: StoreFault };

/**
 * Make `dir` and the folders above it that are missing. `out` is DIR as the user gave it (--out), for the message
 * when it lies on a kernel file system. A failure is a value: the fault (path, operation, cause) or the refusal.
 */
export async function makeFolder(dir: string, out: string): Promise<Folder> {
  const missing: string[] = [];
  let existing = dir;
  for (let info: Stats | undefined; info === undefined; ) {
    try {
      info = await stat(existing);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = path.dirname(existing);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === existing) return refused(faultOf(error, 'create the folder', dir));
      missing.unshift(existing);
      existing = parent;
      continue;
    }
    if (!info.isDirectory()) return refused(new StoreFault('create the folder', dir, 'ENOTDIR', msg.notAFolder(existing, kindOf(info))));
  }
  const kernel = await kernelFileSystem(existing);
  if (kernel !== undefined) return { kind: 'refused', message: msg.kernelFileSystem(out, kernel.mount, kernel.kind) };
  const created: string[] = [];
  for (const folder of missing) {
    try {
      await mkdir(folder);
      created.push(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(folder).catch(() => undefined))?.isDirectory()) continue; // made meanwhile
      await removeFolders(created);
      return refused(faultOf(error, 'create the folder', folder));
    }
  }
  return { kind: 'made', created };
}

/** Make one folder whose parent exists (a trial's, trials/): an errno error becomes a StoreFault. */
export async function makeSubfolder(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw faultOf(error, 'create the folder', dir);
  }
}

/** Remove folders that makeFolder made, innermost first, each only while it is empty; never throws. */
export async function removeFolders(created: readonly string[]): Promise<void> {
  for (const folder of [...created].reverse()) await rmdir(folder).catch(() => {});
}

/** The space left on the disk that holds `dir` for this user (statfs: available blocks × block size); undefined when it cannot be asked. */
export async function freeBytes(dir: string): Promise<number | undefined> {
  const info = await statfs(dir).catch(() => undefined);
  return info === undefined ? undefined : info.bavail * info.bsize;
}

/** The kernel file system `dir` lies on (its kind and mount point), or undefined for storage. */
async function kernelFileSystem(dir: string): Promise<{ kind: string; mount: string } | undefined> {
  const info = await statfs(dir).catch(() => undefined);
  const kind = info === undefined ? undefined : KERNEL_FILE_SYSTEMS.get(info.type >>> 0);
  if (kind === undefined) return undefined;
  let mount = path.resolve(dir);
  const device = async (d: string) => (await stat(d).catch(() => undefined))?.dev;
  const own = await device(mount);
  for (let parent = path.dirname(mount); parent !== mount && (await device(parent)) === own; parent = path.dirname(parent)) mount = parent;
  return { kind, mount };
}

/** What a path that is not a folder is, in words. */
function kindOf(info: Stats): Parameters<typeof msg.notAFolder>[1] {
  if (info.isFile()) return 'a file';
  return info.isFIFO() ? 'a pipe' : info.isSocket() ? 'a socket' : 'a device';
}

function refused(error: unknown): Folder {
  if (!(error instanceof StoreFault)) throw error;
  return { kind: 'refused', message: error.message, fault: error };
}
