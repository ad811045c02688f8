// Loading keeps the position of every node: diagnostics point at the key or value a path names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { MAX_FILE_BYTES, diagnosticAt, dotted, parseSource, readSource, toValue } from '../../src/config/load.js';
import { applyOverrides } from '../../src/config/overrides.js';
import { ConfigError, formatDiagnostic } from '../../src/config/diagnostics.js';

const TEXT = `name: pos
train:
  steps: 100
  lr:
    schedule: step
    start: 0.1
    drops:
      - {at: 50, lr: 0.01}
base: &b {hidden: 10}
model: *b
`;

describe('diagnosticAt locates a key path in the file', () => {
  const source = parseSource(TEXT, 'pos.yaml');
  const cases: { path: (string | number)[]; part?: 'key' | 'value'; where: string }[] = [
    { path: ['name'], where: 'pos.yaml:1:7' },
    { path: ['name'], part: 'key', where: 'pos.yaml:1:1' },
    { path: ['train', 'steps'], where: 'pos.yaml:3:10' },
    { path: ['train', 'lr', 'drops', 0, 'lr'], where: 'pos.yaml:8:22' },
    { path: ['model', 'hidden'], where: 'pos.yaml:9:19' }, // through the alias to its anchor
    { path: ['train', 'batch_size'], where: 'pos.yaml:3:3' }, // a default, not in the file: its mapping
    { path: ['eval', 'every'], where: 'pos.yaml:1:1' }, // nothing of it in the file: the document
  ];
  for (const { path, part, where } of cases) {
    it(`puts ${dotted(path)}${part === 'key' ? ' (key)' : ''} at ${where}`, () => {
      assert.equal(formatDiagnostic(diagnosticAt(source, path, 'm', part)), `${where} ${dotted(path)}: m`);
    });
  }
});

describe('an overridden value is located at its --set', () => {
  it('names the --set for the key and everything under it', () => {
    const source = parseSource(TEXT, 'pos.yaml');
    assert.deepEqual(applyOverrides(source, ['train.lr={schedule: range, min: 1, max: 2}']), []);
    assert.equal(formatDiagnostic(diagnosticAt(source, ['train', 'lr', 'max'], 'm')), '--set train.lr={schedule: range, min: 1, max: 2} train.lr.max: m');
    assert.equal(formatDiagnostic(diagnosticAt(source, ['train', 'steps'], 'm')), 'pos.yaml:3:10 train.steps: m');
    assert.deepEqual((toValue(source) as { train: { lr: unknown } }).train.lr, { schedule: 'range', min: 1, max: 2 });
  });
});

describe('dotted paths', () => {
  it('join keys with dots and show indices in brackets', () => {
    assert.equal(dotted(['train', 'lr', 'drops', 1, 'at']), 'train.lr.drops[1].at');
    assert.equal(dotted(['grid', 'train.batch_size', 0]), 'grid.train.batch_size[0]');
  });
});

describe('the size of an experiment file', () => {
  it('is refused past 1 MiB before the file is parsed, and accepted up to it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-load-'));
    try {
      const big = path.join(dir, 'big.yaml');
      const head = 'name: big\ndescription: ';
      await writeFile(big, head + 'x'.repeat(MAX_FILE_BYTES - head.length + 1));
      await assert.rejects(readSource(big), (e: ConfigError) => {
        assert.equal(e.message, `${big}: expected an experiment file of at most 1,048,576 bytes (1 MiB), got 1,048,577 bytes; word lists belong in a data.file, not in the YAML`);
        return true;
      });
      await writeFile(big, head + 'x'.repeat(MAX_FILE_BYTES - head.length));
      assert.equal((toValue(await readSource(big)) as { name: string }).name, 'big');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is refused past 1 MiB from a pipe too (no size to look at: it reads no more than the limit), and accepted up to it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'run-exp-load-'));
    try {
      const fifo = path.join(dir, 'piped.yaml');
      const head = 'name: piped\ndescription: ';
      for (const extra of [1, 0]) {
        await execa('mkfifo', [fifo]);
        const text = head + 'x'.repeat(MAX_FILE_BYTES - head.length + extra);
        const writer = writeFile(fifo, text).catch(() => {}); // the reader may close early: EPIPE
        const read = readSource(fifo).then((source) => (toValue(source) as { name: string }).name, (e: ConfigError) => e.message);
        assert.equal(await read, extra === 1 ? `${fifo}: expected an experiment file of at most 1,048,576 bytes (1 MiB), got more than 1,048,576 bytes; word lists belong in a data.file, not in the YAML` : 'piped');
        await writer;
        await rm(fifo);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
