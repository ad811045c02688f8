import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { TorchGenerator } from '../../src/rng/torch.js';
import {
  LECTURE_FINAL,
  LECTURE_SMALL,
  MULTINOMIAL,
  RAND_F32_SEED_0,
  RAND_F64_SEED_0,
  RANDINT_SEED_0,
  RANDN_100000_SEED_7,
  RANDN_15X2000_SEED_7,
  SMALL_TENSORS_SEED_42,
} from './reference.js';

/** sha256 of float32 values as little-endian bytes (what bench/reference/torch_rng.py hashes). */
function sha256(values: Float32Array): string {
  return createHash('sha256').update(Buffer.from(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
}

/** Equal to the last bit: the same doubles, so the same float32 bits (−0 and 0 told apart). */
function assertBits(found: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.equal(found.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) assert.ok(Object.is(found[i], expected[i]), `${what}[${i}]: found ${found[i]}, PyTorch ${expected[i]}`);
}

type Tensors = Record<string, { numel: number; first: readonly number[]; last: readonly number[]; sha256: string }>;

/** torch.randn of each shape in turn on one generator, compared with PyTorch's values and digests. */
function checkInit(g: TorchGenerator, shapes: [string, number][], tensors: object): void {
  const ref = tensors as Tensors;
  for (const [name, numel] of shapes) {
    const values = g.randn(new Float32Array(numel));
    const r = ref[name]!;
    assert.equal(numel, r.numel);
    assertBits(values.subarray(0, r.first.length), r.first, `${name} first`);
    assertBits(values.subarray(numel - r.last.length), r.last, `${name} last`);
    assert.equal(sha256(values), r.sha256, `${name}: every value's bits`);
  }
}

test("manual_seed(2147483647) gives the lecture's first net bit for bit: C, W1, b1, W2, b2, then randint", () => {
  const g = new TorchGenerator(2147483647);
  checkInit(g, [['C', 54], ['W1', 600], ['b1', 100], ['W2', 2700], ['b2', 27]], LECTURE_SMALL);
  assert.deepEqual([...g.fillInt(new Int32Array(8), 32)], LECTURE_SMALL.randint_32);
});

test("manual_seed(2147483647) gives the lecture's final net and its first minibatches bit for bit", () => {
  const g = new TorchGenerator(2147483647);
  checkInit(g, [['C', 270], ['W1', 6000], ['b1', 200], ['W2', 5400], ['b2', 27]], LECTURE_FINAL);
  for (const batch of LECTURE_FINAL.randint_182625) assert.deepEqual([...g.fillInt(new Int32Array(32), 182625)], batch);
});

test('tensors below 16 elements take the scalar path, whose cached second value survives a vectorised call', () => {
  const g = new TorchGenerator(42);
  for (const { shape, values } of SMALL_TENSORS_SEED_42) {
    const numel = shape.reduce((a: number, b: number) => a * b, 1);
    assertBits(g.randn(new Float32Array(numel)), values, `randn(${shape.join(', ')})`);
  }
});

test('100,000 vectorised draws and 2,000 scalar ones match PyTorch to the last bit', () => {
  const big = new TorchGenerator(7).randn(new Float32Array(100000));
  assertBits(big.subarray(0, 4), RANDN_100000_SEED_7.first, 'first');
  assert.equal(sha256(big), RANDN_100000_SEED_7.sha256);
  const g = new TorchGenerator(7);
  const rows = new Float32Array(15 * 2000);
  for (let i = 0; i < 2000; i++) rows.set(g.randn(new Float32Array(15)), 15 * i);
  assert.equal(sha256(rows), RANDN_15X2000_SEED_7);
});

test('randint is random() % n for ranges below 2^32', () => {
  const g = new TorchGenerator(0);
  assert.deepEqual([...g.fillInt(new Int32Array(20), 10)], RANDINT_SEED_0.range_10);
  assert.deepEqual([...g.fillInt(new Int32Array(10), 1000003)], RANDINT_SEED_0.range_1000003);
  assert.deepEqual([...g.fillInt(new Int32Array(5), 2 ** 31)], RANDINT_SEED_0.range_2p31);
  assert.throws(() => g.fillInt(new Int32Array(1), 0), /n: expected an integer in \[1, 2\^31\], found 0/);
});

test('uniform doubles take 53 bits of (first word << 32 | second), floats 24 bits of one word', () => {
  const g = new TorchGenerator(0);
  assertBits([0, 1, 2, 3].map(() => g.uniformDouble()), RAND_F64_SEED_0, 'rand(float64)');
  const h = new TorchGenerator(0);
  assertBits([0, 1, 2, 3].map(() => h.uniformFloat()), RAND_F32_SEED_0, 'rand(float32)');
});

test("multinomial(probs, num_samples=1) draws as PyTorch's exponential race does, and never a zero probability", () => {
  const probs = Float32Array.from(MULTINOMIAL.probs);
  const g = new TorchGenerator(2147483647 + 10);
  assert.deepEqual(Array.from({ length: 40 }, () => g.multinomial1(probs)), MULTINOMIAL.draws);
  const sparse = new Float32Array(27);
  sparse[3] = 0.25;
  sparse[20] = 0.75;
  const h = new TorchGenerator(1);
  assert.deepEqual(Array.from({ length: 30 }, () => h.multinomial1(sparse)), MULTINOMIAL.draws_sparse);
});

test('manual_seed keeps the low 32 bits of the seed, as PyTorch does', () => {
  const a = new TorchGenerator(2 ** 32 + 5);
  const b = new TorchGenerator(5);
  assert.deepEqual([a.random(), a.random()], [b.random(), b.random()]);
  assert.throws(() => new TorchGenerator(-1), /seed: expected a non-negative integer, found -1/);
});

test('the generator goes on from its state with the same draws: mid-twist, with a cached normal', () => {
  const g = new TorchGenerator(2147483647);
  g.randn(new Float32Array(700)); // past one twist of the 624 words
  g.randn(new Float32Array(3)); // scalar path: a normal cached
  const copy = new TorchGenerator(1);
  copy.setState(structuredClone(g.getState()));
  const draw = (t: TorchGenerator) => [...t.randn(new Float32Array(5)), ...t.randn(new Float32Array(20)), ...t.fillInt(new Int32Array(32), 27), t.multinomial1(new Float32Array([0.2, 0.3, 0.5]))];
  assert.deepEqual(draw(copy), draw(g));
});
