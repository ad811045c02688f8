// One run per experiment directory at a time: DIR/NAME/run.lock names its holder (pid, host, since when, command).
//
// Taking it: the record is written whole to a temp file, then hard-linked to run.lock, which fails when run.lock
// exists (link(2): atomic like O_EXCL, and the way open(2) recommends where O_EXCL may not hold, as on NFS; the lock
// is never seen half-written). A lock whose holder is gone (its pid is not running on this host, or is now another
// process, or the host rebooted since) is taken over; one taken on another host is refused, as DVC does with its
// hard-link lock, since this machine cannot see that pid: the user removes it once they know the run is over.
// An executor that outlives the process (a Slurm job) records itself as `owner`, and LockOptions.judgeOwner then
// says whether the lock is still held.
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatShellArg } from '../format.js';
import { faultOf, guarded } from './fs-errors.js';
import { pidAlive, settleTemp, tempFor } from './temp-files.js';

/** What run.lock holds (JSON). */
export interface LockRecord {
  pid: number;
  host: string; // os.hostname()
  started_at: string; // ISO time the lock was taken
  argv: string[]; // the holder's command line (run-exp's arguments)
  cwd: string;
  token: string; // random: tells this lock from any later one, whatever its pid
  boot_id?: string; // Linux: /proc/sys/kernel/random/boot_id; a lock from an earlier boot is gone
  proc_start?: string; // Linux: the holder's start time (field 22 of /proc/PID/stat); a reused pid is not the holder
  owner?: LockOwner;
}

/** Something that holds the lock besides the process, e.g. a Slurm job array: {kind: 'slurm', id: '4242'}. */
export interface LockOwner {
  kind: string;
  id: string;
  [detail: string]: unknown;
}

/** Whether a lock's holder is still there, and why it looks so. */
export interface HolderState {
  state: 'alive' | 'gone' | 'unknown'; // unknown: cannot be checked from here (another host, an unreadable lock)
  why: string;
}

/** How to take the lock. */
export interface LockOptions {
  argv: string[];
  owner?: LockOwner;
  /** Judges a lock that names an owner (alive while its job is queued or running); undefined: judge by pid and host. */
  judgeOwner?: (owner: LockOwner, record: LockRecord) => Promise<HolderState | undefined>;
}

/** A lock this process holds. */
export interface HeldLock {
  file: string;
  record: LockRecord;
  /** Record (or clear) an owner that outlives this process, e.g. a submitted job. */
  setOwner(owner: LockOwner | undefined): Promise<void>;
  /** Remove run.lock if it is still ours; also done on process exit. */
  release(): Promise<void>;
}

/** The lock was taken (`tookOver`: from a holder that was gone), or refused with what holds it. */
export type LockResult =
  | { kind: 'acquired'; lock: HeldLock; tookOver?: { record: LockRecord; why: string } }
  | { kind: 'refused'; file: string; record: LockRecord | null; holder: HolderState };

/** DIR/NAME/run.lock */
export function lockFile(experimentDir: string): string {
  return path.join(experimentDir, 'run.lock');
}

/**
 * Take the lock at `file`, or say who holds it. Nothing is written when it is refused. A failure of the disk (a
 * read-only or full file system) throws a StoreFault naming run.lock.
 */
export async function acquireLock(file: string, options: LockOptions): Promise<LockResult> {
  const record = newRecord(options);
  const temp = tempFor(file);
  try {
    await guarded('write', file, () => writeFile(temp, JSON.stringify(record, null, 2) + '\n'));
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(temp, file);
        return { kind: 'acquired', lock: holdLock(file, record) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw faultOf(error, 'lock', file);
      }
      const found = await readLock(file);
      if (found === undefined) continue; // released in between: try again
      if (found.record === null) return { kind: 'refused', file, record: null, holder: { state: 'unknown', why: found.problem } };
      const holder = await judgeLock(found.record, options.judgeOwner);
      if (holder.state !== 'gone') return { kind: 'refused', file, record: found.record, holder };
      if (await replaceGone(file, found.record, temp)) return { kind: 'acquired', lock: holdLock(file, record), tookOver: { record: found.record, why: holder.why } };
    }
    return { kind: 'refused', file, record: null, holder: { state: 'unknown', why: 'it changed hands five times while this run tried to take it' } };
  } finally {
    await rm(temp, { force: true });
    settleTemp(temp);
  }
}

/** The lock at `file`: undefined when there is none, record null (and the problem) when it cannot be read as one. */
export async function readLock(file: string): Promise<{ record: LockRecord; problem?: undefined } | { record: null; problem: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseRecord(text);
}

/** Whether the holder of a lock is still there: its owner (when a judge knows it), else its pid on its host. */
export async function judgeLock(record: LockRecord, judgeOwner?: LockOptions['judgeOwner']): Promise<HolderState> {
  if (record.owner !== undefined && judgeOwner !== undefined) {
    const judged = await judgeOwner(record.owner, record);
    if (judged !== undefined) return judged;
  }
  if (record.host !== os.hostname()) {
    return { state: 'unknown', why: `it was taken on host ${record.host}, and this machine (${os.hostname()}) cannot see whether pid ${record.pid} runs there` };
  }
  const boot = bootId();
  if (record.boot_id !== undefined && boot !== undefined && record.boot_id !== boot) return { state: 'gone', why: 'it was taken before this machine last started' };
  if (!pidAlive(record.pid)) return { state: 'gone', why: `pid ${record.pid} is not running` };
  const start = procStart(record.pid);
  if (record.proc_start !== undefined && start !== undefined && start !== record.proc_start) return { state: 'gone', why: `pid ${record.pid} is now another process` };
  if (record.pid === process.pid && record.proc_start === undefined) return { state: 'gone', why: `pid ${record.pid} is this process, which did not take it` };
  return { state: 'alive', why: `pid ${record.pid} is running` };
}

