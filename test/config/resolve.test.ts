// Resolving what depends on the disk: word files become absolute paths (relative to the YAML file) read once each,
// with their hash and sizes; without a file the built-in list is named; a file that cannot serve as a word list is a
// problem at its key, a word the model cannot take a problem at its line and column in the word file.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { KeyPath } from '../../src/config/load.js';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { resolve } from '../../src/config/resolve.js';
import type { Experiment } from '../../src/config/schema.js';
import { tempOut } from '../e2e/helpers.js';

/** Resolve `experiment` as if read from DIR/exp/exp.yaml; every problem collected. */
async function resolveIn(dir: string, experiment: object) {
  const problems: [KeyPath, string][] = [];
  const inFile: Diagnostic[] = [];
  const resolved = await resolve(experiment as Experiment, path.join(dir, 'exp', 'exp.yaml'), (at, message) => problems.push([at, message]), (d) => inFile.push(d));
  return { ...resolved, problems, inFile };
}

describe('resolve', () => {
  it('makes word files absolute, next to the YAML file, and reads each once with its hash and sizes', async () => {
    const dir = await tempOut();
    await mkdir(path.join(dir, 'exp', 'data'), { recursive: true });
    const text = 'emma\nzoë\n\n  ava  \n';
    await writeFile(path.join(dir, 'exp', 'data', 'w.txt'), text);
    await writeFile(path.join(dir, 'other.txt'), 'bob\n');
    const file = path.join(dir, 'exp', 'data', 'w.txt');
    const { experiment, files, problems } = await resolveIn(dir, { data: { file: 'data/w.txt' }, grid: { 'data.file': ['data/w.txt', '../other.txt'] } });
    assert.deepEqual(problems, []);
    assert.equal(experiment.data.file, file);
    assert.deepEqual(experiment.grid['data.file'], [file, path.join(dir, 'other.txt')]);
    assert.deepEqual(files.get(file), { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text), words: 3, examples: 5 + 4 + 4, chars: 7 });
    assert.equal(files.size, 2);
  });

  it('names the built-in list when no file is given, and leaves the experiment it was given as it was', async () => {
    const given = { data: { split: { train: 0.8, dev: 0.1, test: 0.1 } }, grid: {} };
    const { experiment, files } = await resolveIn(await tempOut(), given);
    assert.deepEqual(experiment.data, { builtin: 'names', split: { train: 0.8, dev: 0.1, test: 0.1 } });
    assert.deepEqual(given.data, { split: { train: 0.8, dev: 0.1, test: 0.1 } });
    assert.equal(files.size, 0);
  });

  it('says which file cannot serve as a word list, at its key: missing, a folder, empty, binary', async () => {
    const dir = await tempOut();
    await mkdir(path.join(dir, 'exp', 'folder'), { recursive: true });
    await writeFile(path.join(dir, 'exp', 'empty.txt'), '\n \n');
    await writeFile(path.join(dir, 'exp', 'bin.dat'), Buffer.from([0x61, 0x62, 0x00, 0x63]));
    const { problems, files } = await resolveIn(dir, { data: { file: 'nope.txt' }, grid: { 'data.file': ['folder', 'empty.txt', 'bin.dat'] } });
    assert.deepEqual(problems, [
      [['data', 'file'], `expected an existing word file, got "nope.txt" (${path.join(dir, 'exp', 'nope.txt')} does not exist)`],
      [['grid', 'data.file', 0], 'expected a word file, got "folder", which is not a regular file'],
      [['grid', 'data.file', 1], 'expected a file with at least one word, got "empty.txt", which holds none'],
      [['grid', 'data.file', 2], '"bin.dat" looks binary (a NUL byte at offset 2); expected UTF-8 text, one word per line'],
    ]);
    assert.equal(files.size, 0);
  });

  it('locates a word with "." or a character beyond the BMP at its line and column in the word file', async () => {
    const dir = await tempOut();
    await mkdir(path.join(dir, 'exp'));
    await writeFile(path.join(dir, 'exp', 'w.txt'), 'emma\nj.r\nok\nab😀\n');
    const { inFile, problems } = await resolveIn(dir, { data: { file: 'w.txt' } });
    assert.deepEqual(problems, []);
    assert.deepEqual(inFile.map((d) => [d.line, d.col, d.path]), [[2, 2, 'data.file'], [4, 3, 'data.file']]);
    assert.match(inFile[0]!.message, /^expected a word without "\." \(the start\/end token\), got "j\.r"/);
  });
});
