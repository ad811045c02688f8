import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineShape, kernelBytes, kernelLayout, kernelMaxSteps, kernelMisfit, kernelProblem, KERNEL_BASE, KERNEL_MAX_BYTES, stepFlops, type KernelShape } from '../../../src/train/kernel/layout.js';

const lecture: KernelShape = { n: 182625, T: 3, E: 10, H: 200, V: 27, batch: 32, steps: 500, loss: 'fused' };

test('the lecture’s minibatch trial needs a few MiB: the training split and one step’s buffers', () => {
  const bytes = kernelBytes(lecture);
  const split = 182625 * 4 * 4; // X (n, 3) and Y (n,), int32
  assert.ok(bytes > split && bytes < split + (1 << 20), `${bytes} bytes`);
});

test('the padded sizes round the batch and T·E up to 4, the hidden size up to 8 (not to a multiple of 256) and V up to 4', () => {
  const { B, Bp, TEp, Hp, Vp, globals } = kernelLayout({ ...lecture, T: 3, E: 5, H: 37, V: 27, batch: 30 });
  assert.deepEqual([B, Bp, TEp, Hp, Vp], [30, 32, 16, 40, 28]);
  assert.deepEqual([globals.TE, globals.TEp, globals.Hp, globals.V, globals.Vp, globals.VEp], [15, 16, 40, 27, 28, 136]);
  const Hps = [200, 256, 1000, 1024, 1025].map((H) => kernelLayout({ ...lecture, H }).Hp);
  assert.deepEqual(Hps, [200, 264, 1000, 1032, 1032]); // rows 4 KiB apart would share L1's cache sets
});

test('buffers start above the module’s own data, on cache lines, in order, and the parameters are one block', () => {
  for (const loss of ['fused', 'manual'] as const) {
    const { globals, bytes } = kernelLayout({ ...lecture, loss });
    const addresses = ['X', 'Y', 'C', 'W1', 'b1', 'W2T', 'b2', 'saved', 'rows', 'lrs', 'losses', 'ctx', 'tgt', 'emb', 'h', 'logits', 'dlogits', 'dpre', 'demb', 'dC'];
    const at = addresses.map((name) => globals[name]!);
    assert.equal(at[0], KERNEL_BASE);
    at.forEach((a, i) => {
      assert.equal(a % 64, 0, `${addresses[i]} at ${a}`);
      if (i > 0) assert.ok(a > at[i - 1]!, `${addresses[i]} after ${addresses[i - 1]}`);
    });
    assert.equal(globals.weights, globals.C);
    assert.equal(globals.saved, globals.weights! + globals.weightBytes!);
    assert.ok(bytes > globals.dC!);
  }
});

test('the manual loss adds its chain’s buffers; a full batch needs no row indices', () => {
  assert.ok(kernelBytes({ ...lecture, loss: 'manual' }) > kernelBytes(lecture));
  const full = kernelLayout({ ...lecture, batch: 'full' });
  assert.equal(full.B, 182625);
  assert.equal(full.globals.ctx, full.globals.tgt); // no room for a minibatch's contexts or targets …
  assert.equal(full.globals.rows! + 64 * Math.ceil((500 * 8) / 64), full.globals.losses); // … nor for its row indices
});

test('the lecture’s full batch fits (about 440 MiB with the manual loss); hidden 4000 with a full batch does not', () => {
  const { steps: _steps, ...planned } = lecture;
  const full = kernelBytes({ ...lecture, batch: 'full', loss: 'manual' });
  assert.ok(full > 400 * 2 ** 20 && full < 480 * 2 ** 20, `${full / 2 ** 20} MiB`);
  assert.equal(kernelProblem({ ...planned, batch: 'full', loss: 'manual' }, 500), null);
  const problem = kernelProblem({ ...planned, batch: 'full', H: 4000 }, 500);
  assert.equal(problem?.key, 'train.batch_size'); // 182,625 / 32 is further above the lecture's than 4000 / 200
  assert.match(
    problem!.message,
    /^expected a batch whose buffers fit the kernel engine's 4\.00 GiB of WebAssembly memory, got full \(182,625 examples\): with hidden 4,000, block_size 3 and embed_dim 10 the kernel needs 5\.53 GiB; batch_size up to \d{3},\d{3} fits \(or hidden up to \d,\d{3} with this batch\), or set engine: tfjs$/,
  );
  const wide = kernelProblem({ ...planned, H: 6_000_000 }, 500);
  assert.equal(wide?.key, 'model.hidden');
  assert.match(wide!.message, /^expected a hidden size whose buffers fit .*, got 6,000,000: with block_size 3, embed_dim 10 and batch_size 32 the kernel needs \d+\.\d\d GiB; hidden up to [\d,]+ fits \(or batch_size up to \d+ with this hidden\), or set engine: tfjs$/);
});

test('what fits is the largest hidden and batch at or under 4 GiB: one more does not fit', () => {
  const { steps: _steps, ...planned } = lecture;
  const shape = { ...planned, batch: 'full' as const, H: 4000 };
  const misfit = kernelMisfit(shape, 500)!;
  assert.equal(KERNEL_MAX_BYTES, 2 ** 32);
  assert.ok(misfit.bytes > KERNEL_MAX_BYTES);
  const bytes = (s: typeof shape | (typeof planned & { H: number; batch: number })) => kernelBytes(engineShape(s, 500));
  assert.ok(bytes({ ...shape, H: misfit.hidden! }) <= KERNEL_MAX_BYTES && bytes({ ...shape, H: misfit.hidden! + 1 }) > KERNEL_MAX_BYTES, `hidden ${misfit.hidden}`);
  assert.ok(bytes({ ...shape, batch: misfit.batch! }) <= KERNEL_MAX_BYTES && bytes({ ...shape, batch: misfit.batch! + 1 }) > KERNEL_MAX_BYTES, `batch ${misfit.batch}`);
  assert.equal(kernelMisfit({ ...shape, batch: misfit.batch! }, 500), null);
});

test('a kernel call trains the Trainer’s chunk, or fewer steps where they would pass 3 GFLOP (one at least)', () => {
  assert.equal(kernelMaxSteps(lecture, 500), 500); // 2.19 MFLOP a step
  assert.equal(kernelMaxSteps(lecture, 25), 25); // a range test's chunk
  assert.equal(kernelMaxSteps({ ...lecture, H: 1000, batch: 512 }, 500), Math.floor(3e9 / (6 * 512 * 1000 * 57)));
  assert.equal(kernelMaxSteps({ ...lecture, batch: 'full' }, 500), 1); // 12.5 GFLOP
});

test('a step of the lecture’s net is 2.19 MFLOP in its six matrix products; a full batch of names.txt 12.5 GFLOP', () => {
  assert.equal(stepFlops(lecture), 6 * 32 * 200 * (30 + 27));
  assert.equal(stepFlops(lecture), 2_188_800);
  assert.equal(stepFlops({ ...lecture, batch: 'full' }), 6 * 182625 * 200 * 57);
});
