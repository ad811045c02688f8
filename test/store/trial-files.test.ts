// A trial's files as it runs: config.json at its start, metrics.jsonl chunk by chunk, summary.json last.
import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { readSummary } from '../../src/store/files.js';
import type { StoreFault } from '../../src/store/fs-errors.js';
import { TrialWriter } from '../../src/store/trial-files.js';
import type { MetricRow, Summary, TrialOutput } from '../../src/types.js';
import { fixturePlan, tempOut } from '../e2e/helpers.js';

const trial = fixturePlan('files', [{ behave: 'ok' }]).trials[0]!;
const summary = { id: trial.id, status: 'ok', final: { train_loss: 2, dev_loss: 2.1, test_loss: null } } as Summary;
const output: TrialOutput = { summary, samples: ['emma', 'ava'], weights: [{ name: 'b1', shape: [2], values: [0.5, -0.5] }] };
const chunks: MetricRow[][] = [
  [{ step: 0, lr: 0.1, loss: 3.3 }, { step: 1, lr: 0.1, loss: 3.1 }],
  [{ step: 2, lr: 0.1, loss: 3 }, { step: 3, split: 'dev', loss: 2.9 }],
];
const jsonl = (rows: MetricRow[]) => rows.map((r) => JSON.stringify(r) + '\n').join('');

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
    const writer = new TrialWriter(dir, trial, (f) => faults.push(f));
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
