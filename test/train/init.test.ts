// model.init: the factors, and the scaled weights against PyTorch's bit for bit (reference values: init-reference.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { initBackend } from '../../src/train/backend.js';
import { fanIn, initFactor, initFactors, scaleDraws } from '../../src/train/init.js';
import { disposeParams, initParams } from '../../src/train/model.js';
import { TorchGenerator } from '../../src/rng/torch.js';
import type { Model } from '../../src/config/schema.js';
import { INITS, KAIMING } from './init-reference.js';

const LECTURE: Model = { block_size: 3, embed_dim: 10, hidden: 200 };

/** The part-3 sequence as model.init writes it (init-reference.ts computes kaiming's factor in Python). */
const PART3: Record<keyof typeof INITS, Model['init']> = {
  part2: {},
  softmax_fixed: { W2: 0.01, b2: 0 },
  tanh_fixed: { W1: 0.2, b1: 0.01, W2: 0.01, b2: 0 },
  kaiming: { W1: 'kaiming', b1: 0.01, W2: 0.01, b2: 0 },
};

describe('initFactor', () => {
  it('is 1 for a parameter not named, and without model.init at all', () => {
    assert.deepEqual(initFactors(LECTURE), { C: 1, W1: 1, b1: 1, W2: 1, b2: 1 });
    assert.deepEqual(initFactors({ ...LECTURE, init: { W2: 0.01, b2: 0 } }), { C: 1, W1: 1, b1: 1, W2: 0.01, b2: 0 });
  });

  it("takes kaiming's fan-in from the shapes: block_size · embed_dim for W1, hidden for W2", () => {
    assert.equal(fanIn('W1', LECTURE), 30);
    assert.equal(fanIn('W2', LECTURE), 200);
    assert.equal(initFactor('W1', { ...LECTURE, init: { W1: 'kaiming' } }), 5 / 3 / Math.sqrt(30));
  });

  for (const { fan_in, double, float32 } of KAIMING) {
    it(`computes kaiming for fan-in ${fan_in} as PyTorch multiplies by it (the float32 ${float32})`, () => {
      const factor = initFactor('W2', { ...LECTURE, hidden: fan_in, init: { W2: 'kaiming' } });
      assert.equal(Math.fround(factor), float32);
      // The double itself is CPython's but where glibc's pow is not correctly rounded (2921 and 3541): one ulp apart.
      assert.ok(Math.abs(factor - double) <= Number.EPSILON * double, `${factor} against ${double}`);
    });
  }
});

describe('scaleDraws', () => {
  it('multiplies in float32 by the factor rounded to float32, as torch does with a Python float', () => {
    const v = scaleDraws(new Float32Array([1, -2.5, 0.1]), 0.1);
    const f = Math.fround(0.1);
    assert.deepEqual([...v], [Math.fround(1 * f), Math.fround(-2.5 * f), Math.fround(Math.fround(0.1) * f)]);
  });

  it('keeps the sign of a negative draw times 0 (−0), as torch.randn(…) * 0 does', () => {
    const v = scaleDraws(new Float32Array([-1.5, 2]), 0);
    assert.ok(Object.is(v[0], -0) && Object.is(v[1], 0));
  });
});

describe("the lecture's part-3 inits with rng: torch", () => {
  for (const [label, init] of Object.entries(PART3) as [keyof typeof INITS, Model['init']][]) {
    it(`gives PyTorch's weights bit for bit: ${label} ${JSON.stringify(init)}`, async () => {
      await initBackend('cpu');
      const p = initParams(new TorchGenerator(2147483647), 27, { ...LECTURE, init });
      try {
        for (const [name, ref] of Object.entries(INITS[label])) {
          const values = p[name as keyof typeof p].dataSync() as Float32Array;
          const sha = createHash('sha256').update(Buffer.from(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
          for (const [k, v] of ref.first.entries()) assert.ok(Object.is(values[k], v), `${name}[${k}]: ${values[k]}, PyTorch ${v}`);
          assert.equal(sha, ref.sha256, `${name}: every value's bits`);
        }
      } finally {
        disposeParams(p);
      }
    });
  }
});
