// The engines of a trial's SGD steps (engine.ts says what each offers): kernel, the WebAssembly SIMD kernel, and tfjs,
// step.ts one TensorFlow.js step after another (the reference).
import type { Split } from '../data.js';
import type { Params } from '../model.js';
import type { Engine, EngineName, EngineOptions } from './engine.js';
import { kernelUnavailable } from '../kernel/index.js';
import { KernelEngine } from './kernel.js';
import { TfjsEngine } from './tfjs.js';

export type { Engine, EngineName, EngineOptions } from './engine.js';

/** The engine `name` for a trial's training split and parameters (the kernel engine copies them in). */
export function createEngine(name: EngineName, split: Split, params: Params, options: EngineOptions): Engine {
  switch (name) {
    case 'kernel':
      return new KernelEngine(split, params, options);
    case 'tfjs':
      return new TfjsEngine(split, params, options);
    default:
      throw new Error(`engine: expected kernel or tfjs, found ${JSON.stringify(name satisfies never)}: not recognised`);
  }
}

/**
 * The engine that trains a trial that asks for `asked`: itself, or tfjs where the kernel cannot run in this process (not
 * built, no WebAssembly SIMD), with why: the trial still trains, on the reference step, and says so.
 */
export function engineFor(asked: EngineName): { name: EngineName; fallback?: string } {
  const why = asked === 'kernel' ? kernelUnavailable() : null;
  return why === null ? { name: asked } : { name: 'tfjs', fallback: why };
}
