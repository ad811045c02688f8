// A killed trial loses nothing (#20): real training through the command line, killed with SIGKILL (the whole process
// group, at random moments), interrupted with SIGTERM, run again, until it finishes; then its metrics.jsonl,
// diagnostics.jsonl, weights.json and samples.txt are the bytes of a run that was never interrupted. And early stopping, interrupted and
// resumed at --jobs 1, decides what the uninterrupted run decided.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { execaNode } from 'execa';
import { Rng } from '../../src/rng/streams.js';
import { ROOT } from '../paths.js';
import { tempFilesUnder, tempOut } from './helpers.js';

const CLI = path.join(ROOT, 'bin', 'run-exp.js');
const FILES = ['metrics.jsonl', 'diagnostics.jsonl', 'weights.json', 'samples.txt'];

/**
 * Two trials of a small network, a checkpoint every chunk (500 steps): a second or a few of training each. Diagnostics
 * every 250 steps: chunks end there too, and every checkpoint is at a diagnostics step (taken again after a resume).
 */
async function experiment(dir: string): Promise<string> {
  const file = path.join(dir, 'killed.yaml');
  await writeFile(
    file,
    [
      'name: killed',
      'data: {builtin: names, slice: {first: 200}}',
      'model: {block_size: 3, embed_dim: 2, hidden: 16}',
      'train: {steps: 3000, batch_size: 16}',
      'eval: {every: 1000}',
      'sample: 5',
      'checkpoint: {every: 500}',
      'diagnostics: {every: 250}',
      'grid: {train.lr: [0.05, 0.2]}',
      '',
    ].join('\n'),
  );
  return file;
}

/** The run-exp command in its own process group (so that the group can be killed, as a terminal or a scheduler would). */
const start = (file: string, out: string) => execaNode(CLI, [file, '--out', out, '--jobs', '2', '--backend', 'wasm'], { reject: false, nodeOptions: [], detached: true, env: { NO_COLOR: '1' } });

/** sha256 of each trial's files, by trial id. */
async function hashes(out: string): Promise<Record<string, Record<string, string>>> {
  const trials = path.join(out, 'killed', 'trials');
  const result: Record<string, Record<string, string>> = {};
  for (const id of (await readdir(trials)).sort()) {
    result[id] = {};
    for (const f of FILES) result[id]![f] = createHash('sha256').update(await readFile(path.join(trials, id, f))).digest('hex');
  }
  return result;
}

/** Lines in a trial's metrics.jsonl (0 when it has none yet). */
async function rowsOf(out: string): Promise<number> {
  const trials = await readdir(path.join(out, 'killed', 'trials')).catch(() => [] as string[]);
  let most = 0;
  for (const id of trials) {
    const text = await readFile(path.join(out, 'killed', 'trials', id, 'metrics.jsonl'), 'utf8').catch(() => '');
    most = Math.max(most, text.split('\n').length - 1);
  }
  return most;
}

describe('a trial killed or interrupted, and run again until it finishes', () => {
  let file: string;
  let reference: Record<string, Record<string, string>>;
  before(async () => {
    const dir = await tempOut();
    file = await experiment(dir);
    const out = path.join(dir, 'reference');
    const result = await start(file, out);
    assert.equal(result.exitCode, 0, result.stderr);
    reference = await hashes(out);
  });

  it('ends with the files of an uninterrupted run: SIGKILL of the process group at random moments, SIGTERM, a checkpoint of another engine', async () => {
    const seed = Number(process.env['RUN_EXP_KILL_SEED'] ?? Date.now() % 2 ** 32);
    const rng = new Rng(seed);
    const said = `(RUN_EXP_KILL_SEED=${seed} repeats these moments)`;
    const dir = await tempOut();
    const out = path.join(dir, 'killed');
    const steps = 3000; // a trial's step rows: when to kill is read from how far its files are
    const moments: string[] = [];

    // 1. SIGKILL of the whole process group at random moments: while it starts, or once the metrics reach a random row.
    for (let k = 0; k < 3; k++) {
      const run = start(file, out);
      const early = k === 0 && rng.float() < 0.5;
      if (early) {
        const ms = Math.round(300 + 1200 * rng.float());
        moments.push(`${ms} ms after the start`);
        await new Promise((r) => setTimeout(r, ms));
      } else {
        const rows = Math.round(steps * (0.1 + 0.8 * rng.float()));
        const jitter = Math.round(250 * rng.float()); // lands anywhere in a chunk: mid-append, mid-checkpoint
        moments.push(`at ${rows} rows + ${jitter} ms`);
        for (const t0 = Date.now(); run.exitCode === null && (await rowsOf(out)) < rows && Date.now() - t0 < 60_000; ) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, jitter));
      }
      try {
        process.kill(-run.pid!, 'SIGKILL');
      } catch {
        // it had ended already
      }
      await run;
    }

    // 2. SIGTERM: each running trial writes a checkpoint at its next chunk boundary; exit 130 within 3 s.
    const run = start(file, out);
    let stderr = '';
    run.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const base = await rowsOf(out);
    for (const t0 = Date.now(); run.exitCode === null && (await rowsOf(out)) < base + 600 && Date.now() - t0 < 60_000; ) await new Promise((r) => setTimeout(r, 20));
    const sent = Date.now();
    run.kill('SIGTERM');
    const interrupted = await run;
    const ms = Date.now() - sent;
    assert.ok(interrupted.exitCode === 130 || interrupted.exitCode === 0, `exit code ${interrupted.exitCode} (0: it had finished) ${interrupted.stderr} ${said}`);
    if (interrupted.exitCode === 130) {
      assert.ok(ms < 3000, `it took ${ms} ms to stop ${said}`);
      assert.match(interrupted.stderr, /checkpoint at step [\d,]+ written; the next run resumes it from there/, `${interrupted.stderr} ${said}`);
      assert.deepEqual(await tempFilesUnder(out), []);
    }

    // 3. A checkpoint of another engine (hash and all in order): the trainer does not use it; that trial starts from 0.
    const trials = path.join(out, 'killed', 'trials');
    const withCheckpoint: string[] = [];
    for (const id of await readdir(trials)) if (await stat(path.join(trials, id, 'checkpoint.json')).then(() => true, () => false)) withCheckpoint.push(id);
    const other = withCheckpoint.sort()[0];
    if (other !== undefined) {
      const checkpoint = path.join(trials, other, 'checkpoint.json');
      const { sha256: _old, ...rest } = JSON.parse(await readFile(checkpoint, 'utf8')) as { sha256: string; state: { engine: string } };
      rest.state.engine = 'kernel';
      const body = JSON.stringify(rest);
      await writeFile(checkpoint, `{"sha256":${JSON.stringify(createHash('sha256').update(body).digest('hex'))},${body.slice(1)}\n`);
    }

    // 4. The last run finishes: the files are the uninterrupted run's, and no checkpoint is left.
    const last = await start(file, out);
    assert.equal(last.exitCode, 0, `${last.stderr} ${said}`);
    if (other !== undefined) assert.match(last.stderr, new RegExp(`trial ${other}: its checkpoint is not used, it was trained by the kernel engine, this run trains with tfjs; it starts from step 0`), said);
    const resumed = withCheckpoint.filter((id) => id !== other);
    for (const id of resumed) assert.match(last.stderr, new RegExp(`trial ${id}: resumed from step [\\d,]+ of 3,000`), `${last.stderr} ${said}`);
    assert.deepEqual(await hashes(out), reference, `moments: ${moments.join('; ')} ${said}`);
    for (const id of await readdir(trials)) assert.deepEqual((await readdir(path.join(trials, id))).filter((f) => f === 'checkpoint.json'), [], 'finished: no checkpoint');
  });
});

