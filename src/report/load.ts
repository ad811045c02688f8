// Reading DIR/NAME/ into Results: the only part of the report that reads files. metrics.jsonl is read as a stream,
// twice (count the rows, then reduce them to the charts' curves), so its size does not matter (see curves.ts).
import { createReadStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseYaml } from 'yaml';
import type { Experiment } from '../config/schema.js';
import type { MetricRow, RunInfo, Summary, Trial, Weight } from '../types.js';
import { CurveReducer, RowCounter } from './curves.js';
import { pointBudget } from './data.js';
import { isRangeTest, type Results, type TrialResult } from './results.js';

/** Read the stored results of experiment NAME under DIR (experiment.yaml, run.json, trials/*). */
export async function readResults(out: string, name: string): Promise<Omit<Results, 'expectations'>> {
  const dir = path.join(out, name);
  const yamlFile = path.join(dir, 'experiment.yaml');
  const experimentYaml = await readText(yamlFile, `run the experiment first (no stored results for "${name}" in ${out})`);
  const experiment = parseYaml(experimentYaml) as Experiment;
  if (experiment === null || typeof experiment !== 'object' || typeof experiment.name !== 'string') {
    throw new Error(`${yamlFile}:1:1: expected a resolved experiment (a mapping with "name"), found ${JSON.stringify(experiment)}`);
  }
  const run = await readJsonIfExists<RunInfo>(path.join(dir, 'run.json'));
  const ids = await readdir(path.join(dir, 'trials')).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw e;
  });
  const trials: TrialResult[] = [];
  for (const id of ids.sort()) {
    const t = await readTrial(path.join(dir, 'trials', id));
    if (t !== null) trials.push(t);
  }
  trials.sort((a, b) => a.trial.index - b.trial.index);
  const budget = pointBudget(trials.length);
  for (const t of trials) {
    if (t.summary !== null) t.curves = await readCurves(path.join(dir, 'trials', t.trial.id, 'metrics.jsonl'), budget, isRangeTest(t.trial));
  }
  return { name, experiment, experimentYaml, run, trials };
}

/** One trial directory (its curves are read later); null when it has no config.json (not a trial). */
async function readTrial(dir: string): Promise<TrialResult | null> {
  const trial = await readJsonIfExists<Trial>(path.join(dir, 'config.json'));
  if (trial === null) return null;
  const summary = await readJsonIfExists<Summary>(path.join(dir, 'summary.json'));
  if (summary === null) return { trial, summary, curves: null, samples: [], embedding: null };
  const samplesText = await readTextIfExists(path.join(dir, 'samples.txt'));
  const samples = samplesText === null ? [] : samplesText.split('\n').filter((s) => s.length > 0);
  let embedding: Weight | null = null;
  if (trial.config.model.embed_dim === 2) {
    const weights = await readJsonIfExists<Weight[]>(path.join(dir, 'weights.json'));
    embedding = weights?.find((w) => w.name === 'C' && w.shape.length === 2 && w.shape[1] === 2) ?? null;
  }
  return { trial, summary, curves: null, samples, embedding };
}

/** A finished trial's curves from its metrics.jsonl (none when the file is missing): a pass to count, a pass to reduce. */
async function readCurves(file: string, budget: number, rangeTest: boolean): Promise<TrialResult['curves']> {
  const counter = new RowCounter();
  if (!(await forEachRow(file, (row) => counter.push(row)))) return null;
  const reducer = new CurveReducer(counter.counts, budget, rangeTest);
  await forEachRow(file, (row) => reducer.push(row));
  return reducer.curves();
}

/** Call `f` on each row of a JSON Lines file, streamed; false when the file does not exist. An error names file:line:col. */
async function forEachRow(file: string, f: (row: MetricRow) => void): Promise<boolean> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = await new Promise<boolean>((resolve, reject) => {
    stream.once('open', () => resolve(true));
    stream.once('error', (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? resolve(false) : reject(e)));
  });
  if (!opened) return false;
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    let row: MetricRow;
    try {
      row = JSON.parse(text) as MetricRow;
    } catch (e) {
      stream.destroy();
      throw new Error(`${file}:${line}:1: expected one JSON object a line, found ${JSON.stringify(text.slice(0, 60))} (${(e as Error).message})`);
    }
    try {
      f(row);
    } catch (e) {
      stream.destroy();
      throw new Error(`${file}:${line}:1: ${(e as Error).message}`);
    }
  }
  return true;
}

async function readText(file: string, hint: string): Promise<string> {
  const text = await readTextIfExists(file);
  if (text === null) throw new Error(`${file}: not found; ${hint}`);
  return text;
}

async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function readJsonIfExists<T>(file: string): Promise<T | null> {
  const text = await readTextIfExists(file);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${file}:1:1: expected JSON, found ${JSON.stringify(text.slice(0, 60))} (${(e as Error).message})`);
  }
}
