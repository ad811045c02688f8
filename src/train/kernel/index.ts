// The kernel from TypeScript: the WebAssembly module built from assembly/step.ts (npm's prepare, build, test and
// bench scripts run asc; the .wasm lands beside this file's compiled .js), instantiated once and reused, its memory
// sized for a trial by layout.ts, the training split copied in once, the weights in and out in the shapes of
// model.ts, and a chunk of steps per call.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kernelLayout, kernelProblem, KERNEL_BASE, PAGE_BYTES, type KernelLayout, type KernelShape } from './layout.js';

/** The built module: dist/src/train/kernel/step.wasm, beside this file once compiled. */
export const KERNEL_WASM = fileURLToPath(new URL('./step.wasm', import.meta.url));

/** What assembly/step.ts exports: its functions, and a WebAssembly.Global for each of its globals. */
interface Exports {
  memory: WebAssembly.Memory;
  train(K: number, full: number): number;
  save(): void;
  restore(): void;
  heapBase(): number;
  mapExp(p: number, n: number): void;
  mapTanh(p: number, n: number): void;
  [global: string]: unknown;
}

/** The parameters as model.ts shapes them, row-major: C (V, E), W1 (T·E, H), b1 (H), W2 (H, V), b2 (V). */
export interface KernelWeights {
  C: Float32Array;
  W1: Float32Array;
  b1: Float32Array;
  W2: Float32Array;
  b2: Float32Array;
}

/** A training split as data.ts builds it: contexts X (n, T) and targets Y (n,). */
export interface KernelData {
  X: Int32Array;
  Y: Int32Array;
  n: number;
}

// An idle instance whose memory grew past this is dropped rather than kept for the next trial (memory never shrinks).
const KEEP_IDLE_BYTES = 256 * 2 ** 20;

let compiled: WebAssembly.Module | string | undefined; // the module, or why there is none
const idle: Exports[] = []; // instances free for the next Kernel: a worker's trials reuse one

/** The compiled module (once per process), or why it cannot be had. */
function compile(): WebAssembly.Module | string {
  if (compiled !== undefined) return compiled;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(KERNEL_WASM));
  } catch {
    return (compiled = `expected the built kernel at ${KERNEL_WASM}, found none: run npm run build (or npm ci)`);
  }
  try {
    compiled = new WebAssembly.Module(bytes);
  } catch (error) {
    compiled = `expected a JavaScript engine with WebAssembly SIMD, found that it cannot compile the kernel: ${(error as Error).message}`;
  }
  return compiled;
}

function kernelModule(): WebAssembly.Module {
  const module = compile();
  if (typeof module === 'string') throw new Error(`engine: kernel: ${module}`);
  return module;
}

/**
 * Why the kernel cannot run in this process (its .wasm not built, or this engine without WebAssembly SIMD), or null
 * when it can: for a caller that would rather train on tfjs with a line saying why than fail.
 */
export function kernelUnavailable(): string | null {
  const module = compile();
  return typeof module === 'string' ? module : null;
}

function acquire(): Exports {
  const reused = idle.pop();
  if (reused) return reused;
  const exports = new WebAssembly.Instance(kernelModule(), {}).exports as unknown as Exports;
  if (exports.heapBase() > KERNEL_BASE) {
    throw new Error(`engine: kernel: expected the module's static data below ${KERNEL_BASE}, found it up to ${exports.heapBase()}`);
  }
  return exports;
}

function release(exports: Exports): void {
  if (exports.memory.buffer.byteLength <= KEEP_IDLE_BYTES) idle.push(exports);
}

/** Grow `memory` to at least `bytes` (it never shrinks). */
function reserve(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (have >= bytes) return;
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
  } catch (error) {
    throw new Error(`engine: kernel: expected ${bytes} bytes of WebAssembly memory, found that it cannot grow: ${(error as Error).message}`);
  }
}

/**
 * One trial's kernel: the training split and the weights resident in WebAssembly memory, trained a chunk of steps per
 * call. Allocates nothing per step or per chunk but the views of its arguments; dispose() hands the instance back.
 */
export class Kernel {
  readonly layout: KernelLayout;
  readonly full: boolean;
  private readonly shape: KernelShape;
  private x: Exports;
  private readonly f32: Float32Array;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly g: Record<string, number>;

  /** Memory for `shape` with the split's n, the split's X and Y copied in; the weights are zero until setWeights. */
  constructor(data: KernelData, shape: Omit<KernelShape, 'n'>) {
    const sized = { ...shape, n: data.n };
    if (data.X.length !== data.n * shape.T || data.Y.length !== data.n) {
      throw new RangeError(`Kernel: data: expected X of ${data.n} × ${shape.T} and Y of ${data.n}, found ${data.X.length} and ${data.Y.length}`);
    }
    const tooLarge = kernelProblem(sized, shape.steps); // the planner refuses such a trial before it runs
    if (tooLarge !== null) throw new Error(`engine: kernel: ${tooLarge.key}: ${tooLarge.message}`);
    this.layout = kernelLayout(sized);
    this.shape = sized;
    this.full = shape.batch === 'full';
    this.g = this.layout.globals;
    this.x = acquire();
    try {
      reserve(this.x.memory, this.layout.bytes);
    } catch (error) {
      release(this.x);
      throw error;
    }
    for (const [name, value] of Object.entries(this.g)) {
      const global = this.x[name];
      if (!(global instanceof WebAssembly.Global)) throw new Error(`engine: kernel: expected the module to export the global ${name}, found none`);
      global.value = value;
    }
    const buffer = this.x.memory.buffer;
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    new Uint8Array(buffer, KERNEL_BASE, this.layout.bytes - KERNEL_BASE).fill(0); // a reused instance's old values
    this.i32.set(data.X, this.g.X! / 4);
    this.i32.set(data.Y, this.g.Y! / 4);
  }

