import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Kernel, KERNEL_WASM, kernelMap, kernelUnavailable, type KernelData, type KernelWeights } from '../../../src/train/kernel/index.js';
import { kernelLayout, type KernelShape } from '../../../src/train/kernel/layout.js';
import { Rng } from '../../../src/rng/streams.js';

/** The distance from the float32 `got` to the true value `want`, in units in the last place of float32 at `want`. */
function ulps(got: number, want: number): number {
  const f = new Float32Array([Math.abs(want)]);
  const bits = new Int32Array(f.buffer);
  const at = f[0]!;
  bits[0]! += 1;
  return Math.abs(got - want) / (f[0]! - at || 2 ** -149);
}

/** The worst error in ulp of the kernel's `fn` over n points evenly spread on [lo, hi]. */
function worstUlps(fn: 'exp' | 'tanh', truth: (x: number) => number, lo: number, hi: number, n = 200_001): number {
  const xs = new Float32Array(n).map((_, i) => lo + ((hi - lo) * i) / (n - 1));
  const ys = kernelMap(fn, xs);
  return ys.reduce((worst, y, i) => Math.max(worst, ulps(y, truth(xs[i]!))), 0);
}

test('the kernel’s exp is within 1 ulp of the true e^x from −87 to 88.7, and goes to 0 and +∞ where float32 does', () => {
  for (const [lo, hi] of [[-87, 88.7], [-1, 1], [-103, -87]] as const) {
    const worst = worstUlps('exp', Math.exp, lo, hi);
    assert.ok(worst <= 1, `[${lo}, ${hi}]: ${worst.toFixed(2)} ulp`);
  }
  const special = kernelMap('exp', new Float32Array([88.72, 88.73, 89, 1e30, Infinity, -105, -Infinity, NaN, 0]));
  assert.ok(Number.isFinite(special[0]!) && special[0]! > 3.3e38, `e^88.72 = ${special[0]}`);
  assert.deepEqual(Array.from(special.slice(1)), [Infinity, Infinity, Infinity, Infinity, 0, 0, NaN, 1]);
});

test('the kernel’s tanh is within 7 ulp of the true tanh on [−10, 10], odd, saturating to ±1, NaN for NaN', () => {
  for (const [lo, hi] of [[-10, 10], [-0.01, 0.01], [3, 9]] as const) {
    const worst = worstUlps('tanh', Math.tanh, lo, hi);
    assert.ok(worst <= 7, `[${lo}, ${hi}]: ${worst.toFixed(2)} ulp`);
  }
  const special = kernelMap('tanh', new Float32Array([8, 100, Infinity, -Infinity, NaN, 1e-30, -0, 0.5, -0.5]));
  assert.deepEqual(Array.from(special.slice(0, 7)), [1, 1, 1, -1, NaN, 1e-30 * 1, -0].map((x) => Math.fround(x)));
  assert.equal(special[7], -special[8]!);
});

test('the kernel is built and this Node compiles it (WebAssembly SIMD)', () => {
  assert.equal(kernelUnavailable(), null);
});

test('the module exports a global for every address and size the layout sets, and no other', () => {
  const module = new WebAssembly.Module(readFileSync(KERNEL_WASM));
  const globals = WebAssembly.Module.exports(module).filter((e) => e.kind === 'global').map((e) => e.name);
  const shape: KernelShape = { n: 10, T: 3, E: 2, H: 8, V: 5, batch: 4, steps: 3, loss: 'manual' };
  assert.deepEqual(globals.sort(), Object.keys(kernelLayout(shape).globals).sort());
});

// A small problem: V = 7 characters, T = 3, E = 4, hidden 12 (padded to 16), batch 6 (padded to 8).
const V = 7;
const T = 3;
const E = 4;
const H = 12;
const B = 6;

function data(n = 50): KernelData {
  const rng = new Rng(5);
  return { X: rng.fillInt(new Int32Array(n * T), V), Y: rng.fillInt(new Int32Array(n), V), n };
}

function weights(seed: number, scale = 1): KernelWeights {
  const rng = new Rng(seed);
  const draw = (size: number) => rng.fillNormal(new Float32Array(size)).map((x) => x * scale);
  return { C: draw(V * E), W1: draw(T * E * H), b1: draw(H), W2: draw(H * V), b2: draw(V) };
}

const shape = (over: Partial<KernelShape> = {}): Omit<KernelShape, 'n'> => ({ T, E, H, V, batch: B, steps: 40, loss: 'fused', ...over });
const bits = (w: KernelWeights) => Object.values(w).map((a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(0)))).flat();

test('weights go in and come out unchanged, W2 transposed and padded in between', () => {
  const kernel = new Kernel(data(), shape());
  const w = weights(1);
  kernel.setWeights(w);
  assert.deepEqual(kernel.getWeights(), w);
  kernel.dispose();
});

test('weights of the wrong size are refused, naming the parameter', () => {
  const kernel = new Kernel(data(), shape());
  assert.throws(() => kernel.setWeights({ ...weights(1), W2: new Float32Array(H * V - 1) }), /^RangeError: Kernel.setWeights: W2: expected 84 values, found 83$/);
  kernel.dispose();
});

