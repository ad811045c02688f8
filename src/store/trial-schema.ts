// The shapes of a stored trial's JSON files (config.json, summary.json, a line of metrics.jsonl) as TypeBox schemas,
// for checking what is read back. The compiler holds them to src/types.ts: every value the code writes fits them, and
// a summary that fits is a Summary.
import { Type, type Static } from '@sinclair/typebox';
import { DataSchema, DiagnosticsSchema, EngineSchema, EvalSchema, LossSchema, ModelSchema, RngSchema, SplitNameSchema, TrainSchema, TrialStatusSchema } from '../config/schema.js';
import type { DiagnosticsRow, MetricRow, Summary, Trial } from '../types.js';
import { HIST_BINS } from '../train/diagnostic-stats.js';

const Count = Type.Integer({ minimum: 0 });
const Loss = Type.Union([Type.Number(), Type.Null()]); // JSON writes a NaN or infinite loss as null
const Splits = Type.Object({ train: Count, dev: Count, test: Count });
const { builtin: _builtin, file: _file, ...dataRest } = DataSchema.properties;
const Builtin = Type.Required(Type.Pick(DataSchema, ['builtin'])).properties.builtin; // a built-in list's name, no longer optional

/** config.json: the trial, every default filled in (its data resolved: the built-in list, or a file and its hash). */
export const StoredTrialSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  index: Count,
  params: Type.Record(Type.String(), Type.Unknown()),
  repeat: Count,
  config: Type.Object({
    seed: Count,
    rng: Type.Optional(RngSchema), // absent from a config.json written before there was a choice (streams)
    data: Type.Union([
      Type.Object({ ...dataRest, builtin: Builtin }, { additionalProperties: false }),
      Type.Object({ ...dataRest, file: Type.String({ minLength: 1 }), sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false }),
    ]),
    model: ModelSchema,
    loss: LossSchema,
    engine: Type.Optional(EngineSchema), // absent from a config.json written before there was a choice: read as tfjs (check-trial.ts)
    train: TrainSchema,
    eval: EvalSchema,
    sample: Count,
    diagnostics: Type.Optional(DiagnosticsSchema), // absent: none were taken
  }),
});

/** summary.json (src/types.ts, Summary). */
export const SummarySchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  status: TrialStatusSchema,
  reason: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  steps: Count,
  steps_planned: Count,
  final: Type.Object({ train_loss: Loss, dev_loss: Loss, test_loss: Loss }),
  first_loss: Type.Optional(Type.Number()),
  steps_per_s: Type.Number(),
  seconds: Type.Number(),
  train_seconds: Type.Number(),
  train_cpu_seconds: Type.Optional(Type.Number()),
  engine: EngineSchema, // absent from a summary written before there was a choice: read as tfjs (src/store/summary.ts)
  engine_fallback: Type.Optional(Type.String()),
  backend: Type.String(),
  backend_version: Type.String(),
  params: Count,
  seed: Count,
  suggested_lr: Type.Optional(Type.Object({ steepest: Loss, valley: Loss })), // written before #17: min_over_10 (src/store/summary.ts)
  vocab: Type.String(),
  words: Splits,
  examples: Splits,
  reference: Type.Object({ uniform: Type.Number(), bigram: Type.Number() }),
  peak_bytes: Type.Optional(Type.Number()),
  resumed_from: Type.Optional(Type.Integer({ minimum: 1 })),
  slurm: Type.Optional(
    Type.Object({
      job_id: Type.String({ minLength: 1 }),
      task: Count,
      node: Type.Optional(Type.String()),
      state: Type.Optional(Type.String()),
      exit_code: Type.Optional(Type.String()),
    }),
  ),
  started_at: Type.String({ minLength: 1 }),
  finished_at: Type.String({ minLength: 1 }),
});

/** A training step's row of metrics.jsonl: SGD step `step` (0-based), its lr and loss (and a range test's smoothed loss). */
export const StepRowSchema = Type.Object({ step: Count, lr: Type.Number(), loss: Loss, smooth: Type.Optional(Loss) });
/** A full-split evaluation's row: the loss on `split` after `step` steps. */
export const EvalRowSchema = Type.Object({ step: Count, split: SplitNameSchema, loss: Loss });
/** Any row of metrics.jsonl. */
export const MetricRowSchema = Type.Union([StepRowSchema, EvalRowSchema]);

const Stat = Type.Union([Type.Number(), Type.Null()]); // null: not finite (a zero std divides to ∞)
const ParamStatsSchema = Type.Object({ grad_std: Stat, data_std: Stat, grad_data: Stat, update_data: Stat });
/** A line of diagnostics.jsonl (src/train/diagnostics.ts): the tanh layer and every parameter at one step. */
export const DiagnosticsRowSchema = Type.Object({
  step: Count,
  lr: Type.Number(),
  tanh: Type.Object({
    mean: Stat,
    std: Stat,
    saturated: Type.Number({ minimum: 0, maximum: 1 }),
    dead: Count,
    hist: Type.Array(Count, { minItems: HIST_BINS, maxItems: HIST_BINS }),
  }),
  params: Type.Object({ C: ParamStatsSchema, W1: ParamStatsSchema, b1: ParamStatsSchema, W2: ParamStatsSchema, b2: ParamStatsSchema }),
});

// The compiler's check that these schemas and src/types.ts agree (a mismatch fails `tsc`).
type Fits<T, U> = [T] extends [U] ? true : false;
const summaryFits: Fits<Summary, Static<typeof SummarySchema>> & Fits<Static<typeof SummarySchema>, Summary> = true;
const trialFits: Fits<Trial, Static<typeof StoredTrialSchema>> = true;
const rowFits: Fits<MetricRow, Static<typeof MetricRowSchema>> = true;
const diagnosticsFits: Fits<DiagnosticsRow, Static<typeof DiagnosticsRowSchema>> & Fits<Static<typeof DiagnosticsRowSchema>, DiagnosticsRow> = true;
void [summaryFits, trialFits, rowFits, diagnosticsFits];