describe('early stopping, killed and resumed at --jobs 1', () => {
  /** A random search of the lr with ASHA (rungs at 200, 600 and 1,800 of 2,000 steps), a checkpoint at every evaluation. */
  async function search(dir: string): Promise<string> {
    const file = path.join(dir, 'asha.yaml');
    await writeFile(
      file,
      [
        'name: asha',
        'data: {builtin: names, slice: {first: 200}}',
        'model: {block_size: 3, embed_dim: 2, hidden: 16}',
        'train: {steps: 2000, batch_size: 16}',
        'eval: {every: 200, splits: [dev]}',
        'sample: 2',
        'checkpoint: {every: 200}',
        'search: {method: random, trials: 4, seed: 5}',
        'grid: {train.lr: {log_uniform: [0.001, 3]}}',
        'early_stop: {method: asha, grace: 200, eta: 3}',
        '',
      ].join('\n'),
    );
    return file;
  }
  const run = (file: string, out: string) => execaNode(CLI, [file, '--out', out, '--jobs', '1', '--backend', 'wasm'], { reject: false, nodeOptions: [], detached: true });
  /** Each trial's status, steps and file hashes. */
  async function decided(out: string): Promise<string[]> {
    const trials = path.join(out, 'asha', 'trials');
    return Promise.all(
      (await readdir(trials)).sort().map(async (id) => {
        const s = JSON.parse(await readFile(path.join(trials, id, 'summary.json'), 'utf8')) as { status: string; steps: number };
        const metrics = createHash('sha256').update(await readFile(path.join(trials, id, 'metrics.jsonl'))).digest('hex');
        return `${id} ${s.status} ${s.steps} ${metrics}`;
      }),
    );
  }
  /** Rows in every trial's metrics.jsonl. */
  async function allRows(out: string): Promise<number> {
    const trials = await readdir(path.join(out, 'asha', 'trials')).catch(() => [] as string[]);
    let n = 0;
    for (const id of trials) n += (await readFile(path.join(out, 'asha', 'trials', id, 'metrics.jsonl'), 'utf8').catch(() => '')).split('\n').length - 1;
    return n;
  }

  it('makes the decisions of the uninterrupted run: the evaluations up to a checkpoint are told again, in order', async () => {
    const dir = await tempOut();
    const file = await search(dir);
    const reference = await run(file, path.join(dir, 'reference'));
    assert.equal(reference.exitCode, 0, reference.stderr);
    const expected = await decided(path.join(dir, 'reference'));
    assert.ok(expected.some((d) => / stopped /.test(d)) && expected.some((d) => / ok 2000 /.test(d)), expected.join('\n'));

    const seed = Number(process.env['RUN_EXP_KILL_SEED'] ?? Date.now() % 2 ** 32);
    const rng = new Rng(seed);
    const out = path.join(dir, 'killed');
    const killed = run(file, out);
    const at = Math.round(1500 + 3000 * rng.float()); // rows of all trials: somewhere in the second to fourth trial
    for (const t0 = Date.now(); killed.exitCode === null && (await allRows(out)) < at && Date.now() - t0 < 60_000; ) await new Promise((r) => setTimeout(r, 20));
    try {
      process.kill(-killed.pid!, 'SIGKILL');
    } catch {
      // it had ended already
    }
    await killed;
    const again = await run(file, out);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual(await decided(out), expected, `killed at ${at} rows (RUN_EXP_KILL_SEED=${seed} repeats it)\n${again.stderr}`);
  });
});
