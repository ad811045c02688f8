// A trial's files as it runs: config.json at its start, metrics.jsonl chunk by chunk, summary.json last.
import assert from 'node:assert/strict';
import { appendFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { readSummary } from '../../src/store/files.js';
import type { StoreFault } from '../../src/store/fs-errors.js';
import { TrialWriter } from '../../src/store/trial-files.js';
import { Rng } from '../../src/rng/streams.js';
import type { DiagnosticsRow, MetricRow, Summary, TrainState, TrialOutput } from '../../src/types.js';
import { fixturePlan, tempOut } from '../e2e/helpers.js';

const trial = fixturePlan('files', [{ behave: 'ok' }]).trials[0]!;
const summary = { id: trial.id, status: 'ok', engine: 'kernel', final: { train_loss: 2, dev_loss: 2.1, test_loss: null } } as Summary;
const output: TrialOutput = { summary, samples: ['emma', 'ava'], weights: [{ name: 'b1', shape: [2], values: [0.5, -0.5] }] };
const chunks: MetricRow[][] = [
  [{ step: 0, lr: 0.1, loss: 3.3 }, { step: 1, lr: 0.1, loss: 3.1 }],
  [{ step: 2, lr: 0.1, loss: 3 }, { step: 3, split: 'dev', loss: 2.9 }],
];
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r) + '\n').join('');

/** A row of diagnostics.jsonl at `step` (its numbers are not read here). */
function diagnosticsRow(step: number): DiagnosticsRow {
  const p = { grad_std: 0.1, data_std: 1, grad_data: 0.1, update_data: -2 };
  return { step, lr: 0.1, tanh: { mean: 0, std: 0.5, saturated: 0.25, dead: 0, hist: [1, 2, 3] }, params: { C: p, W1: p, b1: p, W2: p, b2: p } };
}

describe('TrialWriter', () => {
  it('writes config.json and an empty metrics.jsonl at once, then appends each chunk in order, summary.json last', async () => {
    const dir = path.join(await tempOut(), trial.id);
    const writer = new TrialWriter(dir, trial);
    await writer.settle();
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'metrics.jsonl']);
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')), trial);
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), '');
    writer.metrics(chunks[0]!);
    await writer.settle();
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), jsonl(chunks[0]!), 'a chunk is on disk as soon as it is written');
    writer.metrics(chunks[1]!);
    await writer.finish(output, 'a warning\n');
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'metrics.jsonl', 'samples.txt', 'stderr.log', 'summary.json', 'weights.json']);
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), jsonl(chunks.flat()));
    assert.equal(await readFile(path.join(dir, 'samples.txt'), 'utf8'), 'emma\nava\n');
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'weights.json'), 'utf8')), output.weights);
    assert.deepEqual(await readSummary(dir), summary);
    const times = await Promise.all((await readdir(dir)).map(async (f) => [f, (await stat(path.join(dir, f))).mtimeMs] as const));
    assert.equal(times.find(([f]) => f === 'summary.json')![1], Math.max(...times.map(([, t]) => t)));
  });

  it('counts the steps whose rows were written, ignoring evaluation rows', () => {
    const writer = new TrialWriter(path.join('/nonexistent', 'x'), trial);
    assert.equal(writer.stepsWritten, 0);
    writer.metrics(chunks[0]!);
    assert.equal(writer.stepsWritten, 2);
    writer.metrics(chunks[1]!);
    assert.equal(writer.stepsWritten, 3);
  });

  it('starts a new attempt clean: an earlier summary, metrics, samples, weights and stderr.log are gone', async () => {
    const dir = path.join(await tempOut(), trial.id);
    const first = new TrialWriter(dir, trial);
    first.metrics(chunks.flat());
    await first.finish(output, 'old noise\n');
    const second = new TrialWriter(dir, trial);
    await second.settle();
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'metrics.jsonl']);
    second.metrics(chunks[0]!);
    await second.finish(output, '');
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), jsonl(chunks[0]!));
    assert.ok(!(await readdir(dir)).includes('stderr.log'));
  });

  it('keeps the metrics of the steps a failed trial trained, with its stderr and summary', async () => {
    const dir = path.join(await tempOut(), trial.id);
    const writer = new TrialWriter(dir, trial);
    writer.metrics(chunks[0]!);
    await writer.fail({ ...summary, status: 'failed', reason: 'boom' } as Summary, 'Error: boom\n');
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'metrics.jsonl', 'stderr.log', 'summary.json']);
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), jsonl(chunks[0]!));
    assert.equal((await readSummary(dir))?.status, 'failed');
  });

  it('rethrows the first failed write when the trial ends, and writes no summary after it', async () => {
    const out = await tempOut();
    const dir = path.join(out, 'a-file'); // the trial's directory is a file: every write fails (root ignores permissions)
    await writeFile(dir, 'not a directory');
    const writer = new TrialWriter(dir, trial);
    writer.metrics(chunks[0]!);
    await assert.rejects(writer.finish(output, ''), /EEXIST|ENOTDIR/);
    assert.equal(await readFile(dir, 'utf8'), 'not a directory');
  });

  it('tells onFault of the first failed write at once, as a StoreFault naming the file', async () => {
    const out = await tempOut();
    const dir = path.join(out, 'a-file');
    await writeFile(dir, 'not a directory');
    const faults: StoreFault[] = [];
    const writer = new TrialWriter(dir, trial, { onFault: (f) => faults.push(f) });
    writer.metrics(chunks[0]!);
    await writer.settle();
    assert.equal(faults.length, 1);
    assert.match(faults[0]!.message, new RegExp(`^cannot create the folder ${dir}: (it already exists \\(EEXIST\\)|not a directory \\(ENOTDIR\\))$`));
  });
});

