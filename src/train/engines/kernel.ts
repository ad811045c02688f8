// The kernel engine: the Trainer's Engine over the WebAssembly kernel (../kernel/index.ts), with the weights resident
// in the kernel's memory and copied between it and the tfjs Params only when asked (toParams, fromParams).
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data.js';
import { Kernel, type KernelWeights } from '../kernel/index.js';
import { engineShape } from '../kernel/layout.js';
import type { Params } from '../model.js';
import { PARAM_NAMES } from '../shapes.js';
import type { Engine, EngineOptions } from './engine.js';

export class KernelEngine implements Engine {
  readonly name = 'kernel';
  readonly maxSteps: number;
  private readonly kernel: Kernel;

  constructor(
    split: Split,
    private readonly params: Params,
    options: EngineOptions,
  ) {
    const [V, E] = params.C.shape;
    const [TE, H] = params.W1.shape;
    const shape = engineShape({ n: split.n, T: TE / E, E, H, V, batch: options.batch, loss: options.loss }, options.chunkSteps);
    this.maxSteps = shape.steps;
    this.kernel = new Kernel(split, shape);
    this.fromParams();
  }

  trainChunk(rows: Int32Array | 'full', lrs: Float64Array, losses: Float32Array, steps = lrs.length): number {
    return this.kernel.train(rows, lrs, losses, steps);
  }

  save(): void {
    this.kernel.save();
  }

  restore(): void {
    this.kernel.restore();
  }

  toParams(): void {
    const w = this.kernel.getWeights(); // fresh arrays: a tensor on the CPU backend may keep the array it was made from
    tf.tidy(() => {
      for (const name of PARAM_NAMES) (this.params[name] as tf.Variable).assign(tf.tensor(w[name], this.params[name].shape, 'float32'));
    });
  }

  fromParams(): void {
    const w = Object.fromEntries(PARAM_NAMES.map((name) => [name, this.params[name].dataSync() as Float32Array]));
    this.kernel.setWeights(w as unknown as KernelWeights);
  }

  dispose(): void {
    this.kernel.dispose();
  }
}
