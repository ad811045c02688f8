// Signals from the first line of the command on: one that comes while run-exp still loads and plans (nothing written
// yet) ends it with 130 and a line that says so, not silently with 128 + n; a command that handles no signal (a Slurm
// task) keeps the default action.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { ROOT } from './paths.js';
import { tempOut } from './e2e/helpers.js';

const BIN = path.join(ROOT, 'bin', 'run-exp.js');
const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Wait until run-exp's handlers are installed: the process catches SIGHUP (its bit in /proc/PID/status SigCgt; Node
 * itself catches SIGINT and SIGTERM from its start, to restore the terminal, so only SIGHUP's bit tells).
 */
async function handled(child: ResultPromise): Promise<void> {
  const signal = 'SIGHUP';
  for (const t0 = Date.now(); Date.now() - t0 < 10_000; await new Promise((r) => setTimeout(r, 2))) {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    if (mask !== undefined && (BigInt(`0x${mask}`) >> BigInt(SIGNALS[signal] - 1)) & 1n) return;
  }
  assert.fail(`the process never caught ${signal}`);
}

describe('a signal before anything is written', () => {
  for (const signal of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) {
    it(`ends a run that is still planning with exit 130 and a line (${signal}), writing nothing`, async () => {
      const dir = await tempOut();
      const file = path.join(dir, 'planning.yaml');
      // 10,000 trials: loading the command and planning take a good part of a second, the window the signal lands in.
      await writeFile(file, `name: planning\ngrid:\n  train.lr: [${Array.from({ length: 10_000 }, (_, i) => (i + 1) / 10_000).join(', ')}]\n`);
      const out = path.join(dir, 'out');
      const run = execa(process.execPath, [BIN, file, '--out', out], { reject: false });
      await handled(run);
      run.kill(signal);
      const result = await run;
      assert.equal(result.exitCode, 130, result.stderr);
      assert.equal(result.stderr, `run-exp: interrupted (${signal}) before anything was written`);
      assert.ok(!existsSync(out), 'nothing written');
    });
  }

  it('ends `run-exp report` that is still loading with exit 130 and a line, the old report left as it was', async () => {
    const out = await tempOut();
    await mkdir(path.join(out, 'stored'));
    await writeFile(path.join(out, 'stored.html'), 'the old report');
    const report = execa(process.execPath, [BIN, 'report', 'stored', '--out', out], { reject: false });
    await handled(report);
    report.kill('SIGTERM');
    const result = await report;
    assert.equal(result.exitCode, 130, result.stderr);
    assert.equal(result.stderr, 'run-exp: interrupted (SIGTERM) before anything was written');
    assert.equal(await readFile(path.join(out, 'stored.html'), 'utf8'), 'the old report');
  });

  it('gives the signals their default action back for a command that handles none (status, task: Slurm\'s SIGTERM ends a task)', async () => {
    const { main } = await import('../src/cli.js');
    const { interruptBeforeStart } = await import('../src/signals.js');
    const before = process.listenerCount('SIGHUP');
    interruptBeforeStart();
    assert.equal(process.listenerCount('SIGHUP'), before + 1);
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write; // status's "no results" line
    try {
      assert.equal(await main(['status', 'never-ran', '--out', await tempOut()]), 2);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(process.listenerCount('SIGHUP'), before);
  });
});