describe('appendMetrics', () => {
  it('cuts a write that the disk cuts short back to the last whole line, and says why', async () => {
    // A file size limit (RLIMIT_FSIZE, as `ulimit -f`) makes the kernel write part of the chunk, then refuse the rest
    // (EFBIG): a full disk does the same with ENOSPC. The child appends 2,000 rows to a file of one row under a 16 KiB limit.
    const dir = await tempOut();
    await writeFile(path.join(dir, 'metrics.jsonl'), jsonl(chunks[0]!));
    const module = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/store/trial-files.js');
    const rows = Array.from({ length: 2000 }, (_, i) => ({ step: i + 2, lr: 0.1, loss: 2.123456789 }));
    const code = `import { appendMetrics } from ${JSON.stringify(module)};\nawait appendMetrics(${JSON.stringify(dir)}, ${JSON.stringify(rows)}).catch((e) => console.log(e.message));`;
    const child = await execa('prlimit', ['--fsize=16384', process.execPath, '--input-type=module', '-e', code], { reject: false });
    assert.equal(child.exitCode, 0, child.stderr);
    assert.equal(child.stdout, `cannot append to ${path.join(dir, 'metrics.jsonl')}: file too large (past a file size limit: ulimit -f, or the file system's) (EFBIG)`);
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), jsonl(chunks[0]!));
  });
});

