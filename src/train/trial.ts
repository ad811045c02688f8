// One trial = one training job, as in the lecture. (Stub: the training engine, issue 3, replaces this.)
import type { TrainOptions, TrialConfig, TrialOutput } from '../types.js';

/** Train one trial from its resolved configuration; a diverged loss is a result, not an exception. */
export async function trainTrial(config: TrialConfig, options: TrainOptions): Promise<TrialOutput> {
  throw new Error(`trainTrial is not implemented yet (trial ${options.id}, ${config.train.steps} steps)`);
}
