// The one definition of an experiment file: TypeScript types and JSON Schema both come from here.
// Defaults live here, each with the reason for it. See ../shared/docs/design.md for the contract.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** The most SGD steps a trial may take (train.steps); an LR range test, which keeps every step's lr and smoothed loss, at most MAX_RANGE_STEPS. */
export const MAX_STEPS = 1_000_000_000;
export const MAX_RANGE_STEPS = 1_000_000;

const PositiveInt = (description: string, dflt?: number) =>
  Type.Integer({ minimum: 1, description, ...(dflt === undefined ? {} : { default: dflt }) });
const PositiveNumber = (description: string) => Type.Number({ exclusiveMinimum: 0, description });
const Fraction = (description: string, dflt: number) =>
  Type.Number({ minimum: 0, maximum: 1, default: dflt, description });

/** Where the words come from: the built-in list (default) or a UTF-8 file, one word a line. */
/** `data`: where the words come from, how many, and how they are split. */
export const DataSchema = Type.Object(
  {
    builtin: Type.Optional(
      Type.Union([Type.Literal('names'), Type.Literal('makemore')], {
        description:
          'A built-in word list, the default when no file is given: names (8,403 first names from @stdlib data sets, sorted) or makemore (the lecture\'s 32,033 names, in its order).',
      }),
    ),
    file: Type.Optional(Type.String({ minLength: 1, description: 'A UTF-8 word-per-line file, relative to the YAML file.' })),
    slice: Type.Optional(
      Type.Object(
        { first: PositiveInt('Only the first N words, as in "the first five words".') },
        { additionalProperties: false, description: 'Take part of the word list before shuffling.' },
      ),
    ),
    split: Type.Object(
      {
        train: Fraction('Fraction of words for training.', 0.8),
        dev: Fraction('Fraction of words for the dev (validation) split.', 0.1),
        test: Fraction('Fraction of words for the test split.', 0.1),
      },
      // The lecture's 80/10/10.
      { additionalProperties: false, default: {}, description: 'Word fractions per split; they must sum to 1.' },
    ),
    // The lecture's random.seed(42) before shuffling the words.
    shuffle_seed: Type.Integer({ minimum: 0, default: 42, description: 'Seed of the word shuffle before the split.' }),
  },
  { additionalProperties: false, default: {}, description: 'The data set, its slice and its split.' },
);

/** `model.init`'s word for a weight matrix scaled by the lecture's Kaiming factor, (5/3) / √fan_in (tanh's gain). */
export const KAIMING = 'kaiming';

/** A factor on one parameter's standard-normal draws; `x-param` names the parameter for messages (kaiming on a bias). */
const Factor = (param: string, description: string) => Type.Number({ minimum: 0, description, 'x-param': param });
/** A weight matrix takes a factor or `kaiming`. */
const MatrixFactor = (param: string, fanIn: string) =>
  Type.Union([Factor(param, `A factor on ${param}'s N(0, 1) draws.`), Type.Literal(KAIMING)], {
    description: `A factor on ${param}'s N(0, 1) draws, or kaiming: (5/3) / √fan_in, fan_in = ${fanIn} (the lecture's gain for tanh).`,
  });

/**
 * `model.init`: a factor per parameter on its standard-normal draws, as the lecture writes `torch.randn(…) * 0.01`;
 * parameters not named keep factor 1 (the lecture's part 2, and every trial planned before the key existed).
 */
export const InitSchema = Type.Object(
  {
    C: Type.Optional(Factor('C', "A factor on C's N(0, 1) draws (a table, not a layer: it has no fan-in for kaiming).")),
    W1: Type.Optional(MatrixFactor('W1', 'block_size · embed_dim')),
    b1: Type.Optional(Factor('b1', "A factor on b1's N(0, 1) draws.")),
    W2: Type.Optional(MatrixFactor('W2', 'hidden')),
    b2: Type.Optional(Factor('b2', "A factor on b2's N(0, 1) draws.")),
  },
  {
    additionalProperties: false,
    description: "Factors on the parameters' N(0, 1) initial draws, e.g. {W2: 0.01, b2: 0} (the lecture's part 3); a parameter not named keeps 1.",
  },
);

