// The model's parameters by name and shape, without TF.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paramCount, paramShapes } from '../../src/train/shapes.js';

const LECTURE = { block_size: 3, embed_dim: 10, hidden: 200 };

test("the lecture's network has 11,897 parameters, in the lecture's shapes", () => {
  assert.equal(paramCount(27, LECTURE), 11897);
  assert.deepEqual(paramShapes(27, LECTURE), { C: [27, 10], W1: [30, 200], b1: [200], W2: [200, 27], b2: [27] });
});
