// Where the kernel keeps everything in its linear memory, and how much memory a trial needs: a pure function of the
// shapes, so that the planner can refuse a model that cannot fit before anything runs (kernelBytes, kernelTooLarge).
//
// Shapes: n training examples, B examples per step, T = block_size, E = embed_dim, H = hidden, V = vocabulary size;
// padded (see assembly/step.ts): Bp = ⌈B⌉₄, TEp = ⌈T·E⌉₄, Hp = ⌈H⌉₈ (+ 8 at multiples of 256), Vp = ⌈V⌉₄.
import { kernelTooLarge } from '../../config/messages.js';
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

// Work of one kernel call at most: about 0.1 s at the kernel's 20–40 GFLOP/s, so that a chunk of full-batch steps
// (12.5 GFLOP each on names.txt) still hands back to the event loop (progress, signals, the parent's messages) each step.
const CHUNK_FLOP = 3e9;

/** The steps one kernel call trains: the Trainer's chunk, or fewer where that would pass CHUNK_FLOP (at least one). */
export function kernelMaxSteps(shape: Omit<KernelShape, 'steps' | 'loss'>, chunkSteps: number): number {
  return Math.max(1, Math.min(chunkSteps, Math.floor(CHUNK_FLOP / stepFlops(shape))));
}

/** The shape the kernel engine sizes its memory for, given the Trainer's chunk: the planner and the engine alike. */
export function engineShape(shape: Omit<KernelShape, 'steps'>, chunkSteps: number): KernelShape {
  return { ...shape, steps: kernelMaxSteps(shape, chunkSteps) };
}

/** A shape the kernel cannot hold: the bytes it would need, and what would fit (null where nothing does). */
export interface KernelMisfit {
  bytes: number;
  hidden: number | null; // the largest hidden that fits with this batch
  batch: number | null; // the largest minibatch that fits with this hidden
}

/** Whether the kernel can hold a shape (its memory at most 4 GiB): null when it can, else what it needs and what fits. */
export function kernelMisfit(shape: Omit<KernelShape, 'steps'>, chunkSteps: number): KernelMisfit | null {
  const fits = (s: Omit<KernelShape, 'steps'>) => kernelBytes(engineShape(s, chunkSteps)) <= KERNEL_MAX_BYTES;
  const bytes = kernelBytes(engineShape(shape, chunkSteps));
  if (bytes <= KERNEL_MAX_BYTES) return null;
  const batch = shape.batch === 'full' ? shape.n : shape.batch;
  return {
    bytes,
    hidden: largest(shape.H, (H) => fits({ ...shape, H })),
    batch: largest(batch, (b) => fits({ ...shape, batch: b })),
  };
}

/**
 * Why the kernel cannot hold a shape, said at the key further above the lecture's (batch_size over 32, hidden over
 * 200), with what would fit; null when it can. The planner's check (exit 2 before anything runs; its n is `about`, from
 * the split's fraction of the examples) and the Kernel's own.
 */
export function kernelProblem(shape: Omit<KernelShape, 'steps'>, chunkSteps: number, about = false): { key: 'model.hidden' | 'train.batch_size'; message: string } | null {
  const misfit = kernelMisfit(shape, chunkSteps);
  if (misfit === null) return null;
  const B = shape.batch === 'full' ? shape.n : shape.batch;
  const key = B / 32 > shape.H / 200 ? 'train.batch_size' : 'model.hidden';
  const need = { bytes: misfit.bytes, limit: KERNEL_MAX_BYTES, hidden: shape.H, block_size: shape.T, embed_dim: shape.E, batch: shape.batch, n: shape.n, about };
  return { key, message: kernelTooLarge(key, { ...need, fits: { hidden: misfit.hidden, batch: misfit.batch } }) };
}

/** The largest x in [1, above) with ok(x), for an ok that holds up to some point and not after; null when ok(1) fails. */
function largest(above: number, ok: (x: number) => boolean): number | null {
  if (!ok(1)) return null;
  let [lo, hi] = [1, above]; // ok(lo), not ok(hi)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
