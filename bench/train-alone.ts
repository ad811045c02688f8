// Trials trained in this one process with trainTrial and nothing around it: no pool, no IPC, no files, no report.
// bench/overhead.ts runs it once with all of a grid's trials, and as two processes with half each at once: what two
// independent trainings gain on this machine, the yardstick for what `--jobs 2` gains through run-exp.
//
// usage: node dist/bench/train-alone.js FILE.yaml [--part K/N] [--backend auto]   (part K of N: trials K-1, K-1+N, …)
import { parseArgs } from 'node:util';
import { planExperiment } from '../src/config/plan.js';
import { trainTrial } from '../src/train/trial.js';
import type { BackendName } from '../src/types.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { part: { type: 'string', default: '1/1' }, backend: { type: 'string', default: 'auto' } },
});
const [k, n] = values.part.split('/').map(Number) as [number, number];
const { plan } = await planExperiment(positionals[0]!);
const mine = plan.trials.filter((_, i) => i % n === k - 1);
for (const trial of mine) {
  const { summary } = await trainTrial(trial.config, { id: trial.id, backend: values.backend as BackendName });
  if (summary.status !== 'ok') throw new Error(`trial ${trial.id} ended ${summary.status}`);
}
