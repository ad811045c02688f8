// What `--dry-run` shows: one row per trial (its id and the values that vary), the total steps, an estimated time and
// each trial's peak memory; or the same as one JSON document with `--json`.
import type { Plan } from '../types.js';
import { formatBytes, formatDurationRough } from '../format.js';
import { COST_MODEL, type Estimate } from '../launch/estimate.js';
import type { MemoryPlan } from '../launch/memory.js';
import { formatValue } from '../values.js';

/** The plan as a table for the terminal; `warnings` are the estimate's and the memory's. */
export function formatPlan(plan: Plan, estimate: Estimate, memory: MemoryPlan, warnings: string[]): string {
  const { experiment, trials } = plan;
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const header = ['#', 'id', ...keys, 'steps', 'est.', 'memory'];
  const rows = trials.map((t, i) => [
    String(t.index + 1),
    t.id,
    ...keys.map((k) => cell(t.params[k])),
    t.config.train.steps.toLocaleString('en-US'),
    formatDurationRough(estimate.trials[i]!.seconds),
    formatBytes(memory.trials[i]!.bytes),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((s, c) => (c === 0 || c >= header.length - 3 ? s.padStart(widths[c]!) : s.padEnd(widths[c]!))).join('  ').trimEnd();
  const varying = keys.length === 0 ? '' : ` (${keys.join(' × ')})`;
  const count = `${trials.length} trial${trials.length === 1 ? '' : 's'}`;
  const time =
    estimate.jobs > 1
      ? `about ${formatDurationRough(estimate.wallSeconds)} with ${estimate.jobs} jobs (${formatDurationRough(estimate.seconds)} of compute)`
      : `about ${formatDurationRough(estimate.seconds)}`;
  const atMost = experiment.early_stop === undefined ? '' : ` at most (early stopping, ${experiment.early_stop.method}, ends hopeless trials sooner)`;
  return [
    `${experiment.name}: ${count}${varying} from ${plan.file}`,
    line(header),
    ...rows.map(line),
    `total: ${estimate.steps.toLocaleString('en-US')} steps${atMost}; estimated time ${time}; about ${formatBytes(estimate.bytes)} of results`,
    memoryLine(plan, memory),
    ...warnings.map((w) => `warning: ${w}`),
    `nothing was run or written (--dry-run)`,
  ].join('\n');
}

/** Memory at the peak: each trial's (the process that trains it) and the run's, against what must hold it. */
function memoryLine(plan: Plan, memory: MemoryPlan): string {
  const largest = Math.max(0, ...memory.trials.map((t) => t.bytes));
  const limit = memory.limit === undefined ? '' : ` of ${formatBytes(memory.limit)}`;
  if (plan.experiment.executor.kind === 'slurm') {
    return `memory: up to about ${formatBytes(largest)} a task at its peak (${memory.limitSaid ?? "the cluster's default --mem"}${limit})`;
  }
  return `memory: up to about ${formatBytes(largest)} a trial at its peak; the run about ${formatBytes(memory.peak)} with ${memory.workers} at once${limit === '' ? '' : ` (this machine:${limit.slice(3)})`}`;
}

/** The plan as JSON: the resolved experiment, each trial with its configuration and estimate, the totals. */
export function planJson(plan: Plan, estimate: Estimate, memory: MemoryPlan, warnings: string[]): unknown {
  return {
    file: plan.file,
    name: plan.experiment.name,
    experiment: plan.experiment,
    trials: plan.trials.map((t, i) => ({
      id: t.id,
      index: t.index,
      params: t.params,
      repeat: t.repeat,
      seed: t.config.seed,
      steps: t.config.train.steps,
      estimated_seconds: round(estimate.trials[i]!.seconds),
      estimated_peak_bytes: Math.round(memory.trials[i]!.bytes),
      config: t.config,
    })),
    total_steps: estimate.steps,
    estimated_seconds: round(estimate.seconds),
    estimated_wall_seconds: round(estimate.wallSeconds),
    estimated_bytes: Math.round(estimate.bytes),
    estimated_peak_bytes: Math.round(memory.peak),
    memory_limit_bytes: memory.limit ?? null,
    warnings,
    jobs: estimate.jobs,
    cost_model: COST_MODEL,
  };
}

function cell(value: unknown): string {
  return value === undefined ? '' : formatValue(value);
}

const round = (x: number) => Math.round(x * 10) / 10;
