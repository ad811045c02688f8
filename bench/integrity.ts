// What results integrity costs and how fast a signal is heeded.
//
// usage: node dist/bench/integrity.js [--steps 200000] [--rounds 5] [--trials 100] [--report-steps 4000]
//
// 1. Checking a stored trial (src/store/check-trial.ts), as the resume step and the report do: one fixture trial of
//    `--steps` steps of the lecture's network, its metrics.jsonl as the runner writes it and the same rows
//    re-spaced (`{"step": 0, …}`, which goes through JSON.parse), in turns, `--rounds` times each.
// 2. A signal in the report stage: `run-exp report` on `--trials` fixture trials of `--report-steps` steps, once
//    undisturbed, then SIGTERM at 0, 25, 50 and 75 % of that time: the exit code, how long it took to stop, and
//    whether a temp file or a report was left.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkTrial } from '../src/store/check-trial.js';
import { writeFixtureResults } from '../test/report/fixture-results.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '5' },
    trials: { type: 'string', default: '100' },
    'report-steps': { type: 'string', default: '4000' },
  },
});
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/run-exp.js');
const out = await mkdtemp(path.join(os.tmpdir(), 'run-exp-bench-integrity-'));
try {
  await checking(Number(values.steps), Number(values.rounds));
  await signalling(Number(values.trials), Number(values['report-steps']));
} finally {
  await rm(out, { recursive: true, force: true });
}

async function checking(steps: number, rounds: number): Promise<void> {
  const { trials } = await writeFixtureResults(out, { name: 'check', steps, evalEvery: 1000, sample: 20 });
  const dir = path.join(out, 'check', 'trials', trials[0]!.id);
  const metrics = path.join(dir, 'metrics.jsonl');
  const canonical = await readFile(metrics, 'utf8');
  const spaced = canonical.replace(/":/g, '": ');
  const lines = canonical.split('\n').length - 1;
  console.log(`1. checkTrial on ${steps.toLocaleString('en-US')} steps (${lines.toLocaleString('en-US')} lines, ${(canonical.length / 1e6).toFixed(1)} MB)`);
  await checkTrial(dir); // warm-up
  const times: Record<string, number[]> = { 'as written': [], 're-spaced (JSON.parse)': [] };
  for (let r = 0; r < rounds; r++) {
    for (const [label, text] of [['as written', canonical], ['re-spaced (JSON.parse)', spaced]] as const) {
      await writeFile(metrics, text);
      const t = performance.now();
      const stored = await checkTrial(dir);
      times[label]!.push(performance.now() - t);
      if (stored.kind !== 'finished') throw new Error(`the fixture trial is ${stored.kind}`);
    }
  }
  for (const [label, ms] of Object.entries(times)) {
    const sorted = [...ms].sort((a, b) => a - b);
    console.log(`   ${label.padEnd(24)} median ${sorted[sorted.length >> 1]!.toFixed(0)} ms (${ms.map((m) => m.toFixed(0)).join(', ')}), ${((sorted[sorted.length >> 1]! * 1000) / lines).toFixed(2)} µs a line`);
  }
}

async function signalling(count: number, steps: number): Promise<void> {
  const lrs = Array.from({ length: count }, (_, i) => Number((0.01 + i * 0.002).toFixed(3)));
  await writeFixtureResults(out, { name: 'big', grid: { 'train.lr': lrs }, steps, evalEvery: 1000, sample: 4 });
  console.log(`2. run-exp report on ${count} trials of ${steps.toLocaleString('en-US')} steps, SIGTERM during it`);
  const calm = await report(undefined);
  console.log(`   undisturbed: exit ${calm.code}, the stage took ${calm.stageMs} ms`);
  for (const share of [0, 0.25, 0.5, 0.75]) {
    await rm(path.join(out, 'big.html'), { force: true });
    const r = await report(Math.round(share * calm.stageMs));
    const left = (await readdir(out)).filter((f) => f.endsWith('.tmp') || f === 'big.html');
    console.log(`   SIGTERM at ${String(share * 100).padStart(2)} %: exit ${r.code}, stopped ${r.stopMs ?? '-'} ms after the signal, left: ${left.join(', ') || 'nothing'}`);
  }
}

/** `run-exp report big`, with SIGTERM `delay` ms after it says it is building (none: undisturbed). */
function report(delay: number | undefined): Promise<{ code: number | null; stageMs: number; stopMs: number | undefined }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'report', 'big', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let building: number | undefined;
    let sent: number | undefined;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (building !== undefined || !/building/.test(stderr)) return;
      building = Date.now();
      if (delay !== undefined) setTimeout(() => ((sent = Date.now()), child.kill('SIGTERM')), delay);
    });
    child.on('exit', (code) => resolve({ code, stageMs: Date.now() - building!, stopMs: sent === undefined ? undefined : Date.now() - sent }));
  });
}
