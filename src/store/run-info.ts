// run.json: when and how an experiment ran (the report's header).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { RunInfo } from '../types.js';

/** The commit checked out where the experiment file lives, or null outside a git repository. */
export async function gitCommit(dir: string): Promise<string | null> {
  const result = await execa('git', ['rev-parse', 'HEAD'], { cwd: dir, reject: false, stdin: 'ignore' });
  return result.exitCode === 0 && /^[0-9a-f]{40}$/.test(result.stdout.trim()) ? result.stdout.trim() : null;
}

/** run-exp's version, from its package.json (three levels above dist/src/store/). */
export async function runExpVersion(): Promise<string> {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../package.json');
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Everything of run.json but the end, known when the run starts. */
export async function startRunInfo(name: string, file: string, argv: string[], started: Date): Promise<Omit<RunInfo, 'finished_at' | 'seconds'>> {
  const [git_commit, run_exp_version] = await Promise.all([gitCommit(path.dirname(path.resolve(file))), runExpVersion()]);
  return { name, file, started_at: started.toISOString(), git_commit, run_exp_version, node_version: process.version, argv };
}

/** run.json at the end of the run. */
export function finishRunInfo(start: Omit<RunInfo, 'finished_at' | 'seconds'>, finished: Date): RunInfo {
  return { ...start, finished_at: finished.toISOString(), seconds: (finished.getTime() - Date.parse(start.started_at)) / 1000 };
}
