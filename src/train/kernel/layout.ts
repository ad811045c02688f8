// Where the kernel keeps everything in its linear memory, and how much memory a trial needs: a pure function of the
// shapes, so that the planner can refuse a model that cannot fit before anything runs (kernelBytes, kernelTooLarge).
//
// Shapes: n training examples, B examples per step, T = block_size, E = embed_dim, H = hidden, V = vocabulary size;
// padded (see assembly/step.ts): Bp = ⌈B⌉₄, TEp = ⌈T·E⌉₄, Hp = ⌈H⌉₈ (+ 8 at multiples of 256), Vp = ⌈V⌉₄.
import type { LossMode } from '../../config/schema.js';

/** What the kernel's memory is sized for. */
export interface KernelShape {
  n: number; // examples in the training split (rows of X and Y)
  T: number; // block_size
  E: number; // embed_dim
  H: number; // hidden
  V: number; // vocabulary size
  batch: number | 'full'; // B, or the whole split every step
  steps: number; // the most steps one call trains (a chunk)
  loss: LossMode; // manual needs its chain's buffers
}

/** A wasm32 memory addresses 4 GiB: 65,536 pages of 64 KiB, all of which V8 (Node ≥ 16) grants a module. */
export const KERNEL_MAX_BYTES = 2 ** 32;
/** A WebAssembly page. */
export const PAGE_BYTES = 65536;
/** The module's own static data (Mathf.log's tables, 1 KiB at 1024) lies below this address; the buffers above. */
export const KERNEL_BASE = PAGE_BYTES;
// Every buffer starts on a cache line.
const ALIGN = 64;

/** The kernel's globals (assembly/step.ts), by name: the padded sizes, then each buffer's address. */
export type KernelGlobals = Record<string, number>;

/** Every global of the kernel, its value for a shape, and the bytes of memory that needs. */
export interface KernelLayout {
  globals: KernelGlobals;
  bytes: number; // the end of the last buffer: memory must be at least this large
  B: number;
  Bp: number;
  TEp: number;
  Hp: number;
  Vp: number;
}

const up = (x: number, m: number) => Math.ceil(x / m) * m;

/** The layout of the kernel's memory for a shape (addresses as plain numbers, so sizes past 4 GiB are still exact). */
export function kernelLayout(shape: KernelShape): KernelLayout {
  const { n, T, E, H, V, steps, loss } = shape;
  const full = shape.batch === 'full';
  const B = full ? n : (shape.batch as number);
  const [Bp, TEp, Vp, VEp] = [up(B, 4), up(T * E, 4), up(V, 4), up(V * E, 4)];
  // Rows a multiple of 1 KiB apart fall into few of L1's cache sets (hidden 1024: a column of W1 or h in one set of
  // 8 lines, 25 % slower than hidden 1032): 8 more zero columns break that.
  const Hp = up(H, 8) % 256 === 0 ? up(H, 8) + 8 : up(H, 8);
  const mine = loss === 'manual';
  let at = KERNEL_BASE;
  const globals: KernelGlobals = { T, E, TE: T * E, TEp, Hp, V, Vp, VEp, B, Bp, manual: mine ? 1 : 0 };
  const place = (name: string, bytes: number) => {
    globals[name] = at;
    at = up(at + bytes, ALIGN);
  };
  const f32 = 4;
  place('X', n * T * 4); // (n, T) int32
  place('Y', n * 4); // (n,) int32
  // The parameters, contiguous so that save() and restore() copy them at once.
  const weights = at;
  place('C', VEp * f32); // (V, E)
  place('W1', TEp * Hp * f32); // (TEp, Hp)
  place('b1', Hp * f32); // (Hp,)
  place('W2T', Vp * Hp * f32); // (Vp, Hp)
  place('b2', Vp * f32); // (Vp,)
  globals.weights = weights;
  globals.weightBytes = at - weights;
  place('saved', at - weights);
  place('rows', full ? 0 : steps * B * 4); // (K·B,) int32
  place('lrs', steps * 8); // (K,) float64
  place('losses', steps * f32); // (K,)
  place('ctx', full ? 0 : B * T * 4); // (B, T) int32
  place('tgt', full ? 0 : B * 4); // (B,) int32
  place('emb', Bp * TEp * f32);
  place('h', Bp * Hp * f32);
  place('logits', Bp * Vp * f32);
  place('dlogits', Bp * Vp * f32);
  place('dpre', Bp * Hp * f32);
  place('demb', Bp * TEp * f32);
  place('dC', VEp * f32);
  // The manual loss's chain (empty for fused).
  for (const name of ['counts', 'probs', 'dprob', 'dcounts']) place(name, mine ? Bp * Vp * f32 : 0); // (Bp, Vp)
  for (const name of ['sums', 'picked', 'logp', 'dpicked', 'dsum']) place(name, mine ? B * f32 : 0); // (B,)
  return { globals, bytes: at, B, Bp, TEp, Hp, Vp };
}

/**
 * Floating-point operations of one step in its six matrix products, forward and backward, 2·B·n·m each: emb @ W1,
 * h @ W2, dW2 = h.T @ dlogits, dh = dlogits @ W2.T, dW1 = emb.T @ dpre, demb = dpre @ W1.T; so 6·B·H·(T·E + V)
 * (2.19 million at the lecture's size). The elementwise work (tanh, the loss) is not counted.
 */
export function stepFlops(shape: Pick<KernelShape, 'n' | 'T' | 'E' | 'H' | 'V' | 'batch'>): number {
  const B = shape.batch === 'full' ? shape.n : shape.batch;
  return 6 * B * shape.H * (shape.T * shape.E + shape.V);
}

/** Bytes of WebAssembly memory the kernel needs for a shape (at most KERNEL_MAX_BYTES can be had). */
export function kernelBytes(shape: KernelShape): number {
  return kernelLayout(shape).bytes;
}

/** Why the kernel cannot train this shape (its memory would pass 4 GiB), or null when it can. */
export function kernelTooLarge(shape: KernelShape): string | null {
  const bytes = kernelBytes(shape);
  if (bytes <= KERNEL_MAX_BYTES) return null;
  const gib = (x: number) => `${(x / 2 ** 30).toFixed(2)} GiB`;
  const batch = shape.batch === 'full' ? `full (${shape.n} examples)` : String(shape.batch);
  return (
    `expected a model and batch whose kernel buffers fit WebAssembly's ${gib(KERNEL_MAX_BYTES)}, found ${gib(bytes)} ` +
    `(hidden ${shape.H}, block_size ${shape.T}, embed_dim ${shape.E}, batch_size ${batch}): ` +
    'use a smaller hidden or batch_size, or engine: tfjs'
  );
}