/** The MLP's dimensions; the vocabulary size comes from the data. */
/** `model`: the MLP's dimensions and initialisation. */
export const ModelSchema = Type.Object(
  {
    // The lecture's final network: 3 characters of context, 10-d embeddings, 200 tanh units.
    block_size: PositiveInt('Characters of context.', 3),
    embed_dim: PositiveInt('Size of each character embedding (columns of C).', 10),
    hidden: PositiveInt('Units in the tanh hidden layer.', 200),
    // Optional, no default: absent means every factor is 1, the lecture's part 2, so stored trials keep their ids.
    init: Type.Optional(InitSchema),
  },
  { additionalProperties: false, default: {}, description: 'Model dimensions.' },
);

/** `rng`: which generators every random draw of a trial comes from. */
export const RngSchema = Type.Union([Type.Literal('streams'), Type.Literal('torch')], {
  // Independent streams: a change to how a trial trains (batch size, steps) never moves its initial weights or samples.
  default: 'streams',
  description:
    'streams: a seeded stream per purpose (init, minibatches, sampling, shuffle), each trial its own seed; torch: the lecture\'s generators bit for bit (random.seed(data.shuffle_seed) + random.shuffle for the split, torch.manual_seed(seed) for init and minibatches, seed + 10 for sampling).',
});

/** `engine`: what runs a trial's SGD steps (evaluation, sampling and weights.json are TensorFlow.js's on either). */
export const EngineSchema = Type.Union([Type.Literal('kernel'), Type.Literal('tfjs')], {
  // The kernel: the same steps as tfjs to float32 rounding, at several times its speed (README: Engines).
  default: 'kernel',
  description:
    'kernel: the steps of a chunk as one call into run-exp\'s WebAssembly SIMD kernel (src/train/kernel/); tfjs: one TensorFlow.js step after another (src/train/step.ts), the reference. Where the kernel cannot run (not built, no WebAssembly SIMD), a trial trains on tfjs and says why.',
});

/** `loss`: how the cross-entropy is computed. */
export const LossSchema = Type.Union([Type.Literal('fused'), Type.Literal('manual')], {
  // fused is what the lecture recommends: stable and faster.
  default: 'fused',
  description: 'fused: one stable cross-entropy op; manual: exp → normalise → pick → log → mean (overflows for large logits).',
});

/** One drop of a step schedule: from step `at` on, the learning rate is `lr`. */
export const StepDropSchema = Type.Object(
  { at: Type.Integer({ minimum: 0, description: 'Step at which the new lr starts.' }), lr: PositiveNumber('The new learning rate.') },
  { additionalProperties: false },
);

/** A learning-rate schedule, tagged by `schedule` (step, exponential, cosine, range). */
export const LrScheduleSchema = Type.Union(
  [
    Type.Object(
      {
        schedule: Type.Literal('step'),
        start: PositiveNumber('Learning rate from step 0.'),
        drops: Type.Array(StepDropSchema, { minItems: 1, description: 'Drops in step order, each within train.steps.' }),
      },
      { additionalProperties: false, description: 'Piecewise constant: start, then each drop from its step on.' },
    ),
    Type.Object(
      {
        schedule: Type.Literal('exponential'),
        start: PositiveNumber('Learning rate at step 0.'),
        end: PositiveNumber('Learning rate at the last step.'),
      },
      { additionalProperties: false, description: 'Geometric decay from start to end.' },
    ),
    Type.Object(
      {
        schedule: Type.Literal('cosine'),
        start: PositiveNumber('Peak learning rate (after warm-up).'),
        end: Type.Number({ minimum: 0, description: 'Learning rate at the last step.' }),
        warmup: Type.Integer({ minimum: 0, default: 0, description: 'Steps of linear warm-up from 0 to start.' }),
      },
      { additionalProperties: false, description: 'Cosine annealing from start to end, after an optional linear warm-up.' },
    ),
    Type.Object(
      {
        schedule: Type.Literal('range'),
        min: PositiveNumber('Learning rate at the first step.'),
        max: PositiveNumber('Learning rate at the last step.'),
      },
      { additionalProperties: false, description: 'LR range test: lr log-spaced from min to max, one lr per step.' },
    ),
  ],
  { description: 'A learning-rate schedule.' },
);

