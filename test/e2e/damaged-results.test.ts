// Damaged results: each named with its file and what is wrong; the report is built from the rest and `run-exp report`
// exits 1; a re-run trains the damaged trials again and says so; then the report, the table and --json agree.
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { ROOT } from '../paths.js';
import { fixtureOptions, fixturePlan, runDriver, tempOut } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'run-exp.js');
const report = (out: string, name: string) => execa(process.execPath, [BIN, 'report', name, '--out', out], { reject: false, env: { NO_COLOR: '1' } });
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The trials' data of a report page. */
async function reportTrials(file: string): Promise<{ id: string; status: string }[]> {
  const html = await readFile(file, 'utf8');
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  return (JSON.parse(m![1]!) as { datasets: { trials: { id: string; status: string }[] } }).datasets.trials;
}

// One trial per kind of damage (file, what is wrong), and t5 left whole.
const DAMAGE: { id: string; file: string; problem: RegExp; harm: (dir: string) => Promise<void> }[] = [
  {
    id: 't0-ok',
    file: 'metrics.jsonl:24', // 20 steps and two evaluations of two splits: the last line
    problem: /the last line is cut short \(no newline at its end\)/,
    harm: async (dir) => truncate(path.join(dir, 'metrics.jsonl'), (await readFile(path.join(dir, 'metrics.jsonl'))).length - 5),
  },
  { id: 't1-ok', file: 'summary.json', problem: /expected JSON, got "\{\\n {2}\\"id\\": \\"t1-ok\\",\\n {2}\\"sta/, harm: (dir) => truncate(path.join(dir, 'summary.json'), 30) },
  { id: 't2-ok', file: 'config.json', problem: /missing, yet the folder holds metrics\.jsonl, samples\.txt, summary\.json, weights\.json/, harm: (dir) => rm(path.join(dir, 'config.json')) },
  {
    id: 't3-ok',
    file: 'summary.json',
    problem: /id "t4-ok" is not this trial's \("t3-ok"\)/,
    harm: async (dir) => writeFile(path.join(dir, 'summary.json'), await readFile(path.join(dir, '..', 't4-ok', 'summary.json'))),
  },
  { id: 't4-ok', file: 'metrics.jsonl:3', problem: /expected step 2, got step 3/, harm: async (dir) => {
    const lines = (await readFile(path.join(dir, 'metrics.jsonl'), 'utf8')).split('\n');
    await writeFile(path.join(dir, 'metrics.jsonl'), lines.filter((_, i) => i !== 2).join('\n'));
  } },
];

describe('damaged results', () => {
  it('are named (file, what is wrong) by `run-exp report`, which still builds the report from the rest and exits 1; a re-run trains them again and says so', async () => {
    const out = await tempOut();
    const plan = fixturePlan('hurt', Array.from({ length: 6 }, () => ({ behave: 'ok' as const })));
    const first = await runDriver(plan, fixtureOptions(out), 'real');
    assert.equal(first.exitCode, 0, first.stderr + first.stdout);
    const trials = path.join(out, 'hurt', 'trials');
    for (const d of DAMAGE) await d.harm(path.join(trials, d.id));
    await mkdir(path.join(trials, 'notes'));
    await writeFile(path.join(trials, 'notes', 'todo.txt'), 'compare with lr 0.2\n');
    const html = path.join(out, 'hurt.html');
    await rm(html);

    // The report: built from t5 (and the damaged trials whose config.json is sound, shown as damaged), exit 1.
    const r = await report(out, 'hurt');
    assert.equal(r.exitCode, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    for (const d of DAMAGE) {
      assert.match(r.stderr, new RegExp(`^run-exp report: damaged results, left out: ${escape(path.join(trials, d.id, d.file))}: ${d.problem.source}`, 'm'), d.id);
    }
    assert.match(r.stderr, new RegExp(`^run-exp report: not shown: ${escape(path.join(trials, 'notes'))}: not a trial \\(no config\\.json; it holds todo\\.txt\\)$`, 'm'));
    assert.match(r.stderr, /^run-exp report: 5 damaged results left out of .*hurt\.html; they count as not finished: run the experiment again to train them again$/m);
    assert.equal(r.stdout, html);
    const shown = await reportTrials(html);
    assert.deepEqual(shown.map((t) => `${t.id} ${t.status}`), ['t0-ok damaged', 't1-ok damaged', 't3-ok damaged', 't4-ok damaged', 't5-ok ok']);
    assert.match(await readFile(html, 'utf8'), /<h2>⚠ 5 damaged results, left out<\/h2>/);

    // The re-run: each damaged trial named and trained again, the whole one skipped.
    await appendFile(path.join(trials, 'notes', 'todo.txt'), 'and 0.3\n');
    const again = await runDriver(plan, fixtureOptions(out, { json: true }), 'real');
    assert.equal(again.exitCode, 0, again.stderr);
    for (const d of DAMAGE) {
      assert.match(again.stderr, new RegExp(`^warning: damaged results of trial ${d.id}: ${escape(path.join(trials, d.id, d.file))}: ${d.problem.source}.*; it counts as not finished and runs again$`, 'm'));
      assert.match(again.stderr, new RegExp(`start ${d.id}\\b`));
    }
    assert.match(again.stderr, /skipping 1 of 6 trials finished by an earlier run/);
    assert.doesNotMatch(again.stderr, /start t5-ok/);

    // Now the report, the table and --json agree: six trials, all ok; the folder that is no trial is only mentioned.
    const doc = JSON.parse(again.stdout) as { trials: { id: string; status: string }[] };
    const table = again.stderr.split('\n').filter((l) => /^t\d-ok\s/.test(l));
    const page = await reportTrials(html);
    assert.deepEqual(doc.trials.map((t) => `${t.id} ${t.status}`), page.map((t) => `${t.id} ${t.status}`));
    assert.deepEqual(table.map((l) => l.split(/\s+/).slice(0, 1)[0]), page.map((t) => t.id));
    assert.equal(page.length, 6);
    assert.match(again.stderr, new RegExp(`^warning: not shown in the report: ${escape(path.join(trials, 'notes'))}: not a trial`, 'm'));
    const clean = await report(out, 'hurt');
    assert.equal(clean.exitCode, 0, clean.stderr);
  });
});
