// Kernels per training step, counted with tf.profile on one step of the lecture's shapes.
//
// usage: node dist/bench/ops.js [--backend wasm] [--loss fused|manual]   (prints each kernel of one step)
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { LossMode } from '../src/config/schema.js';
import { initBackend } from '../src/train/backend.js';
import { disposeParams, initParams } from '../src/train/model.js';
import { sgdStep } from '../src/train/step.js';
import type { BackendName } from '../src/types.js';

/** The kernels one SGD step runs at the lecture's shapes (V 27, T 3, E 10, H 200, B 32), on the current backend. */
export async function countStepOps(loss: LossMode = 'fused'): Promise<{ total: number; kernels: string[] }> {
  const T = 3;
  const B = 32;
  const V = 27;
  const params = initParams(1, V, { block_size: T, embed_dim: 10, hidden: 200 });
  const X = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => (i * 7) % V), [B * T, 1], 'int32');
  const Y = tf.tensor1d(Int32Array.from({ length: B }, (_, i) => (i * 5) % V), 'int32');
  const info = await tf.profile(() => {
    const out = sgdStep(params, { X, Y }, 0.1, loss);
    (out.logits ?? out.loss)!.dispose();
  });
  X.dispose();
  Y.dispose();
  disposeParams(params);
  const kernels = info.kernels.map((k) => k.name);
  return { total: kernels.length, kernels };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { backend: { type: 'string', default: 'auto' }, loss: { type: 'string', default: 'fused' } } });
  const backend = await initBackend(values.backend as BackendName);
  const { total, kernels } = await countStepOps(values.loss as LossMode);
  console.log(`${backend.name}: ${total} kernels per ${values.loss} step`);
  const counts = new Map<string, number>();
  for (const k of kernels) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(2)} × ${k}`);
}