/** `train.lr`: a constant or a schedule. */
export const LrSchema = Type.Union([PositiveNumber('A constant learning rate.'), LrScheduleSchema], {
  // The lecture's rate before decay, the valley of its range test.
  default: 0.1,
  description: 'A constant learning rate or a schedule.',
});

/** `train`: steps, batch size and learning rate. */
export const TrainSchema = Type.Object(
  {
    // Short enough to finish in seconds; the lecture's final run uses 200,000. At most 10^9: about a week at the lecture
    // net's 2,000 steps/s, and ~50 GB of metrics.jsonl (a row a step); beyond that is a typo, not a study.
    steps: Type.Integer({ minimum: 1, maximum: MAX_STEPS, default: 1000, description: 'SGD steps (at most 1,000,000,000).' }),
    // The lecture's minibatch size.
    batch_size: Type.Union([PositiveInt('Examples per minibatch.'), Type.Literal('full')], {
      default: 32,
      description: 'Examples per step, or "full" for the whole training split every step.',
    }),
    lr: LrSchema,
  },
  { additionalProperties: false, default: {}, description: 'The training loop.' },
);

/** The name of a data split. */
export const SplitNameSchema = Type.Union([Type.Literal('train'), Type.Literal('dev'), Type.Literal('test')]);

/** `eval`: how often and on which splits the full-split losses are computed. */
export const EvalSchema = Type.Object(
  {
    // Often enough to draw a curve, rarely enough to cost little.
    every: PositiveInt('Full-split losses every N steps, and always at the end.', 1000),
    // The test split stays untouched until asked for, as it should.
    splits: Type.Array(SplitNameSchema, { default: ['train', 'dev'], uniqueItems: true, description: 'Splits to evaluate.' }),
  },
  { additionalProperties: false, default: {}, description: 'Evaluation on full splits, without gradients.' },
);

const Bound = Type.Object(
  {
    lt: Type.Optional(Type.Number({ description: 'Must be less than this.' })),
    gt: Type.Optional(Type.Number({ description: 'Must be greater than this.' })),
    approx: Type.Optional(Type.Number({ description: 'Must be within tol of this.' })),
    tol: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Tolerance for approx (default 0.05).' })),
  },
  { additionalProperties: false, minProperties: 1, description: 'Bounds on a final value of each selected trial; give one or more.' },
);
const BoundOn = (description: string) =>
  Type.Object(Bound.properties, { additionalProperties: false, minProperties: 1, description: `${description}; give one or more.` });
/** How a trial ended (see design.md, Trial status; `stopped`: ended early by early stopping, a result like `ok`). */
export const TrialStatusSchema = Type.Union([Type.Literal('ok'), Type.Literal('diverged'), Type.Literal('stopped'), Type.Literal('failed')]);

/** `expect[].best`: bounds on the best of the selected trials (the least final `by` loss): its losses and its values. */
export const BestSchema = Type.Object(
  {
    by: Type.Union([Type.Literal('dev_loss'), Type.Literal('train_loss'), Type.Literal('test_loss')], {
      default: 'dev_loss',
      description: 'The final loss that ranks the trials (least is best).',
    }),
    train_loss: Type.Optional(Bound),
    dev_loss: Type.Optional(Bound),
    test_loss: Type.Optional(Bound),
    params: Type.Optional(
      Type.Record(Type.String(), Bound, { description: 'Bounds on the best trial\'s values of swept keys, e.g. {train.lr: {gt: 0.03, lt: 0.5}}.' }),
    ),
  },
  { additionalProperties: false, description: 'Bounds on the best selected trial (a search found a good one, where expected).' },
);

