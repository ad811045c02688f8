// diagnostics through the real CLI: worker processes send each chunk's diagnostics, the parent writes diagnostics.jsonl,
// the training is what it is without them (metrics.jsonl byte for byte), the report looks inside the network, and a
// bad init or diagnostics key is refused before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { ROOT } from '../paths.js';

const BIN = path.join(ROOT, 'bin', 'run-exp.js');

/** A temporary folder for the test, removed afterwards. */
async function withTmp<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'run-exp-diagnostics-'));
  try {
    return await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each trial's file `name` under DIR/NAME/trials, by the trial's model.init as the plan labels it. */
async function filesByInit(out: string, name: string, file: string): Promise<Map<string, string>> {
  const dir = path.join(out, name, 'trials');
  const files = new Map<string, string>();
  for (const id of await readdir(dir)) {
    const config = JSON.parse(await readFile(path.join(dir, id, 'config.json'), 'utf8')) as { params: Record<string, unknown> };
    files.set(JSON.stringify(config.params['model.init']), await readFile(path.join(dir, id, file), 'utf8'));
  }
  return files;
}

test('diagnostics.jsonl comes through the workers, the metrics are byte for byte those without, and the report looks inside', { timeout: 120_000 }, async () => {
  await withTmp(async (tmp) => {
    const yaml = path.join(tmp, 'inits.yaml');
    await writeFile(
      yaml,
      stringify({
        name: 'inits',
        data: { slice: { first: 500 } },
        model: { embed_dim: 4, hidden: 48 },
        train: { steps: 600, batch_size: 32, lr: 0.1 },
        eval: { every: 300 },
        sample: 3,
        grid: { 'model.init': [{}, { W1: 'kaiming', b1: 0.01, W2: 0.01, b2: 0 }] },
      }),
    );
    const run = (out: string, ...set: string[]) => execa(process.execPath, [BIN, yaml, '--out', out, '--quiet', '--jobs', '2', ...set.flatMap((s) => ['--set', s])], { cwd: ROOT, reject: false });
    const [plain, looked] = await Promise.all([run(path.join(tmp, 'plain')), run(path.join(tmp, 'looked'), 'diagnostics={every: 100}')]);
    assert.equal(plain.exitCode, 0, plain.stderr);
    assert.equal(looked.exitCode, 0, looked.stderr);

    const metrics = await filesByInit(path.join(tmp, 'looked'), 'inits', 'metrics.jsonl');
    assert.deepEqual(metrics, await filesByInit(path.join(tmp, 'plain'), 'inits', 'metrics.jsonl'), 'the same bytes with diagnostics as without');
    for (const [init, text] of await filesByInit(path.join(tmp, 'looked'), 'inits', 'diagnostics.jsonl')) {
      const rows = text.trim().split('\n').map((l) => JSON.parse(l) as { step: number; lr: number; tanh: { saturated: number } });
      assert.deepEqual(rows.map((r) => r.step), [0, 100, 200, 300, 400, 500], init);
      assert.ok(rows.every((r) => r.lr === 0.1));
      if (init === '{}') assert.ok(rows[0]!.tanh.saturated > 1 / 3, `plain N(0, 1) draws start saturated: ${rows[0]!.tanh.saturated}`);
    }
    assert.equal(existsSync(path.join(tmp, 'plain', 'inits', 'trials')) && (await filesByInit(path.join(tmp, 'plain'), 'inits', 'config.json')).size, 2);
    for (const id of await readdir(path.join(tmp, 'plain', 'inits', 'trials'))) assert.ok(!existsSync(path.join(tmp, 'plain', 'inits', 'trials', id, 'diagnostics.jsonl')));

    const html = await readFile(path.join(tmp, 'looked', 'inits.html'), 'utf8');
    assert.ok(html.includes('<h2>Inside the network</h2>'));
    assert.match(html, /of the tanh outputs are beyond ±0\.97 at step 0/);
    for (const id of ['inside-histogram', 'inside-saturation', 'inside-ratios']) assert.ok(html.includes(`id="${id}"`), id);
  });
});

test('a bad model.init or diagnostics.every is refused with its place, exit 2, and nothing written', async () => {
  await withTmp(async (tmp) => {
    const out = path.join(tmp, 'out');
    const cases: [string, RegExp][] = [
      ['model.init={b1: kaiming}', /^--set model\.init=\{b1: kaiming\} model\.init\.b1: expected a non-negative number, got "kaiming": kaiming scales a weight matrix \(W1, W2\)/m],
      ['model.init={W2: -0.01}', /^--set model\.init=\{W2: -0\.01\} model\.init\.W2: expected a non-negative number or "kaiming", got -0\.01$/m],
      ['model.init={W3: 0.1}', /^--set model\.init=\{W3: 0\.1\} model\.init\.W3: unknown key; did you mean `W1`\?$/m],
      ['diagnostics.every=-5', /^--set diagnostics\.every=-5 diagnostics\.every: expected a positive integer, got -5$/m],
    ];
    for (const [set, message] of cases) {
      const r = await execa(process.execPath, [BIN, 'experiments/quickstart.yaml', '--set', set, '--out', out], { cwd: ROOT, reject: false });
      assert.equal(r.exitCode, 2, `${set}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.ok(!existsSync(out), `${set}: nothing written, not even --out`);
    }
  });
});
