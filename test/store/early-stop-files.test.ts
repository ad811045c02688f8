// Early stopping from the trials' files: appended rows are read once, whole lines only; a file begun again is read anew.
import assert from 'node:assert/strict';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { EarlyStopper } from '../../src/launch/early-stop.js';
import { EvaluationsOnDisk } from '../../src/store/early-stop-files.js';
import type { MetricRow } from '../../src/types.js';
import { tempOut } from '../e2e/helpers.js';

const rows = (...r: MetricRow[]) => r.map((x) => JSON.stringify(x) + '\n').join('');
const dev = (step: number, loss: number): MetricRow => ({ step, split: 'dev', loss });

test('a task decides from the evaluations its siblings wrote, as they write them', async () => {
  const trials = await tempOut();
  for (const id of ['a', 'b', 'me']) await mkdir(path.join(trials, id));
  const stopper = new EarlyStopper({ method: 'asha', metric: 'dev_loss', grace: 100, eta: 3 });
  const disk = new EvaluationsOnDisk(trials, ['a', 'b', 'me', 'not-started'], stopper);
  await writeFile(path.join(trials, 'a', 'metrics.jsonl'), rows({ step: 99, lr: 0.1, loss: 3 }, dev(100, 2.0)));
  await writeFile(path.join(trials, 'b', 'metrics.jsonl'), rows(dev(100, 2.2)) + '{"step":300,"split":"dev","lo'); // b is mid-line
  await writeFile(path.join(trials, 'me', 'metrics.jsonl'), rows(dev(100, 1.0))); // its own: given by the caller, not read
  await disk.refresh('me');
  stopper.observe('me', [dev(100, 2.3)]);
  const verdict = stopper.decide('me', 100); // {2.0, 2.2, 2.3}: cutoff 2.1333
  assert.match(verdict.stop ? verdict.reason : '', /dev loss 2\.3000 at step 100 is not in the best 1\/3 of the 3 trials/);

  // b finishes its line and reaches 300; read once, whatever the number of refreshes.
  await appendFile(path.join(trials, 'b', 'metrics.jsonl'), 'ss":2.1}\n');
  await disk.refresh('me');
  await disk.refresh('me');
  stopper.observe('me', [dev(300, 2.5)]);
  assert.equal(stopper.decide('me', 300).stop, true, '{2.1, 2.5} at 300: 2.5 is out');
});

test('a sibling begun again is forgotten and read from its start', async () => {
  const trials = await tempOut();
  await mkdir(path.join(trials, 'a'));
  const stopper = new EarlyStopper({ method: 'asha', metric: 'dev_loss', grace: 100, eta: 3 });
  const disk = new EvaluationsOnDisk(trials, ['a'], stopper);
  await writeFile(path.join(trials, 'a', 'metrics.jsonl'), rows({ step: 0, lr: 0.1, loss: 3 }, dev(100, 1.0), dev(300, 1.0)));
  await disk.refresh();
  await writeFile(path.join(trials, 'a', 'metrics.jsonl'), rows(dev(100, 5.0))); // a new attempt: shorter, other values
  await disk.refresh();
  stopper.observe('x', [dev(100, 3.0)]);
  assert.equal(stopper.decide('x', 100).stop, false, 'a at 100 is now 5.0: x (3.0) is the better of two');
});