/** One assertion on the results of the trials it selects (all trials unless `where` narrows them). */
export const ExpectationSchema = Type.Object(
  {
    where: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Only trials whose values match, e.g. {loss: manual}.' }),
    ),
    train_loss: Type.Optional(Bound),
    dev_loss: Type.Optional(Bound),
    test_loss: Type.Optional(Bound),
    suggested_lr: Type.Optional(
      BoundOn('LR range tests: bounds on the suggested lr (the steepest descent of the smoothed loss, else the least loss\'s lr ÷ 10)'),
    ),
    // Where the lecture reads its lr off the plot; from a random init the steepest descent often lies far below it.
    min_loss_lr: Type.Optional(BoundOn('LR range tests: bounds on the lr at the least smoothed loss (the bottom of the valley)')),
    // The loss the lecture prints before its first update (17.7697 on its first five words).
    first_loss: Type.Optional(BoundOn('Bounds on the training loss of step 0 (the initial weights on the first batch)')),
    status: Type.Optional(
      Type.Union([TrialStatusSchema, Type.Array(TrialStatusSchema, { minItems: 1 })], { description: 'The status each selected trial must end with (one of a list).' }),
    ),
    // What a search is for: that the best trial it found is good, and where it lies.
    best: Type.Optional(BestSchema),
  },
  { additionalProperties: false, description: 'Assertions on each selected trial; a miss fails the run.' },
);

/** Two bounds [min, max] of a distribution. */
const Bounds = (item: TSchema, description: string) => Type.Array(item, { minItems: 2, maxItems: 2, description });

/** A distribution of a random search's key: one of log_uniform, uniform, int_uniform, each [min, max] (inclusive). */
export const DistributionSchema = Type.Object(
  {
    log_uniform: Type.Optional(Bounds(PositiveNumber('A bound.'), 'Log-uniform between min and max (both > 0): learning rates, scales.')),
    uniform: Type.Optional(Bounds(Type.Number({ description: 'A bound.' }), 'Uniform between min and max.')),
    int_uniform: Type.Optional(Bounds(Type.Integer({ description: 'A bound.' }), 'An integer from min to max, each equally likely: sizes.')),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'A distribution to draw from (random search only).' },
);

/** `search`: how the sweep's trials are chosen. */
export const SearchSchema = Type.Object(
  {
    // A grid is what the lecture does; random search (Bergstra & Bengio 2012) beats it when few keys matter.
    method: Type.Union([Type.Literal('grid'), Type.Literal('random')], { default: 'grid', description: 'grid: every combination; random: `trials` draws.' }),
    trials: Type.Optional(PositiveInt('Random search: how many trials to draw (raising it keeps the trials drawn before).')),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'Random search: seed of the draws (default 0); other seeds draw other trials.' })),
  },
  { additionalProperties: false, default: {}, description: 'How the trials are chosen from grid.' },
);

/** The loss an early-stopping rule judges trials by: a split's loss at each evaluation. */
const MetricSchema = Type.Union([Type.Literal('dev_loss'), Type.Literal('train_loss'), Type.Literal('test_loss')], {
  // Held-out loss: what a sweep is trying to make small.
  default: 'dev_loss',
  description: 'The evaluated loss the rule compares (its split must be in eval.splits).',
});

