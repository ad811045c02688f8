// What --dry-run prints: a row per trial (its id, the values that vary, steps, time, peak memory) aligned in columns,
// the totals, the memory line of a local run or of a Slurm task (with the limit the file sets), the warnings, and the
// same as JSON.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { planExperiment } from '../../src/config/plan.js';
import { estimatePlan } from '../../src/launch/estimate.js';
import { planMemory } from '../../src/launch/memory.js';
import { formatPlan, planJson } from '../../src/terminal/plan.js';
import { tempOut } from '../e2e/helpers.js';

/** --dry-run of a YAML text with 2 workers on a machine of 16 GB: the table, the JSON, and the plan. */
async function dryRun(yaml: string) {
  const file = path.join(await tempOut(), 'exp.yaml');
  await writeFile(file, yaml);
  const { plan, files } = await planExperiment(file);
  const memory = planMemory(plan, files, { jobs: 2, backend: 'wasm', machine: { total: 16e9, limit: 16e9, available: 16e9, limitedBy: "this machine's memory" } });
  const estimate = estimatePlan(plan, files, memory.workers, 2);
  return { plan, text: formatPlan(plan, estimate, memory, ['one to say']), json: planJson(plan, estimate, memory, []) as Record<string, unknown>, estimate };
}

describe('formatPlan', () => {
  it('shows a row per trial with the values that vary, in aligned columns, then the totals and the memory', async () => {
    const { plan, text } = await dryRun('name: exp\ntrain: {steps: 500}\ngrid:\n  train.lr: [0.1, 0.05]\n  model.hidden: [100, 2000]\n');
    const lines = text.split('\n');
    assert.equal(lines[0], `exp: 4 trials (train.lr × model.hidden) from ${plan.file}`);
    assert.match(lines[1]!, /^ {2}#  id {10}train\.lr  model\.hidden  steps {2}est\. {2}memory$/);
    const rows = lines.slice(2, 6);
    assert.deepEqual(rows.map((r) => r.trim().split(/\s+/).slice(0, 5)), plan.trials.map((t) => [String(t.index + 1), t.id, String(t.params['train.lr']), String(t.params['model.hidden']), '500']));
    assert.equal(new Set(rows.map((r) => r.length)).size, 1, `aligned:\n${rows.join('\n')}`);
    assert.match(lines[6]!, /^total: 2,000 steps; estimated time about .+ with 2 jobs \(.+ of compute\); about \d+ [KM]B of results$/);
    assert.match(lines[7]!, /^memory: up to about \d+ MB a trial at its peak; the run about \d+ MB with 2 at once \(this machine: 16 GB\)$/);
    assert.deepEqual(lines.slice(8), ['warning: one to say', 'nothing was run or written (--dry-run)']);
  });

  it('says a Slurm task\'s limit as the file sets it: mem_gb, a --mem of sbatch_args, or the cluster\'s default', async () => {
    const slurm = async (executor: string) => (await dryRun(`name: exp\nexecutor: {kind: slurm${executor}}\n`)).text.split('\n').find((l) => l.startsWith('memory:'));
    assert.match((await slurm(', mem_gb: 2'))!, /^memory: up to about \d+ MB a task at its peak \(executor\.mem_gb: 2 of 2\.1 GB\)$/);
    assert.match((await slurm(', sbatch_args: ["--mem=3G"]'))!, /^memory: up to about \d+ MB a task at its peak \(--mem=3G of 3\.2 GB\)$/);
    assert.match((await slurm(''))!, /^memory: up to about \d+ MB a task at its peak \(the cluster's default --mem\)$/);
  });
});

describe('planJson', () => {
  it('holds each trial with its configuration and estimates, and the totals', async () => {
    const { plan, json, estimate } = await dryRun('name: exp\ntrain: {steps: 300}\ngrid:\n  train.lr: [0.1, 0.2]\n');
    const trials = json['trials'] as { id: string; params: object; steps: number; estimated_peak_bytes: number; config: object }[];
    assert.deepEqual(trials.map((t) => [t.id, t.params, t.steps, t.config]), plan.trials.map((t) => [t.id, t.params, 300, t.config]));
    assert.ok(trials.every((t) => t.estimated_peak_bytes > 100e6));
    assert.equal(json['total_steps'], 600);
    assert.equal(json['estimated_bytes'], Math.round(estimate.bytes));
    assert.equal(json['memory_limit_bytes'], 16e9);
    assert.deepEqual(JSON.parse(JSON.stringify(json)), json, 'plain JSON');
  });
});
