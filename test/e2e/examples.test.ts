// Every example in experiments/ runs end to end through the real CLI, in a shortened form:
// its report is written and worth opening, and the expectations that still apply to the short form hold.
// The full-length figures are in the README; these runs keep the examples from rotting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Summary } from '../../src/types.js';
import { checkExpectations, formatMisses, type ExpectationResult } from '../../src/expect/index.js';
import { readResults } from '../../src/report/load.js';
import { ROOT } from '../paths.js';

interface Example {
  file: string;
  set: string[]; // the overrides that shorten it
  holds: number[] | 'all'; // indices of the expectations that must still hold in the short form
  why: string; // why the others do not
}

const EXAMPLES: Example[] = [
  { file: 'overfit-one-batch.yaml', set: [], holds: 'all', why: '' }, // already short: 30 examples
  { file: 'lecture-exact.yaml', set: [], holds: 'all', why: '' }, // already short: 1,000 steps on 32 examples
  { file: 'loss-modes.yaml', set: ['train.steps=300'], holds: [1, 2], why: 'at 300 steps the lr-0.1 losses are still far from their final value' },
  {
    file: 'minibatch.yaml',
    set: ['data.slice.first=800', 'train.steps=100', 'eval.every=20'], // a full batch of 800 words, not 6,722
    holds: [0],
    why: 'at 100 steps no run is near its final loss',
  },
  { file: 'lr-sweep.yaml', set: [], holds: 'all', why: '' }, // already short: 1,000 steps of a small net
  {
    file: 'lr-decay.yaml',
    set: ['train.steps=1500', 'train.lr={schedule: step, start: 0.1, drops: [{at: 1000, lr: 0.01}]}', 'eval.every=500'],
    holds: [0],
    why: 'the loss bounds need the full 200,000 steps',
  },
  { file: 'quickstart.yaml', set: ['train.steps=600'], holds: [0, 2], why: 'at 600 steps the lr-0.1 dev loss is still far from its final value' },
  {
    file: 'init-fixes.yaml',
    set: ['train.steps=1200', 'train.lr={schedule: step, start: 0.1, drops: [{at: 600, lr: 0.01}]}', 'eval.every=600', 'diagnostics.every=200'],
    holds: [0, 1, 2],
    why: 'the loss bounds need the full 200,000 steps',
  },
  {
    file: 'lr-random.yaml',
    set: ['search.trials=6', 'train.steps=1800', 'eval.every=200', 'early_stop.grace=200'], // rungs at 200 and 600
    holds: [0],
    why: 'the bounds on the best trial need the full 20,000 steps',
  },
];

/** What `run-exp --json` prints (see the design). */
interface JsonOutput {
  report: string;
  trials: { id: string; params: Record<string, unknown>; status: string; final: Summary['final'] }[];
  expectations: ExpectationResult[]; // every check, passed or not (run-exp adds this to the design's document)
}

for (const example of EXAMPLES) {
  test(`${example.file} runs in short form, writes its report, and meets the expectations that apply`, { timeout: 120_000 }, async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'run-exp-example-'));
    try {
      const args = ['bin/run-exp.js', `experiments/${example.file}`, ...example.set.flatMap((s) => ['--set', s]), '--out', out, '--json'];
      const run = await execa('node', args, { cwd: ROOT, reject: false, env: { NO_COLOR: '1' }, timeout: 110_000 });
      assert.ok(!run.timedOut, `run-exp took over 110 s; stderr:\n${run.stderr}`);
      assert.ok(run.stdout.trim().startsWith('{'), `expected one JSON document on stdout (exit ${run.exitCode}); stderr:\n${run.stderr}`);
      const json = JSON.parse(run.stdout) as JsonOutput;

      // 1. No trial failed: diverged is a result, failed is a defect.
      for (const t of json.trials) assert.notEqual(t.status, 'failed', `trial ${t.id} failed; stderr:\n${run.stderr}`);

      // 2. The report exists and carries charts and the experiment's name.
      const html = await readFile(path.resolve(ROOT, json.report), 'utf8');
      const name = path.basename(example.file, '.yaml');
      assert.ok(html.length > 20_000, `report ${json.report} is only ${html.length} characters`);
      assert.ok(html.includes(name), `report does not name the experiment ${name}`);
      assert.ok(/vega/i.test(html), 'report has no Vega-Lite charts');

      // 3. Expectations, recomputed from what was written: the ones that apply to the short form hold,
      //    and the exit code is 1 exactly when some expectation missed.
      const { experiment, trials, summaries } = await storedResults(out, name, json);
      const results = checkExpectations(experiment, trials, summaries);
      const applicable = results.filter((r) => example.holds === 'all' || example.holds.includes(r.expectation));
      assert.ok(applicable.length > 0, 'no expectation was checked');
      assert.equal(formatMisses(applicable), '', `expectations missed in the short form (${example.why || 'all should hold'})`);
      assert.deepEqual(json.expectations, results, 'the run checked other expectations than the stored results give');
      const missed = results.some((r) => !r.passed);
      assert.equal(run.exitCode, missed ? 1 : 0, `exit code; misses:\n${formatMisses(results)}\nstderr:\n${run.stderr}`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
}

/** The stored results as the report reads them: the resolved experiment, the trials and their summaries. */
async function storedResults(out: string, name: string, json: JsonOutput) {
  const stored = await readResults(out, name);
  const damaged = [...stored.trials.flatMap((t) => t.problem ?? []), ...stored.unread.map((u) => u.problem)];
  assert.deepEqual(damaged, [], 'what the real trainer wrote is sound to the checker (src/store/check-trial.ts)');
  const ids = new Set(stored.trials.map((t) => t.trial.id));
  for (const t of json.trials) assert.ok(ids.has(t.id), `trial ${t.id} has no config.json in ${path.join(out, name, 'trials')}`);
  const summaries = new Map(stored.trials.flatMap((t) => (t.summary === null ? [] : [[t.trial.id, t.summary] as const])));
  return { experiment: stored.experiment, trials: stored.trials.map((t) => t.trial), summaries };
}