/** `early_stop`: stop hopeless trials before their last step (ASHA, or the median stopping rule). */
export const EarlyStopSchema = Type.Union(
  [
    Type.Object(
      {
        method: Type.Literal('asha'),
        metric: MetricSchema,
        grace: PositiveInt('Steps before the first rung (a multiple of eval.every); rungs at grace·eta^k steps.'),
        // Li et al. (2018) and Ray Tune's default reduction factor.
        eta: Type.Integer({ minimum: 2, default: 3, description: 'Reduction factor: a trial goes on past a rung when it is in the best 1/eta of those that reached it.' }),
      },
      { additionalProperties: false, description: 'Asynchronous successive halving (Li et al. 2018), as Ray Tune\'s ASHA scheduler.' },
    ),
    Type.Object(
      {
        method: Type.Literal('median'),
        metric: MetricSchema,
        grace: PositiveInt('Steps before the rule may stop a trial.'),
        // Vizier's rule needs others to compare with; Ray Tune's default.
        min_trials: Type.Integer({ minimum: 1, default: 3, description: 'Other trials that must have reached the step before one is stopped.' }),
      },
      { additionalProperties: false, description: 'Median stopping rule (Google Vizier): stop a trial whose best loss is worse than the median of the others\' running averages.' },
    ),
  ],
  { description: 'Stop hopeless trials early; a stopped trial is a result (status stopped).' },
);

