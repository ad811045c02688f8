// Helpers for the run tests: fixture plans, a temp output directory, and the driver process that runs them.
import { rmSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execaNode } from 'execa';
import { expand } from '../../src/config/expand.js';
import { parseSource } from '../../src/config/load.js';
import type { Experiment } from '../../src/config/schema.js';
import { validate } from '../../src/config/validate.js';
import type { Plan, Summary, Trial, TrialConfig } from '../../src/types.js';
import type { Behaviour } from '../fixtures/workers/behave.js';
import type { DriverSpec } from '../fixtures/workers/driver.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The compiled fixture worker: it behaves as its trial's `behave` parameter says. */
export const BEHAVE_WORKER = path.resolve(here, '../fixtures/workers/behave.js');
/** The compiled fixture driver: runPlan in a process of its own, from a spec file. */
export const DRIVER = path.resolve(here, '../fixtures/workers/driver.js');

/** The small settings of the run tests, resolved by the config stages themselves (every default filled in). */
const SMALL = validate(
  parseSource(
    [
      'name: small',
      'data: {slice: {first: 50}}',
      'model: {embed_dim: 2, hidden: 16}',
      'train: {steps: 20}',
      'eval: {every: 10}',
      'sample: 3',
    ].join('\n'),
    'small.yaml',
  ),
).experiment;

/** A complete experiment (every default filled in), as the config stages resolve it. */
export function experiment(name: string, overrides: Partial<Experiment> = {}): Experiment {
  return { ...structuredClone(SMALL), name, ...overrides };
}

/** A trial's configuration drawn from an experiment by expand itself, with the given seed. */
export function trialConfig(e: Experiment, seed: number): TrialConfig {
  return { ...expand({ ...e, grid: {}, repeat: 1 }, new Map())[0]!.config, seed };
}

/** A fixture trial: its behaviour is a parameter, so it shows in the table and in the id. */
export interface FixtureTrial {
  behave: Behaviour;
  ms?: number; // sleep: how long; meet: how long to wait for the others
  id?: string; // default: t<index>-<behave>
  extra?: Record<string, unknown>; // more parameters (meet: dir, others)
}

/** A plan of fixture trials for the behave worker. */
export function fixturePlan(name: string, trials: FixtureTrial[]): Plan {
  const e = experiment(name, { grid: { behave: [...new Set(trials.map((t) => t.behave))] } });
  return {
    file: path.join(os.tmpdir(), `${name}.yaml`),
    experiment: e,
    trials: trials.map(
      (t, index): Trial => ({
        id: t.id ?? `t${index}-${t.behave}`,
        index,
        params: { behave: t.behave, ...(t.ms === undefined ? {} : { ms: t.ms }), ...t.extra },
        repeat: 0,
        config: trialConfig(e, 1000 + index),
      }),
    ),
  };
}

const made: string[] = [];
process.on('exit', () => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A fresh output directory, removed when the test process exits. */
export async function tempOut(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-run-'));
  made.push(dir);
  return dir;
}

/** Options for a fixture run into `out`. */
export function fixtureOptions(out: string, overrides: Partial<DriverSpec['options']> = {}): DriverSpec['options'] {
  return { out, jobs: 2, backend: 'cpu', force: false, quiet: false, json: false, argv: ['test'], workerPath: BEHAVE_WORKER, ...overrides };
}

/** Start the driver on a plan (a real process: its own stdout, stderr and signals); await it for the result. */
export function startDriver(plan: Plan, options: DriverSpec['options'], report: DriverSpec['report'] = 'fake') {
  const spec = path.join(options.out, `.spec-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(spec, JSON.stringify({ plan, options, report } satisfies DriverSpec));
  return execaNode(DRIVER, [spec], { reject: false, nodeOptions: [], env: { NO_COLOR: '1' } });
}

/** Run the driver to its end. */
export async function runDriver(plan: Plan, options: DriverSpec['options'], report: DriverSpec['report'] = 'fake') {
  return await startDriver(plan, options, report);
}

/** A trial's summary.json. */
export async function summaryOf(out: string, name: string, id: string): Promise<Summary> {
  return JSON.parse(await readFile(path.join(out, name, 'trials', id, 'summary.json'), 'utf8')) as Summary;
}

/** The files of a trial's directory, sorted (none when it does not exist). */
export async function filesOf(out: string, name: string, id: string): Promise<string[]> {
  return (await readdir(path.join(out, name, 'trials', id)).catch(() => [] as string[])).sort();
}

/** Every file under a directory whose name looks like a temp file. */
export async function tempFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => /\.tmp$/.test(e));
}

/** Every file under a directory with its size, modification time and content, to tell that nothing was touched. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = (await readdir(dir, { recursive: true })).filter((e) => !path.basename(e).startsWith('.spec-')).sort();
  const files: Record<string, string> = {};
  for (const e of entries) {
    const p = path.join(dir, e);
    const s = await stat(p);
    files[e] = s.isDirectory() ? 'dir' : `${s.size} ${s.mtimeMs} ${createHash('sha256').update(await readFile(p)).digest('hex')}`;
  }
  return files;
}

/** Wait until the child's stderr matches (or fail after 30 s); returns what it wrote so far. */
export async function stderrUntil(child: { stderr: NodeJS.ReadableStream | null }, pattern: RegExp): Promise<string> {
  let text = '';
  child.stderr!.on('data', (chunk) => (text += chunk));
  for (const t0 = Date.now(); !pattern.test(text); await new Promise((r) => setTimeout(r, 20))) {
    assert.ok(Date.now() - t0 < 30_000, `stderr never matched ${pattern}:\n${text}`);
  }
  return text;
}
