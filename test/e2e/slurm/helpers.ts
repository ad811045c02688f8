// Helpers for the Slurm tests: a small experiment file, the real command in a child process, trial files, squeue.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../../paths.js';
import type { Summary } from '../../../src/types.js';

/** The installed command, as every Slurm task runs it too. */
export const BIN = path.join(ROOT, 'bin', 'run-exp.js');

/** A fresh folder for an experiment file and its results; removed with `cleanup`. */
export async function workspace(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-slurm-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A tiny model (thousands of steps a second), and the lecture's for trials that must last some seconds. */
export const TINY = '{embed_dim: 2, hidden: 16}';
export const LECTURE = '{embed_dim: 10, hidden: 200}'; // about 700 steps a second here with two at once

/** A grid of four trials, `steps` SGD steps each (a second or two with the tiny model); returns the file's path. */
export async function gridFile(dir: string, name: string, steps = 400, extra: string[] = [], model = TINY): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  const lines = [
    `name: ${name}`,
    'data: {slice: {first: 200}}',
    `model: ${model}`,
    `train: {steps: ${steps}}`,
    `eval: {every: ${Math.max(1, Math.floor(steps / 2))}}`,
    'sample: 3',
    'grid:',
    '  train.lr: [0.05, 0.1]',
    '  train.batch_size: [16, 32]',
    ...extra,
  ];
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

/** Start `run-exp ARGS…` in the workspace (NO_COLOR, no terminal); await it for exit code and output. Not execaNode: it puts node's folder (here /usr/bin, where sbatch is) first on PATH. */
export function startRunExp(dir: string, args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1', ...env } });
}

/** The trial ids under DIR/NAME/trials, sorted. */
export async function trialIds(out: string, name: string): Promise<string[]> {
  return (await readdir(path.join(out, name, 'trials')).catch(() => [] as string[])).sort();
}

/** A trial's summary.json, or undefined. */
export async function summaryOf(out: string, name: string, id: string): Promise<Summary | undefined> {
  return readFile(path.join(out, name, 'trials', id, 'summary.json'), 'utf8').then((t) => JSON.parse(t) as Summary, () => undefined);
}

/** A trial's file as bytes. */
export function trialFile(out: string, name: string, id: string, file: string): Promise<Buffer> {
  return readFile(path.join(out, name, 'trials', id, file));
}

/** The job id of the experiment's latest array (slurm/job.json). */
export async function jobIdOf(out: string, name: string): Promise<string> {
  return (JSON.parse(await readFile(path.join(out, name, 'slurm', 'job.json'), 'utf8')) as { job_id: string }).job_id;
}

/** Tasks of a job that squeue lists (pending, running, completing). */
export async function queued(jobId: string): Promise<string[]> {
  const r = await execa('squeue', ['-h', '-r', '-j', jobId, '-o', '%i %T'], { reject: false });
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

/** Wait until stderr (collected from a running child) matches, or fail after `ms`. */
export async function waitForOutput(child: ReturnType<typeof startRunExp>, pattern: RegExp, ms: number): Promise<string> {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  for (const t0 = Date.now(); !pattern.test(text); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() - t0 > ms) throw new Error(`gave up after ${ms} ms waiting for ${pattern} in:\n${text}`);
    if (child.exitCode !== null) throw new Error(`run-exp exited (${child.exitCode}) before ${pattern}:\n${text}`);
  }
  return text;
}
