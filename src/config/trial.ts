// What the config stages produce: the trials of an experiment, every default filled in, and the plan that holds them.
// Plain JSON-serialisable data; src/types.ts re-exports it beside what the later stages produce.
import type { Data, Diagnostics, EngineName, Eval, Experiment, LossMode, Model, RngMode, Train } from './schema.js';

/** Where the words of a trial come from, resolved: a built-in list, or an absolute file path with its content hash. */
export type ResolvedData = Omit<Data, 'builtin' | 'file'> &
  ({ builtin: NonNullable<Data['builtin']>; file?: undefined } | { builtin?: undefined; file: string; sha256: string });

/** Everything one training job needs, every default filled in. The worker receives exactly this. */
export interface TrialConfig {
  seed: number; // the trial's own seed: derived from the base seed and the configuration (streams), or seed + repeat (torch)
  rng: RngMode; // which generators the draws come from
  data: ResolvedData;
  model: Model;
  loss: LossMode;
  engine: EngineName; // what runs the SGD steps
  train: Train;
  eval: Eval;
  sample: number;
  diagnostics?: Diagnostics; // absent: no diagnostics.jsonl
}

/** One trial of an experiment: a point of the grid × one repeat. Written as trials/ID/config.json. */
export interface Trial {
  id: string; // short hash of the resolved configuration (stable across runs and machines)
  index: number; // position in the stable expansion order
  params: Record<string, unknown>; // the values that vary (grid keys, and "repeat" when repeat > 1)
  repeat: number; // 0-based repeat index
  config: TrialConfig;
}

/** The plan: the resolved experiment and its trials. */
export interface Plan {
  file: string; // the YAML file, as given
  experiment: Experiment; // resolved: every default filled in, overrides applied
  trials: Trial[];
}
