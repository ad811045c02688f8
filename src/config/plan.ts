// The config pipeline in one call: load → overrides → validate → resolve → expand.
// Nothing here writes to disk; every problem of the file and of the command line comes back at once.
import { ConfigError, type Diagnostic } from './diagnostics.js';
import { diagnosticAt, readSource, type KeyPath } from './load.js';
import { applyOverrides } from './overrides.js';
import { blamePath, validate } from './validate.js';
import { resolve, shownPath, type WordFile } from './resolve.js';
import { expand } from './expand.js';
import type { Plan, Trial } from './trial.js';
import * as msg from './messages.js';
import type { Executor } from './schema.js';

/** Options of the command line that override the file (resolved with the rest of the configuration). */
export interface CommandLine {
  executor?: Executor['kind']; // --executor: wins over executor.kind
  jobs?: number; // --jobs, when given: on Slurm, the array's parallelism
  timeoutSeconds?: number; // --timeout: on Slurm, the tasks' time limit in whole minutes
}

/** A plan, the word files it reads (for the estimate), and where a problem of one of its trials is reported. */
export interface Planned {
  plan: Plan;
  files: Map<string, WordFile>;
  /** A problem of `trial`'s key at `path` (e.g. ['train', 'batch_size']), located in the file: at the grid value the trial took when the key varies. */
  locate(trial: Trial, path: KeyPath, message: string): Diagnostic;
}

/** The first pair of trials with one id (the same resolved configuration), if any. */
function repeatedTrial(trials: readonly Trial[]): [Trial, Trial] | undefined {
  const byId = new Map<string, Trial>();
  for (const trial of trials) {
    const first = byId.get(trial.id);
    if (first !== undefined) return [first, trial];
    byId.set(trial.id, trial);
  }
  return undefined;
}

/** Turn an experiment file and its `--set` overrides into a plan; throws ConfigError with every problem. */
export async function planExperiment(file: string, sets: readonly string[] = [], commandLine: CommandLine = {}): Promise<Planned> {
  // 1. Load: YAML with positions; syntax errors, duplicate keys and alias bombs stop here.
  const source = await readSource(file);
  // 2. Overrides replace nodes of the document and remember their --set, which becomes their location; --executor is
  //    one more (the last word on executor.kind).
  const executor = commandLine.executor === undefined ? [] : [`executor.kind=${commandLine.executor}`];
  const problems: Diagnostic[] = applyOverrides(source, [...sets, ...executor]);
  // 3. Validate: defaults, schema, grid keys and values, the checks a schema cannot express; on Slurm, --jobs and
  //    --timeout become the array's parallelism and the tasks' time limit.
  const { experiment, diagnostics } = validate(source);
  problems.push(...diagnostics);
  if (experiment.executor?.kind === 'slurm') {
    if (commandLine.jobs !== undefined) experiment.executor.array_parallelism = commandLine.jobs;
    if (commandLine.timeoutSeconds !== undefined) experiment.executor.timeout_min = Math.ceil(commandLine.timeoutSeconds / 60);
  }
  // 4. Resolve word files against the YAML file's folder, with their content hashes.
  const resolved = await resolve(experiment, file, (path, message, part) => problems.push(diagnosticAt(source, path, message, part)), (d) => problems.push(d));
  if (problems.length > 0) throw new ConfigError(problems);
  // 5. Expand: grid × repeat → trials with stable ids and seeds.
  const hashes = new Map([...resolved.files].map(([path, f]) => [path, f.sha256]));
  const trials = expand(resolved.experiment, hashes);
  // 6. Two points that resolve to one configuration (e.g. two word files with the same content) would be one trial
  //    trained twice into one folder.
  const twice = repeatedTrial(trials);
  if (twice !== undefined) throw new ConfigError([diagnosticAt(source, ['grid'], msg.sameTrialTwice(twice[0].params, twice[1].params))]);
  // 7. What the data decides, before any trial starts: each trial keeps a word for training after its slice and split.
  const locate = (trial: Trial, at: KeyPath, message: string) => diagnosticAt(source, blamePath(resolved.experiment, trial.params, at), message);
  const unsplit = noTrainingWord(trials, resolved.files, locate);
  if (unsplit.length > 0) throw new ConfigError(unsplit);
  return { plan: { file, experiment: resolved.experiment, trials }, files: resolved.files, locate };
}

/**
 * Trials whose data leaves no word for training: the data stage splits at ⌊train · n⌋ (n: the words, or slice.first of
 * them), so one word, or five at train 0.1, train on nothing. Blamed on the slice when it takes fewer words than there
 * are, else on the word file (the built-in lists have thousands of words).
 */
function noTrainingWord(trials: readonly Trial[], files: ReadonlyMap<string, WordFile>, locate: Planned['locate']): Diagnostic[] {
  const found = new Map<string, Diagnostic>();
  for (const trial of trials) {
    const { data } = trial.config;
    const words = data.file === undefined ? Infinity : (files.get(data.file)?.words ?? Infinity);
    const used = Math.min(words, data.slice?.first ?? Infinity);
    if (Math.floor(data.split.train * used) >= 1) continue;
    const sliced = data.slice !== undefined && data.slice.first < words;
    const source = sliced ? `data.slice.first: ${used}` : shownPath(data.file!);
    const needed = Math.ceil(1 / data.split.train - 1e-9);
    const d = locate(trial, sliced ? ['data', 'slice', 'first'] : ['data', 'file'], msg.noTrainingWord(source, used, data.split.train, needed));
    found.set(JSON.stringify(d), d);
  }
  return [...found.values()];
}

