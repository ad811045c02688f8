// A Slurm task's memory as sbatch reads it from the options run-exp writes: executor.mem_gb becomes `--mem=…M`, and
// executor.sbatch_args come after it, so a `--mem` or `--mem-per-cpu` there is the one that counts (sbatch takes the
// last of a repeated option; --mem, --mem-per-cpu and --mem-per-gpu are mutually exclusive, a fatal error).
//
// A value is a whole number with an optional unit, as Slurm's str_to_mbytes reads it: megabytes by default, K, M, G or
// T (any case, binary: 1G = 1024M) as the first character after the digits; `--mem=0` is the whole node.
import type { KeyPath } from './load.js';

/** The memory flags of sbatch, each a kind of limit. */
export type MemoryFlag = 'mem' | 'mem-per-cpu' | 'mem-per-gpu';

/** One sbatch_args item that sets memory: its flag, its value as written, and its megabytes (undefined when sbatch cannot read it). */
export interface SbatchMemoryArg {
  flag: MemoryFlag;
  value: string;
  mb: number | undefined;
}

const MB_PER_UNIT: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

/** The memory an sbatch_args item sets (`--mem=4G`, `--mem 4096`, `--mem-per-cpu=500M`), or undefined for any other item. */
export function sbatchMemoryArg(arg: string): SbatchMemoryArg | undefined {
  const found = /^--(mem|mem-per-cpu|mem-per-gpu)(?:=|\s+|$)(.*)$/.exec(arg.trim());
  if (found === null) return undefined;
  const value = found[2]!.trim();
  const number = /^(\d+)([kmgt].*)?$/i.exec(value);
  const mb = number === null ? undefined : Math.ceil(Number(number[1]) * MB_PER_UNIT[(number[2]?.[0] ?? 'm').toLowerCase()]!); // K rounds up, as Slurm's does
  return { flag: found[1] as MemoryFlag, value, mb };
}

/** Where a task's memory limit comes from, as a user reads it, its key in the file, and its bytes. */
export interface TaskMemoryLimit {
  bytes: number;
  path: KeyPath;
  said: string; // "executor.mem_gb: 4", "--mem-per-cpu=500M (× 2 CPUs)"
}

/**
 * A task's memory limit as the submission sets it: the last --mem or --mem-per-cpu of sbatch_args (times the task's
 * CPUs), else mem_gb; undefined when neither is given (the cluster's default decides), with --mem=0 (the whole node),
 * --mem-per-gpu (per GPU, which run-exp does not plan), or a value sbatch cannot read (the config's checks refuse it).
 */
export function taskMemoryLimit(executor: { mem_gb?: number; cpus_per_task: number; sbatch_args: readonly string[] }): TaskMemoryLimit | undefined {
  const args = executor.sbatch_args.map((arg, i) => ({ arg, i, memory: sbatchMemoryArg(arg) }));
  const last = args.filter((a) => a.memory !== undefined).at(-1);
  if (last === undefined) {
    return executor.mem_gb === undefined ? undefined : { bytes: executor.mem_gb * 2 ** 30, path: ['executor', 'mem_gb'], said: `executor.mem_gb: ${executor.mem_gb}` };
  }
  const { flag, mb } = last.memory!;
  if (mb === undefined || mb === 0 || flag === 'mem-per-gpu') return undefined;
  const cpus = flag === 'mem-per-cpu' ? executor.cpus_per_task : 1;
  const said = `${last.arg.trim()}${cpus > 1 ? ` (× ${cpus} CPUs)` : ''}`;
  return { bytes: mb * cpus * 2 ** 20, path: ['executor', 'sbatch_args', last.i], said };
}