/** `checkpoint`: how often a trial saves its state, so that a killed trial goes on from there instead of step 0. */
export const CheckpointSchema = Type.Object(
  {
    // About a minute of steps at the planned speed (src/train/cost.ts): a kill loses a minute at most, and writing one
    // (a few milliseconds for the lecture's net) costs well under 1 % of the minute.
    every: Type.Union([PositiveInt('Steps between checkpoints.'), Type.Literal('auto'), Type.Literal('never')], {
      default: 'auto',
      description:
        'Steps between checkpoints (taken at the first chunk boundary from each multiple on), auto (about a minute at the planned speed, whole chunks of 500 steps) or never (a killed trial starts again from step 0).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Checkpoints: a killed or interrupted trial goes on from its latest, bit for bit as if it had not stopped.' },
);

/** `diagnostics`: the lecture's look inside the net (activations, gradients, updates) at some steps, to diagnostics.jsonl. */
export const DiagnosticsSchema = Type.Object(
  {
    // As often as eval.every's default: 200 rows over the lecture's 200,000 steps, a few ms each (off the hot path).
    every: PositiveInt('At step 0 and every N steps, on that step\'s minibatch before its update.', 1000),
  },
  {
    additionalProperties: false,
    description: "tanh saturation and histogram, dead units, grad:data and update:data per parameter (diagnostics.jsonl); off when absent.",
  },
);

/** How the trials run: `kind` picks the executor; the other keys are Slurm's (sbatch options), as submitit names them. */
export const ExecutorSchema = Type.Object(
  {
    // Trials run where run-exp runs unless asked otherwise; `--executor` on the command line wins over this key.
    kind: Type.Union([Type.Literal('local'), Type.Literal('slurm')], {
      default: 'local',
      description: 'local: worker processes on this machine; slurm: one Slurm job array, one trial per task (--executor wins).',
    }),
    partition: Type.Optional(Type.String({ minLength: 1, description: 'Slurm: the partition (sbatch --partition); the cluster\'s default when absent.' })),
    timeout_min: Type.Optional(PositiveInt("Slurm: each task's time limit in minutes (sbatch --time); the partition's when absent.")),
    // A trial trains on one thread (the WASM backend); more CPUs buy nothing but a longer wait in the queue.
    cpus_per_task: PositiveInt('Slurm: CPUs of each task (sbatch --cpus-per-task).', 1),
    mem_gb: Type.Optional(PositiveNumber("Slurm: each task's memory in GB (sbatch --mem); the cluster's default when absent.")),
    // submitit's default: enough to fill a partition, few enough not to flood the queue.
    array_parallelism: PositiveInt('Slurm: tasks of the array running at once, at most (sbatch --array=…%N; --jobs wins).', 256),
    // submitit's signal_delay_s: Slurm's time-limit check runs every 30 s, so the signal comes 60 to 90 s before the
    // limit; a chunk and a checkpoint take about a second, the rest is slack for a busy node or a slow shared filesystem.
    signal_delay_s: PositiveInt('Slurm: seconds before its time limit that a task is signalled (sbatch --signal=B:USR1@N) to write a checkpoint and requeue itself.', 60),
    sbatch_args: Type.Array(Type.String({ pattern: '^--?[A-Za-z][^\\n]*$' }), {
      default: [],
      description: 'Slurm: more sbatch options, one a string, e.g. ["--qos=short", "--account=ml"].',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Where the trials run: locally, or as a Slurm job array.' },
);

export const ExperimentSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 100, description: 'Names the outputs: DIR/NAME.html, DIR/NAME/.' }),
    description: Type.String({ default: '', description: 'What question the experiment asks.' }),
    // The lecture's torch.Generator().manual_seed(2147483647).
    seed: Type.Integer({ minimum: 0, maximum: 4294967295, default: 2147483647, description: 'Base seed of init, minibatches and sampling; with rng: torch, the generator\'s own seed (plus the repeat index).' }),
    rng: RngSchema,
    data: DataSchema,
    model: ModelSchema,
    loss: LossSchema,
    engine: EngineSchema,
    train: TrainSchema,
    eval: EvalSchema,
    // Enough names to judge the model by eye.
    sample: Type.Integer({ minimum: 0, maximum: 10000, default: 20, description: 'Names generated at the end.' }),
    grid: Type.Record(Type.String(), Type.Union([Type.Array(Type.Unknown(), { minItems: 1 }), DistributionSchema]), {
      default: {},
      description: 'Dotted key → values (a list; with search.method random, a list is a categorical choice and a distribution draws values); a grid runs each combination.',
    }),
    search: SearchSchema,
    early_stop: Type.Optional(EarlyStopSchema),
    repeat: Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'Seeds per combination (per draw, in a random search).' }),
    // Optional, no default: off unless asked for, so trials planned before the key existed keep their ids.
    diagnostics: Type.Optional(DiagnosticsSchema),
    expect: Type.Optional(
      Type.Union([ExpectationSchema, Type.Array(ExpectationSchema, { minItems: 1 })], {
        description: 'Assertions on the results; a miss makes the exit code 1.',
      }),
    ),
    // How the study runs, not what it is: no part of a trial's id (a resumed trial's files are those of one that never stopped).
    checkpoint: CheckpointSchema,
    // How the study runs, not what it is: no part of a trial's id, so local and Slurm results are the same trials.
    executor: ExecutorSchema,
  },
  { additionalProperties: false, $id: 'https://run-exp.dev/experiment.schema.json', title: 'run-exp experiment' },
);

/** The TypeScript types of the schema's parts (Static: derived, never written twice). */
export type Experiment = Static<typeof ExperimentSchema>;
export type Data = Static<typeof DataSchema>;
export type Model = Static<typeof ModelSchema>;
export type Init = Static<typeof InitSchema>;
export type LossMode = Static<typeof LossSchema>;
export type RngMode = Static<typeof RngSchema>;
export type EngineName = Static<typeof EngineSchema>;
export type Train = Static<typeof TrainSchema>;
export type Lr = Static<typeof LrSchema>;
export type LrSchedule = Static<typeof LrScheduleSchema>;
export type Eval = Static<typeof EvalSchema>;
export type SplitName = Static<typeof SplitNameSchema>;
export type Expectation = Static<typeof ExpectationSchema>;
export type TrialStatus = Static<typeof TrialStatusSchema>;
export type Distribution = Static<typeof DistributionSchema>;
export type Search = Static<typeof SearchSchema>;
export type EarlyStop = Static<typeof EarlyStopSchema>;
export type Executor = Static<typeof ExecutorSchema>;
export type Checkpoint = Static<typeof CheckpointSchema>;
export type Diagnostics = Static<typeof DiagnosticsSchema>;
