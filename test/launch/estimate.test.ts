// The --dry-run estimate: time with the trials shared out over workers, and what it warns about.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES } from '../paths.js';
import { planExperiment } from '../../src/config/plan.js';
import { diagnosticsSteps, estimatePlan } from '../../src/launch/estimate.js';

const SWEEP = path.join(FIXTURES, 'config', 'good', 'sweep.yaml');

describe('estimatePlan', () => {
  it('shares the trials out over the workers: two jobs take about half the time of one', async () => {
    const { plan, files } = await planExperiment(SWEEP);
    const one = estimatePlan(plan, files, 1, 2);
    const two = estimatePlan(plan, files, 2, 2);
    assert.equal(one.seconds, two.seconds, 'the same work');
    assert.ok(two.wallSeconds < one.wallSeconds && two.wallSeconds >= one.wallSeconds / 2, `${two.wallSeconds} against ${one.wallSeconds}`);
    assert.deepEqual(two.warnings, []);
  });

  it('counts workers beyond the cores as no faster, and says so, as a run does', async () => {
    const { plan, files } = await planExperiment(SWEEP);
    const two = estimatePlan(plan, files, 2, 2);
    const three = estimatePlan(plan, files, 3, 2);
    assert.equal(three.jobs, 3);
    assert.equal(three.wallSeconds, two.wallSeconds);
    assert.match(three.warnings.join('\n'), /^--jobs 3: 3 workers on 2 CPU cores take turns on them, so each trial runs about 1\.5× slower/);
  });

  it('counts Slurm tasks as running at once whatever the cores here', async () => {
    const { plan, files } = await planExperiment(SWEEP, ['executor.kind=slurm']);
    const three = estimatePlan(plan, files, 3, 2);
    const two = estimatePlan(plan, files, 2, 2);
    assert.ok(three.wallSeconds < two.wallSeconds, `${three.wallSeconds} against ${two.wallSeconds}`);
    assert.deepEqual(three.warnings, []);
  });

  it("counts diagnostics.jsonl's bytes: about 1,000 a diagnostics step, steps 0, every, 2·every, … before train.steps", async () => {
    const { plan, files } = await planExperiment(SWEEP, ['train.steps=1000']);
    const { plan: diagnosed } = await planExperiment(SWEEP, ['train.steps=1000', 'diagnostics={every: 300}']);
    assert.equal(diagnosticsSteps(diagnosed.trials[0]!), 4); // 0, 300, 600, 900
    assert.equal(diagnosticsSteps(plan.trials[0]!), 0);
    const [without, within] = [estimatePlan(plan, files, 1, 2), estimatePlan(diagnosed, files, 1, 2)];
    assert.equal(within.bytes - without.bytes, plan.trials.length * 4 * 1000);
    assert.ok(within.seconds > without.seconds);
  });
});
