// Expansion: grid × repeat → trials in a stable order, with ids and seeds that depend only on each trial's configuration.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { FIXTURES, ROOT } from '../paths.js';
import { planExperiment } from '../../src/config/plan.js';
import { canonicalJson, countTrials, expand } from '../../src/config/expand.js';
import { gridPoints } from '../../src/config/search.js';
import type { Experiment } from '../../src/config/schema.js';

const GOOD = path.join(FIXTURES, 'config', 'good');
const SWEEP = path.join(GOOD, 'sweep.yaml'); // grid: loss [manual, fused] × train.batch_size [32, full], repeat 2

describe('grid points', () => {
  it('vary the first key slowest, in file order, values in given order', () => {
    assert.deepEqual(gridPoints({ a: [1, 2], b: ['x', 'y'] }), [
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
  });
  it('are one empty point for an empty grid', () => {
    assert.deepEqual(gridPoints({}), [{}]);
  });
  it('are counted without being listed', () => {
    assert.equal(countTrials({ grid: { a: [1, 2, 3], b: [1, 2] }, search: { method: 'grid' }, repeat: 4 }), 24);
  });
});

describe('trials', () => {
  it('come in grid order, then repeat, with params that name what varies', async () => {
    const { plan } = await planExperiment(SWEEP);
    assert.deepEqual(
      plan.trials.map((t) => [t.index, t.params]),
      [
        [0, { loss: 'manual', 'train.batch_size': 32, repeat: 0 }],
        [1, { loss: 'manual', 'train.batch_size': 32, repeat: 1 }],
        [2, { loss: 'manual', 'train.batch_size': 'full', repeat: 0 }],
        [3, { loss: 'manual', 'train.batch_size': 'full', repeat: 1 }],
        [4, { loss: 'fused', 'train.batch_size': 32, repeat: 0 }],
        [5, { loss: 'fused', 'train.batch_size': 32, repeat: 1 }],
        [6, { loss: 'fused', 'train.batch_size': 'full', repeat: 0 }],
        [7, { loss: 'fused', 'train.batch_size': 'full', repeat: 1 }],
      ],
    );
    assert.deepEqual(plan.trials.map((t) => [t.config.loss, t.config.train.batch_size, t.repeat]).slice(2, 4), [
      ['manual', 'full', 0],
      ['manual', 'full', 1],
    ]);
  });

  it('do not depend on the executor: the same trials, ids and configurations locally and on Slurm', async () => {
    const local = (await planExperiment(SWEEP)).plan.trials;
    const slurm = (await planExperiment(SWEEP, ['executor.kind=slurm', 'executor.partition=gpu', 'executor.array_parallelism=2', 'executor.sbatch_args=[--qos=short]'])).plan.trials;
    assert.deepEqual(slurm, local);
  });

  it('have distinct 10-hex ids and 32-bit unsigned seeds, one seed per repeat', async () => {
    const { plan } = await planExperiment(SWEEP);
    assert.equal(new Set(plan.trials.map((t) => t.id)).size, plan.trials.length);
    assert.equal(new Set(plan.trials.map((t) => t.config.seed)).size, 2); // loss × batch_size share weights; 2 repeats
    for (const t of plan.trials) {
      assert.match(t.id, /^[0-9a-f]{10}$/);
      assert.ok(Number.isInteger(t.config.seed) && t.config.seed >= 0 && t.config.seed < 2 ** 32);
    }
  });

  it('have the same ids and seeds on every planning (no clock, no randomness)', async () => {
    const [a, b] = await Promise.all([planExperiment(SWEEP), planExperiment(SWEEP)]);
    assert.deepEqual(a.plan.trials, b.plan.trials);
  });

  it('keep their ids and seeds when a grid value is added', async () => {
    const before = await planExperiment(SWEEP);
    const after = await planExperiment(SWEEP, ['train.batch_size=32,full,64']);
    const key = (t: { params: Record<string, unknown> }) => JSON.stringify(t.params);
    const added = new Map(after.plan.trials.map((t) => [key(t), t]));
    for (const t of before.plan.trials) {
      assert.equal(added.get(key(t))?.id, t.id);
      assert.equal(added.get(key(t))?.config.seed, t.config.seed);
    }
    assert.equal(after.plan.trials.length, 12);
  });

  it('change id and seed with the base seed', async () => {
    const a = await planExperiment(SWEEP);
    const b = await planExperiment(SWEEP, ['seed=1']);
    a.plan.trials.forEach((t, i) => {
      assert.notEqual(b.plan.trials[i]!.id, t.id);
      assert.notEqual(b.plan.trials[i]!.config.seed, t.config.seed);
    });
  });

  it('share a seed across arms that differ only in training, not across model shapes', async () => {
    const { plan } = await planExperiment(SWEEP, ['repeat=1', 'model.hidden=50,100']);
    const seeds = new Map<unknown, Set<number>>();
    for (const t of plan.trials) seeds.set(t.params['model.hidden'], (seeds.get(t.params['model.hidden']) ?? new Set()).add(t.config.seed));
    assert.deepEqual([...seeds.values()].map((s) => s.size), [1, 1]); // loss and batch size: same initial weights
    assert.notEqual([...seeds.get(50)!][0], [...seeds.get(100)!][0]);
  });

  it('take their seed from a grid axis over seed', async () => {
    const { plan } = await planExperiment(SWEEP, ['seed=1,2', 'loss=fused', 'train.batch_size=32', 'repeat=1']);
    assert.equal(plan.trials.length, 2);
    assert.notEqual(plan.trials[0]!.config.seed, plan.trials[1]!.config.seed);
  });

  it('list repeat in params only when repeat > 1', async () => {
    const { plan } = await planExperiment(SWEEP, ['repeat=1']);
    assert.deepEqual(plan.trials[0]!.params, { loss: 'manual', 'train.batch_size': 32 });
  });

  it('name a word file by its content for the id: copies in other folders get the same id', async () => {
    const here = await planExperiment(path.join(GOOD, 'own-words.yaml'));
    const copy = await planExperiment(path.join(GOOD, 'copy', 'own-words.yaml'), ['name=own-words']);
    assert.notEqual(here.plan.trials[0]!.config.data.file, copy.plan.trials[0]!.config.data.file);
    assert.equal(here.plan.trials[0]!.id, copy.plan.trials[0]!.id);
    assert.equal(here.plan.trials[0]!.config.seed, copy.plan.trials[0]!.config.seed);
  });

  it('carry the absolute word file and its sha256 in the trial config', async () => {
    const { plan } = await planExperiment(path.join(GOOD, 'own-words.yaml'));
    const data = plan.trials[0]!.config.data;
    assert.equal(data.file, path.join(GOOD, 'words.txt'));
    const digest = createHash('sha256').update(readFileSync(path.join(GOOD, 'words.txt'))).digest('hex');
    assert.equal(data.file !== undefined ? data.sha256 : undefined, digest);
    assert.equal(data.builtin, undefined);
  });

  it('keep the ids they had before the rng and engine keys existed (rng: streams and engine: tfjs are left out of the id)', async () => {
    // Planned by run-exp before #12 (commit 2aa82b7), from experiments/quickstart.yaml, and trained by TensorFlow.js as
    // every trial was before #18: a re-run with engine: tfjs still finds them.
    const { plan } = await planExperiment(path.join(ROOT, 'experiments', 'quickstart.yaml'), ['engine=tfjs']);
    assert.deepEqual(plan.trials.map((t) => t.id), ['59475a9a9d', '595527495b', 'c7b2ff18f4']);
    assert.ok(plan.trials.every((t) => t.config.rng === 'streams' && t.config.engine === 'tfjs'));
    const torch = await planExperiment(path.join(ROOT, 'experiments', 'quickstart.yaml'), ['rng=torch', 'engine=tfjs']);
    assert.ok(torch.plan.trials.every((t, i) => t.id !== plan.trials[i]!.id && t.config.rng === 'torch'));
    // The kernel's trials are trials of their own, with the same seeds (the same initial weights and minibatches).
    const kernel = await planExperiment(path.join(ROOT, 'experiments', 'quickstart.yaml'));
    assert.ok(kernel.plan.trials.every((t, i) => t.config.engine === 'kernel' && t.id !== plan.trials[i]!.id && t.config.seed === plan.trials[i]!.config.seed));
  });

  it('keep their ids when model.init leaves every factor at 1, and without diagnostics (both keys are left out of the id)', async () => {
    const quickstart = path.join(ROOT, 'experiments', 'quickstart.yaml');
    const ids = async (...sets: string[]) => (await planExperiment(quickstart, ['engine=tfjs', ...sets])).plan.trials.map((t) => t.id);
    const before = ['59475a9a9d', '595527495b', 'c7b2ff18f4']; // planned before #12, as above (on tfjs, as then)
    assert.deepEqual(await ids('model.init={}'), before);
    assert.deepEqual(await ids('model.init={W1: 1, b2: 1}'), before);
    assert.ok((await ids('model.init={W2: 0.01}')).every((id, i) => id !== before[i]));
    assert.ok((await ids('diagnostics={every: 100}')).every((id, i) => id !== before[i]));
  });

  it('share the initial draws across inits: model.init scales the same draws (the seed leaves it out)', async () => {
    const { plan } = await planExperiment(SWEEP, ['repeat=1', 'loss=fused', 'train.batch_size=32', 'model.init=[{}, {W2: 0.01, b2: 0}, {W1: kaiming}]']);
    assert.equal(plan.trials.length, 3);
    assert.equal(new Set(plan.trials.map((t) => t.id)).size, 3);
    assert.equal(new Set(plan.trials.map((t) => t.config.seed)).size, 1);
    assert.deepEqual(plan.trials.map((t) => t.config.model.init), [{}, { W2: 0.01, b2: 0 }, { W1: 'kaiming' }]);
  });

  it('vary one factor as a grid axis of its own (model.init.W2)', async () => {
    const { plan } = await planExperiment(SWEEP, ['repeat=1', 'loss=fused', 'train.batch_size=32', 'model.init.W2=1,0.1,0.01']);
    assert.deepEqual(plan.trials.map((t) => t.config.model.init), [{ W2: 1 }, { W2: 0.1 }, { W2: 0.01 }]);
    assert.equal(new Set(plan.trials.map((t) => t.config.seed)).size, 1);
  });

  it('in torch mode take the experiment\'s seed itself, plus the repeat index, for every arm and model shape', async () => {
    const { plan } = await planExperiment(SWEEP, ['rng=torch', 'model.hidden=50,100', 'seed=2147483647']);
    for (const t of plan.trials) assert.equal(t.config.seed, 2147483647 + t.repeat);
    assert.deepEqual([...new Set(plan.trials.map((t) => t.repeat))], [0, 1]);
    const wrapped = await planExperiment(SWEEP, ['rng=torch', 'seed=4294967295']);
    assert.deepEqual([...new Set(wrapped.plan.trials.map((t) => t.config.seed))], [4294967295, 0]); // manual_seed keeps 32 bits
  });

  it('use the lecture\'s names when data.builtin is makemore', async () => {
    const { plan } = await planExperiment(path.join(GOOD, 'minimal.yaml'), ['data.builtin=makemore']);
    assert.equal(plan.trials[0]!.config.data.builtin, 'makemore');
    const names = await planExperiment(path.join(GOOD, 'minimal.yaml'));
    assert.notEqual(plan.trials[0]!.id, names.plan.trials[0]!.id);
  });

  it('use the built-in names when no file is given', async () => {
    const { plan } = await planExperiment(path.join(GOOD, 'minimal.yaml'));
    assert.equal(plan.experiment.data.builtin, 'names');
    assert.equal(plan.trials[0]!.config.data.builtin, 'names');
  });
});

describe('a resolved experiment', () => {
  it('has every default filled in, keys in schema order', async () => {
    const { plan } = await planExperiment(path.join(GOOD, 'minimal.yaml'));
    const expected: Experiment = {
      name: 'minimal',
      description: '',
      seed: 2147483647,
      rng: 'streams',
      data: { builtin: 'names', split: { train: 0.8, dev: 0.1, test: 0.1 }, shuffle_seed: 42 },
      model: { block_size: 3, embed_dim: 10, hidden: 200 },
      loss: 'fused',
      engine: 'kernel',
      train: { steps: 1000, batch_size: 32, lr: 0.1 },
      eval: { every: 1000, splits: ['train', 'dev'] },
      sample: 20,
      grid: {},
      search: { method: 'grid' },
      repeat: 1,
      checkpoint: { every: 'auto' },
      executor: { kind: 'local', cpus_per_task: 1, array_parallelism: 256, signal_delay_s: 60, sbatch_args: [] },
    };
    assert.deepEqual(plan.experiment, expected);
    assert.equal(JSON.stringify(plan.experiment), JSON.stringify(expected));
  });

  it('gives the same trials again after a round trip through YAML, as experiment.yaml stores it', async () => {
    const { plan, files } = await planExperiment(SWEEP);
    const stored = parseYaml(stringifyYaml(plan.experiment)) as Experiment;
    assert.deepEqual(expand(stored, new Map([...files].map(([f, w]) => [f, w.sha256]))), plan.trials);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level and keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, 1], c: null } }), '{"a":{"c":null,"d":[3,1]},"b":1}');
  });
});
