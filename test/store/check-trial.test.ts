// The judge of a stored trial: finished, unfinished, damaged (with the file, the line and what is wrong) or no trial.
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkTrial, formatProblem, type StoredTrial } from '../../src/store/check-trial.js';
import { paramShapes } from '../../src/train/shapes.js';
import type { MetricRow } from '../../src/types.js';
import { withDir, writeFixtureResults } from '../report/fixture-results.js';

/** One finished ok trial (30 steps, evaluated every 10 on train and dev, 3 names, embedding 2); returns its folder. */
async function storedTrial(out: string): Promise<string> {
  const { trials } = await writeFixtureResults(out, { name: 'c', steps: 30, evalEvery: 10, sample: 3, embedDim: 2, hidden: 8 });
  return path.join(out, 'c', 'trials', trials[0]!.id);
}

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').slice(0, -1);
const writeLines = (file: string, rows: string[]) => writeFile(file, rows.map((l) => l + '\n').join(''));
const editJson = async (file: string, edit: (v: Record<string, unknown>) => void) => {
  const value = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  await writeFile(file, JSON.stringify(value));
};

describe('checkTrial', () => {
  it('finds a stored trial finished, and hands over every metrics row in order', () =>
    withDir(async (out) => {
      const dir = await storedTrial(out);
      const rows: MetricRow[] = [];
      const stored = await checkTrial(dir, { onMetric: (r) => rows.push(r) });
      assert.equal(stored.kind, 'finished');
      assert.equal(rows.length, 30 + 3 * 2, 'every step and three evaluations of two splits');
      assert.deepEqual(rows.map((r) => r.step).slice(0, 12), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10]);
      if (stored.kind === 'finished') assert.equal(stored.samples.length, 3);
    }));

  it('reads a row the same whether written as the runner writes it or otherwise (spaces, key order, exponents)', () =>
    withDir(async (out) => {
      const dir = await storedTrial(out);
      const file = path.join(dir, 'metrics.jsonl');
      const read = async () => {
        const rows: MetricRow[] = [];
        assert.equal((await checkTrial(dir, { onMetric: (r) => rows.push(r) })).kind, 'finished');
        return rows;
      };
      const canonical = await read();
      const reordered = (await lines(file)).map((l) => {
        const row = JSON.parse(l) as Record<string, unknown>;
        const text = JSON.stringify(Object.fromEntries(Object.entries(row).reverse()), null, 1).replace(/\n/g, ' ');
        return text.replace(/"lr": ([0-9.]+)/, (_, v: string) => `"lr": ${Number(v).toExponential()}`);
      });
      await writeLines(file, reordered);
      assert.deepEqual(await read(), canonical);
      assert.deepEqual(canonical, (await lines(file)).map((l) => JSON.parse(l)));
    }));

  it('accepts every status the report knows: ok, diverged, failed and unfinished, range tests included', () =>
    withDir(async (out) => {
      const { trials } = await writeFixtureResults(out, { name: 'g', grid: { 'train.lr': [0.1, 2, 0.05, 0.2] }, steps: 300, failed: [2], unfinished: [3] });
      const { trials: range } = await writeFixtureResults(out, { name: 'r', lr: { schedule: 'range', min: 0.001, max: 10 }, steps: 400, evalEvery: 400 });
      const verdicts = await Promise.all(trials.map((t) => checkTrial(path.join(out, 'g', 'trials', t.id))));
      assert.deepEqual(verdicts.map((v) => (v.kind === 'finished' ? v.summary.status : v.kind)), ['ok', 'diverged', 'failed', 'unfinished']);
      const r = await checkTrial(path.join(out, 'r', 'trials', range[0]!.id));
      assert.equal(r.kind === 'finished' && r.summary.status, 'diverged', JSON.stringify(r));
    }));

  // Each case damages one file of a finished trial the way disks, copies and editors do.
  const damage: { title: string; file: string; line?: number; message: RegExp; harm: (dir: string) => Promise<void> }[] = [
    {
      title: 'a metrics.jsonl cut in the middle of a line',
      file: 'metrics.jsonl',
      line: 36,
      message: /^the last line is cut short \(no newline at its end\): "\{\\"step\\":30,\\"split\\":\\"dev\\"/,
      harm: async (dir) => {
        const f = path.join(dir, 'metrics.jsonl');
        await truncate(f, (await readFile(f)).length - 10);
      },
    },
    {
      title: 'a metrics.jsonl cut at a line end, losing the final evaluation',
      file: 'metrics.jsonl',
      message: /^no final evaluation of train, dev at step 30 after the last step row \(eval\.splits: train, dev\)$/,
      harm: async (dir) => writeLines(path.join(dir, 'metrics.jsonl'), (await lines(path.join(dir, 'metrics.jsonl'))).slice(0, -2)),
    },
    {
      title: 'a metrics.jsonl with fewer steps than the summary',
      file: 'metrics.jsonl',
      message: /^10 step rows, but summary\.json says 30 steps$/,
      harm: async (dir) => writeLines(path.join(dir, 'metrics.jsonl'), (await lines(path.join(dir, 'metrics.jsonl'))).slice(0, 10)),
    },
    {
      title: 'an empty metrics.jsonl (a power cut before the data reached the disk)',
      file: 'metrics.jsonl',
      message: /^0 step rows, but summary\.json says 30 steps$/,
      harm: async (dir) => writeFile(path.join(dir, 'metrics.jsonl'), ''),
    },
    {
      title: 'a line of metrics.jsonl that is not JSON',
      file: 'metrics.jsonl',
      line: 5,
      message: /^expected one JSON object a line, got "\{\\"step\\": 4, \\"lr\\": 0\.1, \\"loss\\": 2\." \(/,
      harm: async (dir) => {
        const all = await lines(path.join(dir, 'metrics.jsonl'));
        all[4] = '{"step": 4, "lr": 0.1, "loss": 2.';
        await writeLines(path.join(dir, 'metrics.jsonl'), all);
      },
    },
    {
      title: 'a row of metrics.jsonl with a value of the wrong type',
      file: 'metrics.jsonl',
      line: 5,
      message: /^lr: expected a number, got "fast"$/,
      harm: async (dir) => {
        const all = await lines(path.join(dir, 'metrics.jsonl'));
        all[4] = '{"step":4,"lr":"fast","loss":2.5}';
        await writeLines(path.join(dir, 'metrics.jsonl'), all);
      },
    },
    {
      title: 'a step missing from metrics.jsonl',
      file: 'metrics.jsonl',
      line: 5,
      message: /^expected step 4, got step 5 \(step rows are 0, 1, 2, … in order\)$/,
      harm: async (dir) => writeLines(path.join(dir, 'metrics.jsonl'), (await lines(path.join(dir, 'metrics.jsonl'))).filter((_, i) => i !== 4)),
    },
    {
      title: 'an evaluation row out of place',
      file: 'metrics.jsonl',
      line: 3,
      message: /^an evaluation at step 10 after 2 step rows/,
      harm: async (dir) => {
        const all = await lines(path.join(dir, 'metrics.jsonl'));
        await writeLines(path.join(dir, 'metrics.jsonl'), [...all.slice(0, 2), all[10]!, ...all.slice(2, 10), ...all.slice(11)]);
      },
    },
    { title: 'a missing metrics.jsonl', file: 'metrics.jsonl', message: /^missing/, harm: (dir) => rm(path.join(dir, 'metrics.jsonl')) },
    {
      title: 'a summary.json cut short',
      file: 'summary.json',
      message: /^expected JSON, got "\{\\n {2}\\"id\\": .*\(/,
      harm: (dir) => truncate(path.join(dir, 'summary.json'), 40),
    },
    { title: 'an empty summary.json', file: 'summary.json', message: /^expected JSON, got an empty file/, harm: (dir) => writeFile(path.join(dir, 'summary.json'), '') },
    {
      title: 'a summary.json with a status nobody writes',
      file: 'summary.json',
      message: /^status: expected "ok", "diverged", "stopped" or "failed", got "done"$/,
      harm: (dir) => editJson(path.join(dir, 'summary.json'), (s) => (s.status = 'done')),
    },
    {
      title: "another trial's summary.json",
      file: 'summary.json',
      message: /^id "0000000000" is not this trial's \("[0-9a-f]{10}"\)$/,
      harm: (dir) => editJson(path.join(dir, 'summary.json'), (s) => (s.id = '0000000000')),
    },
    {
      title: 'a summary.json that says ok before the last step',
      file: 'summary.json',
      message: /^status ok after 20 of 30 steps/,
      harm: (dir) => editJson(path.join(dir, 'summary.json'), (s) => (s.steps = 20)),
    },
    {
      title: 'a summary.json without its final losses',
      file: 'summary.json',
      message: /^final: missing; expected /,
      harm: (dir) => editJson(path.join(dir, 'summary.json'), (s) => delete s.final),
    },
    { title: 'a missing config.json', file: 'config.json', message: /^missing, yet the folder holds metrics\.jsonl, samples\.txt, summary\.json, weights\.json$/, harm: (dir) => rm(path.join(dir, 'config.json')) },
    { title: 'a config.json that is not JSON', file: 'config.json', message: /^expected JSON, got "nope"/, harm: (dir) => writeFile(path.join(dir, 'config.json'), 'nope') },
    {
      title: "a config.json whose id is not its folder's",
      file: 'config.json',
      message: /^id "elsewhere" is not the folder's name "[0-9a-f]{10}"$/,
      harm: (dir) => editJson(path.join(dir, 'config.json'), (t) => (t.id = 'elsewhere')),
    },
    {
      title: 'a config.json with a model that is no model',
      file: 'config.json',
      message: /^config\.model\.hidden: expected a positive integer, got "wide"$/,
      harm: (dir) => editJson(path.join(dir, 'config.json'), (t) => (((t.config as Record<string, Record<string, unknown>>).model!.hidden = 'wide'))),
    },
    { title: 'a missing samples.txt', file: 'samples.txt', message: /^missing/, harm: (dir) => rm(path.join(dir, 'samples.txt')) },
    { title: 'a samples.txt with a name short', file: 'samples.txt', message: /^2 names, expected 3 \(sample: 3\)$/, harm: (dir) => writeFile(path.join(dir, 'samples.txt'), 'ava\nmia\n') },
    {
      title: 'a weights.json cut short',
      file: 'weights.json',
      message: /^expected JSON, got /,
      harm: async (dir) => truncate(path.join(dir, 'weights.json'), (await readFile(path.join(dir, 'weights.json'))).length / 2),
    },
    {
      title: 'a weights.json of another model',
      file: 'weights.json',
      message: /^W1: expected shape \[6, 8\] \(vocabulary 27, model 3\/2\/8\), got \[6,9\]$/,
      harm: async (dir) => {
        const w = JSON.parse(await readFile(path.join(dir, 'weights.json'), 'utf8')) as { shape: number[] }[];
        w[1]!.shape = [6, 9];
        await writeFile(path.join(dir, 'weights.json'), JSON.stringify(w));
      },
    },
  ];
  for (const c of damage) {
    it(`names ${c.title}: the file${c.line === undefined ? '' : ', the line'} and what is wrong`, () =>
      withDir(async (out) => {
        const dir = await storedTrial(out);
        await c.harm(dir);
        const stored = await checkTrial(dir);
        assert.equal(stored.kind, 'damaged', JSON.stringify(stored).slice(0, 300));
        const { problem, trial } = stored as Extract<StoredTrial, { kind: 'damaged' }>;
        assert.equal(problem.file, path.join(dir, c.file));
        assert.equal(problem.line, c.line);
        assert.match(problem.message, c.message);
        assert.equal(trial === null, c.file === 'config.json', 'the trial is known unless config.json is what is damaged');
        assert.equal(formatProblem(problem), `${path.join(dir, c.file)}${c.line === undefined ? '' : `:${c.line}`}: ${problem.message}`);
      }));
  }

  describe('diagnostics.jsonl, of a trial with diagnostics.every', () => {
    /** One finished ok trial of 30 steps with diagnostics every 10: rows at steps 0, 10, 20. */
    async function withDiagnostics(out: string): Promise<string> {
      const { trials } = await writeFixtureResults(out, { name: 'd', steps: 30, evalEvery: 10, sample: 3, hidden: 8, diagnostics: 10 });
      return path.join(out, 'd', 'trials', trials[0]!.id);
    }
    const file = (dir: string) => path.join(dir, 'diagnostics.jsonl');

    it('finds the trial finished, and hands over every row in order', () =>
      withDir(async (out) => {
        const dir = await withDiagnostics(out);
        const steps: number[] = [];
        assert.equal((await checkTrial(dir, { onDiagnostics: (r) => steps.push(r.step) })).kind, 'finished');
        assert.deepEqual(steps, [0, 10, 20]);
      }));

    const cases: { title: string; line?: number; message: RegExp; harm: (dir: string) => Promise<void> }[] = [
      { title: 'a missing diagnostics.jsonl', message: /^missing \(a trial with diagnostics\.every keeps them\)$/, harm: (dir) => rm(file(dir)) },
      {
        title: 'a diagnostics.jsonl cut in the middle of a line',
        line: 3,
        message: /^the last line is cut short \(no newline at its end\): "\{\\"step\\":20,\\"lr\\"/,
        harm: async (dir) => truncate(file(dir), (await readFile(file(dir))).length - 10),
      },
      {
        title: 'a row missing',
        line: 2,
        message: /^expected step 10, got step 20 \(diagnostics are steps 0, 10, 20, … in order\)$/,
        harm: async (dir) => writeLines(file(dir), (await lines(file(dir))).filter((_, i) => i !== 1)),
      },
      {
        title: 'the last row missing',
        message: /^2 rows, expected 3: one for each of steps 0, 10, 20, … before step 30 \(summary\.json: ok after 30 steps\)$/,
        harm: async (dir) => writeLines(file(dir), (await lines(file(dir))).slice(0, 2)),
      },
      {
        title: 'a histogram of 49 bins',
        line: 1,
        message: /^tanh\.hist: expected a list of 50 non-negative integers/,
        harm: async (dir) => {
          const all = await lines(file(dir));
          const row = JSON.parse(all[0]!) as { tanh: { hist: number[] } };
          row.tanh.hist.pop();
          await writeLines(file(dir), [JSON.stringify(row), ...all.slice(1)]);
        },
      },
    ];
    for (const c of cases) {
      it(`names ${c.title}: the file${c.line === undefined ? '' : ', the line'} and what is wrong`, () =>
        withDir(async (out) => {
          const dir = await withDiagnostics(out);
          await c.harm(dir);
          const stored = await checkTrial(dir);
          assert.equal(stored.kind, 'damaged', JSON.stringify(stored).slice(0, 300));
          const { problem } = stored as Extract<StoredTrial, { kind: 'damaged' }>;
          assert.deepEqual([problem.file, problem.line], [file(dir), c.line]);
          assert.match(problem.message, c.message);
        }));
    }

    it("takes a diverged trial's row at the step where its loss stopped being finite, or none there", () =>
      withDir(async (out) => {
        const dir = await withDiagnostics(out);
        await editJson(path.join(dir, 'summary.json'), (s) => Object.assign(s, { status: 'diverged', steps: 20 }));
        await writeLines(path.join(dir, 'metrics.jsonl'), [...Array.from({ length: 20 }, (_, step) => JSON.stringify({ step, lr: 0.1, loss: 3 })), '{"step":20,"split":"train","loss":3}', '{"step":20,"split":"dev","loss":3}']);
        assert.equal((await checkTrial(dir)).kind, 'finished', 'steps 0, 10 and 20: the diagnostics of step 20 came before its non-finite loss');
        await writeLines(file(dir), (await lines(file(dir))).slice(0, 2));
        assert.equal((await checkTrial(dir)).kind, 'finished', 'steps 0 and 10: a divergence found inside a chunk');
        await writeLines(file(dir), (await lines(file(dir))).slice(0, 1));
        assert.equal((await checkTrial(dir)).kind, 'damaged');
      }));

    it('leaves a diagnostics.jsonl alone in a trial without diagnostics.every', () =>
      withDir(async (out) => {
        const dir = await storedTrial(out);
        await writeFile(file(dir), 'not json\n');
        assert.equal((await checkTrial(dir)).kind, 'finished');
      }));
  });

  it('accepts a config.json written before the rng key existed, and either built-in word list', () =>
    withDir(async (out) => {
      const dir = await storedTrial(out);
      const config = path.join(dir, 'config.json');
      await editJson(config, (t) => delete (t.config as Record<string, unknown>).rng);
      assert.equal((await checkTrial(dir)).kind, 'finished');
      await editJson(config, (t) => ((t.config as { data: Record<string, unknown> }).data.builtin = 'makemore'));
      assert.equal((await checkTrial(dir)).kind, 'finished');
      await editJson(config, (t) => ((t.config as { data: Record<string, unknown> }).data.builtin = 'babynames'));
      assert.equal((await checkTrial(dir)).kind, 'damaged');
    }));

  it("holds a failed trial's kept rows to its summary: whole, in order, as many steps as it says", () =>
    withDir(async (out) => {
      const { trials } = await writeFixtureResults(out, { name: 'f', steps: 30, failed: [0] });
      const dir = path.join(out, 'f', 'trials', trials[0]!.id);
      const rows = Array.from({ length: 5 }, (_, step) => JSON.stringify({ step, lr: 0.1, loss: 3 }));
      await writeLines(path.join(dir, 'metrics.jsonl'), rows);
      await editJson(path.join(dir, 'summary.json'), (s) => (s.steps = 5));
      const kept = await checkTrial(dir);
      assert.equal(kept.kind === 'finished' && kept.summary.status, 'failed', JSON.stringify(kept));
      await editJson(path.join(dir, 'summary.json'), (s) => (s.steps = 3));
      const off = await checkTrial(dir);
      assert.equal(off.kind === 'damaged' && off.problem.message, '5 step rows, but summary.json says 3 steps');
    }));

  it('calls a trial with config.json and part of metrics.jsonl but no summary.json unfinished, not damaged', () =>
    withDir(async (out) => {
      const dir = await storedTrial(out);
      await rm(path.join(dir, 'summary.json'));
      await truncate(path.join(dir, 'metrics.jsonl'), 100); // interrupted in the middle of a line
      assert.equal((await checkTrial(dir)).kind, 'unfinished');
    }));

  it('calls a folder without any trial file no trial, and lists what it holds', () =>
    withDir(async (out) => {
      const dir = path.join(out, 'notes');
      assert.deepEqual(await checkTrial(dir), { kind: 'not-a-trial', files: [] });
      await mkdir(dir);
      await writeFile(path.join(dir, 'todo.txt'), 'try lr 0.2\n');
      assert.deepEqual(await checkTrial(dir), { kind: 'not-a-trial', files: ['todo.txt'] });
    }));

  it('expects the weights of the shapes the model has (as src/train/model.ts gives them)', () =>
    withDir(async (out) => {
      const dir = await storedTrial(out);
      const stored = await checkTrial(dir);
      assert.ok(stored.kind === 'finished');
      const shapes = paramShapes(stored.summary.vocab.length, stored.trial.config.model);
      assert.deepEqual(Object.fromEntries(stored.weights.map((w) => [w.name, w.shape])), shapes);
    }));
});
