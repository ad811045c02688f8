// DIR/index.html written whole, under DIR/.index.lock: writers that race each rebuild from the disk, the last one's
// page has every experiment, and no reader sees a torn file.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { execa, execaNode } from 'execa';
import { writeIndex } from '../../../src/report/overview/index.js';
import { ROOT } from '../../paths.js';
import { withDir, writeFixtureResults } from '../fixture-results.js';

const compiled = (name: string) => path.join(ROOT, 'dist', 'test', 'fixtures', 'workers', name);
const names = (html: string) => [...html.matchAll(/class="pick" value="([^"]+)"/g)].map((m) => m[1]);

test('writeIndex writes DIR/index.html whole and sweeps the temp files of index writers that are gone', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'one', steps: 50 });
    await writeFile(path.join(out, '.index.html.999999.deadbeef.tmp'), 'a torn page of a writer killed meanwhile');
    const file = await writeIndex(out);
    assert.equal(file, path.join(out, 'index.html'));
    assert.deepEqual((await readdir(out)).sort(), ['index.html', 'one']);
    const html = await readFile(file, 'utf8');
    assert.match(html, /<\/html>\n$/);
    assert.deepEqual(names(html), ['one']);
  }));

test('a writer waits while another holds DIR/.index.lock, then reads DIR afresh: what changed meanwhile is on its page', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'first', steps: 50 });
    const holder = execaNode(compiled('lock-taker.js'), [path.join(out, '.index.lock'), '600', 'return']);
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const t0 = Date.now();
    const writing = writeIndex(out);
    await writeFixtureResults(out, { name: 'second', steps: 50 }); // another run ends meanwhile
    await writing;
    assert.ok(Date.now() - t0 >= 400, `waited ${Date.now() - t0} ms for the holder`);
    assert.deepEqual(names(await readFile(path.join(out, 'index.html'), 'utf8')), ['first', 'second']);
    await holder;
    assert.deepEqual((await readdir(out)).filter((f) => f.startsWith('.')), [], 'no lock or temp file left');
  }));

test('a holder that does not let go in time is written past: the page is still written whole', () =>
  withDir(async (out) => {
    await writeFixtureResults(out, { name: 'only', steps: 50 });
    const holder = execaNode(compiled('lock-taker.js'), [path.join(out, '.index.lock'), '60000', 'hang']);
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const t0 = Date.now();
      await writeIndex(out, { waitMs: 300 });
      assert.ok(Date.now() - t0 < 5000);
      assert.deepEqual(names(await readFile(path.join(out, 'index.html'), 'utf8')), ['only']);
    } finally {
      holder.kill('SIGKILL');
      await holder.catch(() => {});
    }
  }));

test('six writers racing in six processes leave one whole page with every experiment, and nothing else behind', () =>
  withDir(async (out) => {
    for (const name of ['a', 'b', 'c']) await writeFixtureResults(out, { name, steps: 50 });
    const writers = Array.from({ length: 6 }, () => execa(process.execPath, [compiled('index-writer.js'), out], { reject: false }));
    for (const w of await Promise.all(writers)) assert.equal(w.exitCode, 0, w.stderr);
    const html = await readFile(path.join(out, 'index.html'), 'utf8');
    assert.match(html, /^<!doctype html>[\s\S]*<\/html>\n$/);
    assert.deepEqual(names(html), ['a', 'b', 'c']);
    assert.deepEqual((await readdir(out)).sort(), ['a', 'b', 'c', 'index.html']);
  }));