describe('TrialWriter with resume', () => {
  /** A trial's directory after an attempt that wrote two chunks with a checkpoint after the first, then more rows and a line cut short. */
  async function interrupted(): Promise<string> {
    const dir = path.join(await tempOut(), trial.id);
    const writer = new TrialWriter(dir, trial);
    writer.metrics(chunks[0]!);
    await writer.checkpoint(fixtureState(2));
    writer.metrics(chunks[1]!);
    await writer.settle();
    await appendFile(path.join(dir, 'metrics.jsonl'), '{"step":4,"lr":0.1,"lo'); // killed mid-append
    return dir;
  }

  it('goes on from the checkpoint: metrics.jsonl cut back to its rows, the counts where it left them, the checkpoint kept', async () => {
    const dir = await interrupted();
    const writer = new TrialWriter(dir, trial, { resume: true });
    const begun = await writer.begun;
    assert.equal(begun.checkpoint?.step, 2);
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), jsonl(chunks[0]!));
    assert.deepEqual([writer.stepsWritten, writer.checkpointStep], [2, 2]);
    writer.metrics(chunks[1]!);
    await writer.finish(output, '');
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), jsonl(chunks.flat()));
    assert.ok(!(await readdir(dir)).includes('checkpoint.json'), 'a finished trial keeps no checkpoint');
  });

  it('begins afresh, saying why, when the checkpoint is damaged or metrics.jsonl is not the one it was taken of', async (t) => {
    const cases: [string, (dir: string) => Promise<void>, RegExp][] = [
      ['a damaged checkpoint', (dir) => writeFile(path.join(dir, 'checkpoint.json'), '{"sha256":'), /^it is not whole JSON/],
      ['metrics.jsonl shorter than at the checkpoint', (dir) => writeFile(path.join(dir, 'metrics.jsonl'), '{"step":0'), /metrics\.jsonl holds 9 bytes, fewer than the \d+ it had at the checkpoint/],
      ['another metrics.jsonl of the same length', async (dir) => writeFile(path.join(dir, 'metrics.jsonl'), (await readFile(path.join(dir, 'metrics.jsonl'), 'utf8')).replace('"loss":3.1', '"loss":3.2')), /not the one the checkpoint was taken of/],
    ];
    for (const [name, damage, why] of cases) {
      await t.test(name, async () => {
        const dir = await interrupted();
        await damage(dir);
        const writer = new TrialWriter(dir, trial, { resume: true });
        const begun = await writer.begun;
        assert.equal(begun.checkpoint, undefined);
        assert.match(begun.dropped ?? '', why);
        assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'metrics.jsonl']);
        assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), '');
        assert.deepEqual([writer.stepsWritten, writer.checkpointStep], [0, null]);
      });
    }
  });

  it('begins again from step 0 when the trainer cannot use the checkpoint (restart): no rows, no checkpoint', async () => {
    const dir = await interrupted();
    const writer = new TrialWriter(dir, trial, { resume: true });
    await writer.begun;
    writer.restart();
    writer.metrics(chunks[0]!);
    await writer.settle();
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), jsonl(chunks[0]!));
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'metrics.jsonl']);
  });

  it('cuts diagnostics.jsonl back to the checkpoint as metrics.jsonl: the resumed files are the bytes of an uninterrupted run', async () => {
    const looked = { ...trial, config: { ...trial.config, diagnostics: { every: 2 } } };
    const diagnostics = [diagnosticsRow(0), diagnosticsRow(2)];
    const dir = path.join(await tempOut(), trial.id);
    const first = new TrialWriter(dir, looked);
    first.diagnostics([diagnostics[0]!]);
    first.metrics(chunks[0]!);
    await first.checkpoint(fixtureState(2));
    first.diagnostics([diagnostics[1]!]);
    first.metrics(chunks[1]!);
    await first.settle();
    await appendFile(path.join(dir, 'diagnostics.jsonl'), '{"step":4,"lr":0.1,"ta'); // killed mid-append

    const writer = new TrialWriter(dir, looked, { resume: true });
    assert.equal((await writer.begun).checkpoint?.step, 2);
    assert.equal(await readFile(path.join(dir, 'diagnostics.jsonl'), 'utf8'), jsonl([diagnostics[0]!]));
    writer.diagnostics([diagnostics[1]!]);
    writer.metrics(chunks[1]!);
    await writer.finish(output, '');
    assert.equal(await readFile(path.join(dir, 'diagnostics.jsonl'), 'utf8'), jsonl(diagnostics));
    assert.equal(await readFile(path.join(dir, 'metrics.jsonl'), 'utf8'), jsonl(chunks.flat()));

    // Begun afresh when diagnostics.jsonl lacks rows the checkpoint counts, and restart() empties it as metrics.jsonl.
    const again = path.join(await tempOut(), trial.id);
    const cut = new TrialWriter(again, looked);
    cut.diagnostics([diagnostics[0]!]);
    await cut.checkpoint(fixtureState(2));
    await writeFile(path.join(again, 'diagnostics.jsonl'), '');
    const fresh = new TrialWriter(again, looked, { resume: true });
    assert.match((await fresh.begun).dropped ?? '', /^diagnostics\.jsonl holds 0 bytes, fewer than the \d+ it had at the checkpoint$/);
    fresh.diagnostics([diagnostics[0]!]);
    await fresh.checkpoint(fixtureState(2));
    const restarted = new TrialWriter(again, looked, { resume: true });
    assert.equal((await restarted.begun).checkpoint?.step, 2);
    restarted.restart();
    await restarted.settle();
    assert.deepEqual([await readFile(path.join(again, 'diagnostics.jsonl'), 'utf8'), (await readdir(again)).sort()], ['', ['config.json', 'diagnostics.jsonl', 'metrics.jsonl']]);
  });

  it('keeps the checkpoint of a trial that failed: the next run goes on from it', async () => {
    const dir = await interrupted();
    const writer = new TrialWriter(dir, trial, { resume: true });
    await writer.begun;
    await writer.fail({ ...summary, status: 'failed', reason: 'killed' } as Summary, '');
    assert.ok((await readdir(dir)).includes('checkpoint.json'));
  });
});

/** A TrainState of the fixture trial's shapes (vocabulary '.ab') at `step`. */
function fixtureState(step: number): TrainState {
  const { block_size: T, embed_dim: E, hidden: H } = trial.config.model;
  const w = (n: number) => new Float32Array(n).fill(0.25);
  const rng = new Rng(1).getState();
  return {
    step,
    weights: { C: w(3 * E), W1: w(T * E * H), b1: w(H), W2: w(H * 3), b2: w(3) },
    draws: { rng: 'streams', init: rng, batch: rng, sample: rng },
    first_loss: 3.3,
    final: { train_loss: null, dev_loss: null, test_loss: null },
    last_eval_step: -1,
    range_test: null,
    time: { seconds: 1, train_seconds: 1, train_cpu_seconds: 1, peak_bytes: 1, started_at: new Date().toISOString() },
    backend: 'wasm',
    engine: 'tfjs',
    vocab: '.ab',
  };
}