/** The holder in words: `pid 4242 on host gpu1, since 2026-12-02 15:40:01 UTC (3 min ago): run-exp x.yaml --jobs 2 (in /home/u)`. */
export function describeHolder(record: LockRecord, now = new Date()): string {
  const since = new Date(record.started_at);
  const when = Number.isNaN(since.getTime()) ? record.started_at : `${since.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} (${ago(now.getTime() - since.getTime())})`;
  const owner = record.owner === undefined ? '' : `, for ${record.owner.kind} ${record.owner.id}`;
  return `pid ${record.pid} on host ${record.host}${owner}, since ${when}: run-exp ${record.argv.map(formatShellArg).join(' ')} (in ${record.cwd})`;
}

/** Why a run may not use `dir`, and what the user can do; nothing was written. */
export function refusedMessage(dir: string, refused: Extract<LockResult, { kind: 'refused' }>): string {
  const { file, record, holder: state } = refused;
  const tail = 'Nothing was run or written.';
  if (record === null) return `${dir} is locked by ${file}, which cannot be read: ${state.why}. If no run is using ${dir}, remove ${file} and run again. ${tail}`;
  const holder = describeHolder(record);
  if (state.state === 'alive') return `${dir} is in use by another run: ${holder}. One run per experiment folder at a time: wait for it to end, or stop it (kill ${record.pid}). ${tail}`;
  return `${dir} is locked by a run that this machine cannot check: ${holder}; ${state.why}. If that run is over (it was killed, or its machine went down), remove ${file} and run again. ${tail}`;
}

/** Said on stderr when a gone holder's lock is taken over. */
export function tookOverMessage(file: string, tookOver: { record: LockRecord; why: string }): string {
  return `taking over ${file} from a run that is gone (${tookOver.why}): ${describeHolder(tookOver.record)}`;
}

function newRecord(options: LockOptions): LockRecord {
  const boot = bootId();
  const start = procStart(process.pid);
  return {
    pid: process.pid,
    host: os.hostname(),
    started_at: new Date().toISOString(),
    argv: options.argv,
    cwd: process.cwd(),
    token: randomBytes(8).toString('hex'),
    ...(boot === undefined ? {} : { boot_id: boot }),
    ...(start === undefined ? {} : { proc_start: start }),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
  };
}

function holdLock(file: string, record: LockRecord): HeldLock {
  let released = false;
  const ours = (text: string) => parseRecord(text).record?.token === record.token;
  const onExit = () => {
    try {
      if (ours(readFileSync(file, 'utf8'))) unlinkSync(file);
    } catch {
      // gone already, or unreadable: nothing of ours to remove
    }
  };
  process.on('exit', onExit); // process.exit (a second Ctrl-C), an uncaught exception
  return {
    file,
    record,
    async setOwner(owner) {
      const found = await readLock(file);
      if (found?.record?.token !== record.token) throw new Error(`${file}: no longer held by this run`);
      if (owner === undefined) delete record.owner;
      else record.owner = owner;
      const temp = tempFor(file);
      try {
        await guarded('write', file, () => writeFile(temp, JSON.stringify(record, null, 2) + '\n'));
        await guarded('rename into', file, () => rename(temp, file));
      } finally {
        await rm(temp, { force: true });
        settleTemp(temp);
      }
    },
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      const found = await readLock(file).catch(() => undefined);
      // A disk that failed meanwhile (read-only now) may keep it: the next run finds its holder gone and takes it over.
      if (found?.record?.token === record.token) await rm(file, { force: true }).catch(() => {});
    },
  };
}

/**
 * Replace the lock of a gone holder by ours (a rename over it: run.lock never disappears meanwhile). Two runs may find
 * the same gone lock at once: only the one that creates its claim file (O_EXCL, named by the lock's token) replaces it.
 */
async function replaceGone(file: string, gone: LockRecord, temp: string): Promise<boolean> {
  const claim = path.join(path.dirname(file), `.${path.basename(file)}.${gone.token}.claim`);
  try {
    await (await open(claim, 'wx')).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw faultOf(error, 'lock', file);
    // Another run is replacing it (a few milliseconds), or died doing so: a claim older than 10 s is left over.
    const age = await stat(claim).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > 10_000) await rm(claim, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 20));
    return false;
  }
  try {
    const now = await readLock(file);
    if (now?.record?.token !== gone.token) return false; // replaced by another run before our claim
    await guarded('rename into', file, () => rename(temp, file));
    return true;
  } finally {
    await rm(claim, { force: true });
  }
}

function parseRecord(text: string): { record: LockRecord; problem?: undefined } | { record: null; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { record: null, problem: text.trim() === '' ? 'it is empty' : `it is not JSON (it begins ${JSON.stringify(text.slice(0, 40))})` };
  }
  const r = value as Partial<LockRecord> | null;
  const valid =
    r !== null &&
    typeof r === 'object' &&
    Number.isInteger(r.pid) &&
    (r.pid as number) > 0 &&
    typeof r.host === 'string' &&
    typeof r.started_at === 'string' &&
    Array.isArray(r.argv) &&
    r.argv.every((a) => typeof a === 'string') &&
    typeof r.cwd === 'string' &&
    typeof r.token === 'string';
  return valid ? { record: r as LockRecord } : { record: null, problem: 'it does not name its holder (pid, host, started_at, argv, cwd, token)' };
}

/** This boot of this machine (Linux), else undefined. */
function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** When a process started, in clock ticks after boot (Linux: field 22 of /proc/PID/stat), else undefined. */
function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]; // fields from the 3rd (state) on: the 22nd is [19]
  } catch {
    return undefined;
  }
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}
