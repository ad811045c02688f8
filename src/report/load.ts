// Reading DIR/NAME/ into Results: the only part of the report that reads files.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Experiment } from '../config/schema.js';
import type { MetricRow, RunInfo, Summary, Trial, Weight } from '../types.js';
import type { Results, TrialResult } from './results.js';

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
  return { name, experiment, experimentYaml, run, trials };
}

/** One trial directory; null when it has no config.json (not a trial). */
async function readTrial(dir: string): Promise<TrialResult | null> {
  const trial = await readJsonIfExists<Trial>(path.join(dir, 'config.json'));
  if (trial === null) return null;
  const summary = await readJsonIfExists<Summary>(path.join(dir, 'summary.json'));
  if (summary === null) return { trial, summary, metrics: [], samples: [], embedding: null };
  const metricsText = await readTextIfExists(path.join(dir, 'metrics.jsonl'));
  const metrics = metricsText === null ? [] : parseJsonLines<MetricRow>(metricsText, path.join(dir, 'metrics.jsonl'));
  const samplesText = await readTextIfExists(path.join(dir, 'samples.txt'));
  const samples = samplesText === null ? [] : samplesText.split('\n').filter((s) => s.length > 0);
  let embedding: Weight | null = null;
  if (trial.config.model.embed_dim === 2) {
    const weights = await readJsonIfExists<Weight[]>(path.join(dir, 'weights.json'));
    embedding = weights?.find((w) => w.name === 'C' && w.shape.length === 2 && w.shape[1] === 2) ?? null;
  }
  return { trial, summary, metrics, samples, embedding };
}

/** Parse JSON Lines; an error names file:line:col and what was found. */
function parseJsonLines<T>(text: string, file: string): T[] {
  const rows: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch (e) {
      throw new Error(`${file}:${i + 1}:1: expected one JSON object a line, found ${JSON.stringify(line.slice(0, 60))} (${(e as Error).message})`);
    }
  }
  return rows;
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
