// Bad experiment files: one fixture per case, each rejected with its exact position and wording.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES } from '../paths.js';
import { planExperiment } from '../../src/config/plan.js';
import { ConfigError } from '../../src/config/diagnostics.js';

const BAD = path.join(FIXTURES, 'config', 'bad');

/** The error lines planExperiment gives for a fixture, with the fixture's path replaced by its name. */
async function errorsOf(name: string): Promise<string[]> {
  const file = path.join(BAD, name);
  const error = await planExperiment(file).then(
    () => assert.fail(`${name}: expected a ConfigError, got a plan`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConfigError, `${name}: expected a ConfigError, got ${String(error)}`);
  return error.message.split('\n').map((line) => line.replaceAll(file, name));
}

/** A path as messages show it: relative to the working directory when inside it. */
function shortPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative.startsWith('..') ? absolute : relative;
}

const cases: { fixture: string; errors: string[] }[] = [
  // Loading: broken or hostile YAML.
  { fixture: 'empty.yaml', errors: ['empty.yaml:1:1: expected a mapping of keys (name: …, train: …), got an empty file'] },
  { fixture: 'comments-only.yaml', errors: ['comments-only.yaml:1:1: expected a mapping of keys (name: …, train: …), got an empty file'] },
  { fixture: 'syntax-error.yaml', errors: ['syntax-error.yaml:3:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }'] },
  { fixture: 'tab-indent.yaml', errors: ['tab-indent.yaml:3:1: YAML syntax error: Tabs are not allowed as indentation'] },
  { fixture: 'duplicate-key.yaml', errors: ['duplicate-key.yaml:5:3 model.hidden: duplicate key; it already appears at line 3'] },
  { fixture: 'multi-document.yaml', errors: ['multi-document.yaml:2:1: expected one YAML document, got 2 (remove the `---` separators)'] },
  { fixture: 'not-a-mapping.yaml', errors: ['not-a-mapping.yaml:1:1: expected a mapping of keys (name: …, train: …), got a list'] },
  { fixture: 'scalar.yaml', errors: ['scalar.yaml:1:1: expected a mapping of keys (name: …, train: …), got a single value ("just-a-string")'] },
  {
    fixture: 'alias-bomb.yaml',
    errors: ['alias-bomb.yaml:3:8: refused: aliases expand to more than 100 nodes (a YAML "billion laughs" document); write the values out instead'],
  },
  // The schema.
  { fixture: 'unknown-key.yaml', errors: ['unknown-key.yaml:2:1 modle: unknown key; did you mean `model`?'] },
  { fixture: 'unknown-nested-key.yaml', errors: ['unknown-nested-key.yaml:3:3 train.step: unknown key; did you mean `steps`?'] },
  { fixture: 'batch-size-negative.yaml', errors: ['batch-size-negative.yaml:4:15 train.batch_size: expected a positive integer or "full", got -4'] },
  {
    fixture: 'lr-not-a-number.yaml',
    errors: ['lr-not-a-number.yaml:3:7 train.lr: expected a positive number or {schedule: step|exponential|cosine|range, …}, got "fast"'],
  },
  { fixture: 'lr-range-missing-max.yaml', errors: ['lr-range-missing-max.yaml:3:7 train.lr.max: missing; expected a positive number'] },
  {
    fixture: 'lr-unknown-schedule.yaml',
    errors: ['lr-unknown-schedule.yaml:3:18 train.lr.schedule: expected "step", "exponential", "cosine" or "range", got "cosin"; did you mean `cosine`?'],
  },
  { fixture: 'loss-typo.yaml', errors: ['loss-typo.yaml:2:7 loss: expected "fused" or "manual", got "fuse"; did you mean `fused`?'] },
  {
    fixture: 'missing-name.yaml',
    errors: ['missing-name.yaml:1:1 name: missing; expected a name of lowercase letters, digits, "-" and "_" that starts with a letter or digit'],
  },
  {
    fixture: 'name-with-slash.yaml',
    errors: ['name-with-slash.yaml:1:7 name: expected a name of lowercase letters, digits, "-" and "_" that starts with a letter or digit, got "../escape"'],
  },
  { fixture: 'not-finite.yaml', errors: ['not-finite.yaml:3:7 train.lr: expected a finite number, got .inf'] },
  // What the schema cannot express.
  { fixture: 'name-reserved.yaml', errors: ['name-reserved.yaml:1:7 name: expected a name usable as a file name on every system, got "con" (reserved on Windows)'] },
  { fixture: 'name-index.yaml', errors: ['name-index.yaml:1:7 name: expected another name, got "index": its report would be DIR/index.html, the index of every experiment in DIR'] },
  { fixture: 'split-sum.yaml', errors: ['split-sum.yaml:3:10 data.split: expected fractions that sum to 1, got 0.8 + 0.1 + 0.2 = 1.1'] },
  { fixture: 'range-min-max.yaml', errors: ['range-min-max.yaml:3:38 train.lr.max: expected max > min (1), got 0.001'] },
  { fixture: 'step-drops-order.yaml', errors: ['step-drops-order.yaml:9:14 train.lr.drops[1].at: expected a step after the previous drop (500), got 200'] },
  { fixture: 'step-drop-beyond-steps.yaml', errors: ['step-drop-beyond-steps.yaml:7:18 train.lr.drops[0].at: expected a step before train.steps (1000), got 1000'] },
  { fixture: 'cosine-warmup.yaml', errors: ['cosine-warmup.yaml:4:54 train.lr.warmup: expected fewer warm-up steps than train.steps (100), got 100'] },
  { fixture: 'builtin-and-file.yaml', errors: ['builtin-and-file.yaml:4:9 data.file: expected either `builtin` or `file`, got both'] },
  {
    fixture: 'data-file-missing.yaml',
    errors: [`data-file-missing.yaml:3:9 data.file: expected an existing word file, got "no-such-words.txt" (${path.join(BAD, 'no-such-words.txt')} does not exist)`],
  },
  { fixture: 'data-file-empty.yaml', errors: ['data-file-empty.yaml:3:9 data.file: expected a file with at least one word, got "../empty-words.txt", which holds none'] },
  {
    fixture: 'data-file-dots.yaml',
    errors: [`${shortPath(path.join(FIXTURES, 'config', 'words-with-dots.txt'))}:2:2 data.file: expected a word without "." (the start/end token), got "j.r."`],
  },
  // What the data decides: known when the file is read, so refused before any trial starts.
  { fixture: 'data-file-binary.yaml', errors: ['data-file-binary.yaml:3:9 data.file: "../binary.dat" looks binary (a NUL byte at offset 12); expected UTF-8 text, one word per line'] },
  { fixture: 'data-file-not-utf8.yaml', errors: ['data-file-not-utf8.yaml:3:9 data.file: "../latin1-words.txt" is not UTF-8 (an invalid byte 0xeb at offset 7); expected UTF-8 text, one word per line'] },
  {
    fixture: 'data-file-beyond-bmp.yaml',
    errors: [`${shortPath(path.join(FIXTURES, 'config', 'words-beyond-bmp.txt'))}:3:4 data.file: expected characters of the Basic Multilingual Plane (the vocabulary is indexed by UTF-16 unit), got "😀" (U+1F600) in "mia😀"`],
  },
  {
    fixture: 'data-file-one-word.yaml',
    errors: [`data-file-one-word.yaml:3:9 data.file: expected data that leaves at least one word for training, got 1 word (${shortPath(path.join(FIXTURES, 'config', 'one-word.txt'))}): ⌊0.8 × 1⌋ = 0 words for training; use at least 2 words, or a larger data.split.train`],
  },
  {
    fixture: 'data-slice-too-small.yaml',
    errors: ['data-slice-too-small.yaml:3:18 data.slice.first: expected data that leaves at least one word for training, got 4 words (data.slice.first: 4): ⌊0.2 × 4⌋ = 0 words for training; use at least 5 words, or a larger data.split.train'],
  },
  {
    fixture: 'grid-data-file-one-word.yaml',
    errors: [`grid-data-file-one-word.yaml:3:36 grid.data.file[1]: expected data that leaves at least one word for training, got 1 word (${shortPath(path.join(FIXTURES, 'config', 'one-word.txt'))}): ⌊0.8 × 1⌋ = 0 words for training; use at least 2 words, or a larger data.split.train`],
  },
  // The grid.
  { fixture: 'grid-unknown-key.yaml', errors: ['grid-unknown-key.yaml:3:3 grid.train.batchsize: unknown key; did you mean `train.batch_size`?'] },
  {
    fixture: 'grid-not-a-trial-key.yaml',
    errors: ['grid-not-a-trial-key.yaml:3:3 grid.repeat: expected a key that varies training, got `repeat` (name, description, grid, search, early_stop, repeat and expect cannot be grid keys)'],
  },
  { fixture: 'grid-bad-value.yaml', errors: ['grid-bad-value.yaml:3:32 grid.train.batch_size[2]: expected a positive integer or "full", got 0'] },
  {
    fixture: 'grid-combination.yaml',
    errors: ['grid-combination.yaml:3:54 train.lr.warmup: expected fewer warm-up steps than train.steps (40), got 50 (in the combination with train.steps: 40)'],
  },
  { fixture: 'grid-too-large.yaml', errors: ['grid-too-large.yaml:2:1 grid: expected at most 10,000 trials, got 11,000 (grid combinations × repeat)'] },
  {
    fixture: 'sbatch-args-array.yaml',
    errors: ['sbatch-args-array.yaml:4:32 executor.sbatch_args[1]: expected a flag run-exp does not set itself, got --array: run-exp submits one array task per trial; use executor.array_parallelism / --jobs'],
  },
  {
    fixture: 'sbatch-args-memory.yaml',
    errors: [
      'sbatch-args-memory.yaml:5:17 executor.sbatch_args[0]: expected --mem with a whole number of megabytes, or one with the unit K, M, G or T (e.g. --mem=4G), got "1.5G": sbatch would refuse it',
      'sbatch-args-memory.yaml:5:31 executor.sbatch_args[1]: expected one kind of memory limit, got --mem-per-cpu beside executor.mem_gb: sbatch refuses --mem, --mem-per-cpu and --mem-per-gpu together (executor.mem_gb is a --mem); keep one',
    ],
  },
  { fixture: 'grid-duplicate-value.yaml', errors: ['grid-duplicate-value.yaml:3:24 grid.train.lr[2]: expected values that differ, got 0.1 again (as at [0], once its defaults are filled in): the same trial twice'] },
  // Random search and early stopping.
  {
    fixture: 'search-distribution-in-grid.yaml',
    errors: ['search-distribution-in-grid.yaml:3:13 grid.train.lr: expected a list of values, got a distribution (log_uniform): a grid runs every value it lists; to draw values, set search.method: random'],
  },
  { fixture: 'search-bounds-order.yaml', errors: ['search-bounds-order.yaml:4:31 grid.train.lr.log_uniform[1]: expected max > min (1), got 0.001 (for a single value, give a one-value list)'] },
  {
    fixture: 'search-uniform-integer-key.yaml',
    errors: ['search-uniform-integer-key.yaml:4:17 grid.model.hidden: expected int_uniform for a key that takes integers, got uniform, which draws values between them'],
  },
  { fixture: 'search-random-no-trials.yaml', errors: ['search-random-no-trials.yaml:2:9 search.trials: missing; expected a positive integer: how many trials the random search draws'] },
  {
    fixture: 'search-grid-trials.yaml',
    errors: [
      'search-grid-trials.yaml:2:24 search.trials: expected no `trials` in a grid search (it runs every combination), got one; set method: random to draw trials',
      'search-grid-trials.yaml:2:35 search.seed: expected no `seed` in a grid search (it runs every combination and draws nothing), got one; set method: random to draw trials',
    ],
  },
  {
    fixture: 'search-space-too-small.yaml',
    errors: [
      'search-space-too-small.yaml:2:34 search.trials: expected at most 6 trials: the values of train.lr, model.hidden have only 6 distinct points, got 7; lower search.trials, widen a range, or use repeat for more seeds of the same point',
    ],
  },
  {
    fixture: 'search-no-keys.yaml',
    errors: ['search-no-keys.yaml:2:34 search.trials: expected at most 1 trial: a search with no grid keys to draw has only 1 distinct point, got 3; lower search.trials, widen a range, or use repeat for more seeds of the same point'],
  },
  {
    fixture: 'search-space-used-up.yaml',
    errors: [
      'search-space-used-up.yaml:2:34 search.trials: expected at most 4 trials: the values of train.lr (drawn to 4 significant digits) have only 4 distinct points, got 5; lower search.trials, widen a range, or use repeat for more seeds of the same point',
    ],
  },
  { fixture: 'early-stop-grace.yaml', errors: ["early-stop-grace.yaml:4:35 early_stop.grace: expected a multiple of eval.every (100): ASHA's rungs (grace·eta^k) are evaluations, got 150"] },
  { fixture: 'expect-where-typo.yaml', errors: ['expect-where-typo.yaml:5:13 expect[0].where.los: unknown key; did you mean `loss`?'] },
  // Initialisation factors and diagnostics.
  { fixture: 'init-unknown-param.yaml', errors: ['init-unknown-param.yaml:3:10 model.init.w2: unknown key; did you mean `W2`?'] },
  { fixture: 'init-negative-factor.yaml', errors: ['init-negative-factor.yaml:3:14 model.init.W1: expected a non-negative number or "kaiming", got -0.2'] },
  { fixture: 'init-not-finite.yaml', errors: ['init-not-finite.yaml:3:14 model.init.W2: expected a finite number, got .inf'] },
  {
    fixture: 'init-kaiming-bias.yaml',
    errors: [
      "init-kaiming-bias.yaml:3:27 model.init.b1: expected a non-negative number, got \"kaiming\": kaiming scales a weight matrix (W1, W2) by (5/3) / √fan_in, and b1 is a bias, with no fan-in; give it a factor (the lecture's part 3: b1 · 0.01, b2 · 0)",
    ],
  },
  {
    fixture: 'init-kaiming-grid.yaml',
    errors: [
      'init-kaiming-grid.yaml:3:36 grid.model.init[2].C: expected a non-negative number, got "kaiming": kaiming scales a weight matrix (W1, W2) by (5/3) / √fan_in, and C is the embedding table, a lookup with no fan-in; give it a factor (the lecture keeps C at 1)',
    ],
  },
  { fixture: 'diagnostics-every.yaml', errors: ['diagnostics-every.yaml:2:22 diagnostics.every: expected a positive integer, got 0'] },
  // Every problem at once, in file order.
  {
    fixture: 'many-errors.yaml',
    errors: [
      'many-errors.yaml:1:7 name: expected a name of lowercase letters, digits, "-" and "_" that starts with a letter or digit, got "Many Errors"',
      'many-errors.yaml:2:1 modle: unknown key; did you mean `model`?',
      'many-errors.yaml:5:10 train.steps: expected an integer from 1 to 1,000,000,000, got 0',
      'many-errors.yaml:6:15 train.batch_size: expected a positive integer or "full", got "fulll"; did you mean `full`?',
      'many-errors.yaml:8:19 eval.splits[1]: expected "train", "dev" or "test", got "validation"',
    ],
  },
];

describe('a bad experiment file is rejected with every problem, located and worded', () => {
  for (const { fixture, errors } of cases) {
    it(`rejects ${fixture}`, async () => {
      assert.deepEqual(await errorsOf(fixture), errors);
    });
  }

  it('has a case for every fixture in test/fixtures/config/bad', async () => {
    const { readdir } = await import('node:fs/promises');
    assert.deepEqual((await readdir(BAD)).sort(), cases.map((c) => c.fixture).sort());
  });

  it('refuses an alias bomb fast, without expanding it', async () => {
    const started = performance.now();
    await errorsOf('alias-bomb.yaml');
    // Expanded, the bomb is 9^8 ≈ 43 million strings: minutes and gigabytes. Refused, it is milliseconds; the bound
    // leaves room for a loaded CI machine.
    assert.ok(performance.now() - started < 10_000, 'took longer than 10 s: was the bomb expanded?');
  });
});
