// Where the kernel cannot run (here: workers started with V8's --no-enable-sse4-1, which takes WebAssembly SIMD away),
// trials that ask for it train on the tfjs engine instead: each says so on its stderr and in its summary, the run says
// so once on the terminal, and the report says which trials and why.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { planExperiment } from '../../src/config/plan.js';
import { ROOT } from '../paths.js';
import { fixtureOptions, runDriver, summaryOf, tempOut } from './helpers.js';

const WORKER = path.join(ROOT, 'dist', 'src', 'launch', 'local', 'worker.js');

describe('a run whose workers cannot run the kernel', () => {
  it('trains its trials on tfjs, says why once, and records the engine that trained each and why', async () => {
    const out = await tempOut();
    const file = path.join(out, 'fallback.yaml');
    const yaml = ['name: fallback', 'data: {builtin: names, slice: {first: 50}}', 'model: {block_size: 3, embed_dim: 2, hidden: 16}', 'train: {steps: 20, batch_size: 8}', 'eval: {every: 10}', 'sample: 2', 'grid: {loss: [manual, fused]}', ''];
    await writeFile(file, yaml.join('\n'));
    const { plan } = await planExperiment(file);
    assert.ok(plan.trials.every((t) => t.config.engine === 'kernel'));
    const result = await runDriver(plan, fixtureOptions(out, { workerPath: WORKER, workerExecArgv: ['--no-enable-sse4-1'], backend: 'wasm' }), 'real');
    assert.equal(result.exitCode, 0, result.stderr);
    const said = result.stderr.match(/engine: the kernel cannot run in this process \(expected a JavaScript engine with WebAssembly SIMD, found that it cannot compile the kernel: .*?\); trials that ask for it train on the tfjs engine/g) ?? [];
    assert.equal(said.length, 1, `said once for the run:\n${result.stderr}`);
    for (const trial of plan.trials) {
      const summary = await summaryOf(out, 'fallback', trial.id);
      assert.equal(summary.status, 'ok');
      assert.equal(summary.engine, 'tfjs');
      assert.match(summary.engine_fallback ?? '', /^expected a JavaScript engine with WebAssembly SIMD/);
      assert.match(await readFile(path.join(out, 'fallback', 'trials', trial.id, 'stderr.log'), 'utf8'), /^run-exp: engine: the kernel cannot run in this process/m);
    }
    const html = await readFile(path.join(out, 'fallback.html'), 'utf8');
    assert.match(html, /<dt>engine<\/dt><dd>tfjs <small>\(TensorFlow\.js, one step after another\)<\/small><br><small>2 trials asked for the kernel and trained on tfjs: expected a JavaScript engine with WebAssembly SIMD/);
  });
});
