// What `--dry-run` shows: one row per trial (its id and the values that vary), the total steps and
// an estimated time; or the same as one JSON document with `--json`.
import type { Plan } from '../types.js';
import { formatBytes, formatDurationRough } from '../format.js';
import { COST_MODEL, type Estimate } from '../launch/estimate.js';
import { formatValue } from '../values.js';

/** The plan as a table for the terminal. */
export function formatPlan(plan: Plan, estimate: Estimate): string {
  const { experiment, trials } = plan;
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const header = ['#', 'id', ...keys, 'steps', 'est.'];
  const rows = trials.map((t, i) => [
    String(t.index + 1),
    t.id,
    ...keys.map((k) => cell(t.params[k])),
    t.config.train.steps.toLocaleString('en-US'),
    formatDurationRough(estimate.trials[i]!.seconds),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((s, c) => (c === 0 || c >= header.length - 2 ? s.padStart(widths[c]!) : s.padEnd(widths[c]!))).join('  ').trimEnd();
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
    ...estimate.warnings.map((w) => `warning: ${w}`),
    `nothing was run or written (--dry-run)`,
  ].join('\n');
}

/** The plan as JSON: the resolved experiment, each trial with its configuration and estimate, the totals. */
export function planJson(plan: Plan, estimate: Estimate): unknown {
  return {
    file: plan.file,
    name: plan.experiment.name,
    experiment: plan.experiment,
    trials: plan.trials.map((t, i) => ({ id: t.id, index: t.index, params: t.params, repeat: t.repeat, seed: t.config.seed, steps: t.config.train.steps, estimated_seconds: round(estimate.trials[i]!.seconds), config: t.config })),
    total_steps: estimate.steps,
    estimated_seconds: round(estimate.seconds),
    estimated_wall_seconds: round(estimate.wallSeconds),
    estimated_bytes: Math.round(estimate.bytes),
    warnings: estimate.warnings,
    jobs: estimate.jobs,
    cost_model: COST_MODEL,
  };
}

function cell(value: unknown): string {
  return value === undefined ? '' : formatValue(value);
}

const round = (x: number) => Math.round(x * 10) / 10;