/** Train `steps` steps from weights(seed) on minibatch rows drawn from Rng(seed), at `lr`. */
function run(seed: number, steps: number, lr: number, over: Partial<KernelShape> = {}) {
  const split = data();
  const kernel = new Kernel(split, shape(over));
  kernel.setWeights(weights(seed, 2));
  const rows = new Rng(seed).fillInt(new Int32Array(40 * B), split.n);
  const losses = new Float32Array(40);
  const done = kernel.train(rows, new Float64Array(40).fill(lr), losses, steps);
  const result = { done, losses, weights: kernel.getWeights(), memory: kernel.memoryBytes };
  kernel.dispose();
  return result;
}

test('the same weights, minibatches and rates give the same bits twice', () => {
  for (const loss of ['fused', 'manual'] as const) {
    const [a, b] = [run(3, 40, 0.5, { loss }), run(3, 40, 0.5, { loss })];
    assert.equal(a.done, 40);
    assert.deepEqual(Array.from(a.losses), Array.from(b.losses));
    assert.deepEqual(bits(a.weights), bits(b.weights));
    assert.ok(a.losses[39]! < a.losses[0]!, `${loss}: the loss falls, ${a.losses[0]} → ${a.losses[39]}`);
  }
});

test('a non-finite loss stops the chunk before its update: the weights are those of the step before', () => {
  const diverged = run(3, 40, 1000, { loss: 'manual' });
  const i = diverged.done;
  assert.ok(i > 0 && i < 40, `stopped after ${i} steps`);
  assert.ok(diverged.losses.slice(0, i).every(Number.isFinite));
  assert.ok(!Number.isFinite(diverged.losses[i]!), `loss ${diverged.losses[i]} at step ${i}`);
  assert.ok(diverged.losses.slice(i + 1).every((l) => l === 0), 'nothing written past the stop');
  const before = run(3, i, 1000, { loss: 'manual' });
  assert.equal(before.done, i);
  assert.deepEqual(bits(diverged.weights), bits(before.weights));
});

test('restore() goes back to the weights of save(), and a replay of the first steps gives the same bits', () => {
  const split = data();
  const kernel = new Kernel(split, shape());
  kernel.setWeights(weights(4, 2));
  const rows = new Rng(4).fillInt(new Int32Array(40 * B), split.n);
  const lrs = new Float64Array(40).fill(0.3);
  const losses = new Float32Array(40);
  kernel.save();
  kernel.train(rows, lrs, losses, 25);
  kernel.restore();
  assert.deepEqual(kernel.getWeights(), weights(4, 2));
  kernel.train(rows, lrs, losses, 10); // the range test's replay to a step inside the chunk
  assert.deepEqual(bits(kernel.getWeights()), bits(run(4, 10, 0.3).weights));
  kernel.dispose();
});

test('training allocates nothing: the memory stays the same size over many chunks, and for the next smaller trial', () => {
  const split = data(500);
  const kernel = new Kernel(split, shape({ batch: 'full', loss: 'manual' }));
  kernel.setWeights(weights(6));
  const memory = kernel.memoryBytes;
  const losses = new Float32Array(40);
  for (let chunk = 0; chunk < 200; chunk++) kernel.train('full', new Float64Array(40).fill(0.01), losses);
  assert.equal(kernel.memoryBytes, memory);
  kernel.dispose();
  assert.equal(run(1, 40, 0.1).memory, memory); // the same instance, reused
});

test('rows and steps that do not match the kernel’s shape are refused', () => {
  const kernel = new Kernel(data(), shape());
  const lrs = new Float64Array(40);
  const losses = new Float32Array(40);
  assert.throws(() => kernel.train('full', lrs, losses), /^Error: Kernel.train: rows: expected row indices, found 'full'$/);
  assert.throws(() => kernel.train(new Int32Array(10), lrs, losses, 2), /^RangeError: Kernel.train: rows: expected 12 row indices, found 10$/);
  assert.throws(() => kernel.train(new Int32Array(300), lrs, losses, 41), /^RangeError: Kernel.train: steps: expected an integer in \[0, 40\], found 41$/);
  kernel.dispose();
});

test('a model too large for 4 GiB of WebAssembly memory is refused before any memory is taken', () => {
  const big = { X: new Int32Array(0), Y: new Int32Array(0), n: 0 };
  assert.throws(
    () => new Kernel(big, { T: 3, E: 10, H: 200_000, V: 27, batch: 4096, steps: 500, loss: 'fused' }),
    /^Error: engine: kernel: model\.hidden: expected a hidden size whose buffers fit the kernel engine's 4\.00 GiB of WebAssembly memory, got 200,000: with block_size 3, embed_dim 10 and batch_size 4,096 the kernel needs 6\.\d\d GiB; hidden up to [\d,]+ fits/,
  );
});

test('a NaN or ∞ in the weights makes the first loss non-finite in both losses, and the chunk stops with nothing updated', () => {
  for (const loss of ['fused', 'manual'] as const) {
    for (const bad of [NaN, Infinity]) {
      const split = data();
      const kernel = new Kernel(split, shape({ loss }));
      const w = weights(2);
      w.b2[3] = bad;
      kernel.setWeights(w);
      const losses = new Float32Array(40);
      const done = kernel.train(new Rng(2).fillInt(new Int32Array(40 * B), split.n), new Float64Array(40).fill(0.1), losses);
      assert.equal(done, 0, `${loss}, b2[3] = ${bad}`);
      assert.ok(!Number.isFinite(losses[0]!), `${loss}, b2[3] = ${bad}: loss ${losses[0]}`);
      assert.deepEqual(kernel.getWeights(), w);
      kernel.dispose();
    }
  }
});