  /** Copy the weights in (model.ts shapes), padding and transposing W2 as the kernel keeps them. */
  setWeights(w: KernelWeights): void {
    const { T, E, H, V } = this.shape;
    const { Hp, Vp, weights, weightBytes } = this.g as Record<string, number>;
    const TE = T * E;
    const sizes = { C: V * E, W1: TE * H, b1: H, W2: H * V, b2: V };
    for (const [name, size] of Object.entries(sizes)) {
      const found = w[name as keyof KernelWeights].length;
      if (found !== size) throw new RangeError(`Kernel.setWeights: ${name}: expected ${size} values, found ${found}`);
    }
    const f = this.f32;
    f.fill(0, weights! / 4, (weights! + weightBytes!) / 4); // the padding is zero
    f.set(w.C, this.g.C! / 4);
    for (let k = 0; k < TE; k++) f.set(w.W1.subarray(k * H, (k + 1) * H), this.g.W1! / 4 + k * Hp!);
    f.set(w.b1, this.g.b1! / 4);
    const W2T = this.g.W2T! / 4;
    for (let j = 0; j < H; j++) for (let v = 0; v < V; v++) f[W2T + v * Hp! + j] = w.W2[j * V + v]!;
    f.set(w.b2, this.g.b2! / 4);
    f.fill(-Infinity, this.g.b2! / 4 + V, this.g.b2! / 4 + Vp!); // padded logits are −∞: no weight in the softmax
  }

  /** The weights now (model.ts shapes), into `out` when given. */
  getWeights(out?: KernelWeights): KernelWeights {
    const { T, E, H, V } = this.shape;
    const Hp = this.g.Hp!;
    const TE = T * E;
    const w = out ?? {
      C: new Float32Array(V * E),
      W1: new Float32Array(TE * H),
      b1: new Float32Array(H),
      W2: new Float32Array(H * V),
      b2: new Float32Array(V),
    };
    const f = this.f32;
    w.C.set(f.subarray(this.g.C! / 4, this.g.C! / 4 + V * E));
    for (let k = 0; k < TE; k++) w.W1.set(f.subarray(this.g.W1! / 4 + k * Hp, this.g.W1! / 4 + k * Hp + H), k * H);
    w.b1.set(f.subarray(this.g.b1! / 4, this.g.b1! / 4 + H));
    const W2T = this.g.W2T! / 4;
    for (let j = 0; j < H; j++) for (let v = 0; v < V; v++) w.W2[j * V + v] = f[W2T + v * Hp + j]!;
    w.b2.set(f.subarray(this.g.b2! / 4, this.g.b2! / 4 + V));
    return w;
  }

  /**
   * SGD steps 0 … steps−1: step k on the minibatch rows[k·B … k·B+B) of the split (or the whole split: 'full') at
   * rate lrs[k]; losses[k] is step k's loss before its update. Stops at the first non-finite loss before that step's
   * update, and returns the steps whose update was applied: `steps`, or i with losses[i] the non-finite loss and the
   * weights those after step i − 1.
   */
  train(rows: Int32Array | 'full', lrs: Float64Array, losses: Float32Array, steps = lrs.length): number {
    const B = this.layout.B;
    const most = Math.min(this.shape.steps, lrs.length, losses.length);
    if (!(Number.isInteger(steps) && steps >= 0 && steps <= most)) {
      throw new RangeError(`Kernel.train: steps: expected an integer in [0, ${most}], found ${steps}`);
    }
    if ((rows === 'full') !== this.full) throw new Error(`Kernel.train: rows: expected ${this.full ? "'full'" : 'row indices'}, found ${rows === 'full' ? "'full'" : 'row indices'}`);
    if (rows !== 'full') {
      if (rows.length < steps * B) throw new RangeError(`Kernel.train: rows: expected ${steps * B} row indices, found ${rows.length}`);
      this.i32.set(rows.subarray(0, steps * B), this.g.rows! / 4);
    }
    this.f64.set(lrs.subarray(0, steps), this.g.lrs! / 8);
    const done = this.x.train(steps, this.full ? 1 : 0);
    const kept = Math.min(steps, done + 1); // the non-finite loss too, when there is one
    losses.set(this.f32.subarray(this.g.losses! / 4, this.g.losses! / 4 + kept));
    return done;
  }

  /** Remember the weights now (a chunk's start). */
  save(): void {
    this.x.save();
  }

  /** Back to the weights of the last save(). */
  restore(): void {
    this.x.restore();
  }

  /** The bytes of WebAssembly memory held (constant from construction on). */
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** Hand the instance back for the next trial's Kernel; this one is unusable afterwards. */
  dispose(): void {
    release(this.x);
    this.x = undefined as unknown as Exports;
  }
}

/** The kernel's own exp or tanh applied to `values` (for the tests of their accuracy). */
export function kernelMap(fn: 'exp' | 'tanh', values: Float32Array): Float32Array {
  const x = acquire();
  try {
    const n = Math.ceil(values.length / 4) * 4;
    reserve(x.memory, KERNEL_BASE + n * 4);
    const f = new Float32Array(x.memory.buffer, KERNEL_BASE, n);
    f.set(values);
    (fn === 'exp' ? x.mapExp : x.mapTanh)(KERNEL_BASE, n);
    return f.slice(0, values.length);
  } finally {
    release(x);
  }
}
