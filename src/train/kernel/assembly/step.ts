// The SGD steps of a chunk in one call: the lecture's MLP as step.ts trains it, in AssemblyScript with f32x4 SIMD.
//
// train(K) runs K steps, each: gather the embeddings → h = tanh(emb @ W1 + b1) → logits = h @ W2 + b2 → the loss
// and lr·∂loss/∂logits (fused or manual, as loss.ts) → backward → SGD update, with no allocation: every buffer
// lives in linear memory at an address the wrapper sets (layout.ts computes them; index.ts writes them into the
// globals below). Read it beside step.ts, model.ts and loss.ts: the same maths in the same order (exp and tanh: math.ts).
//
// Shapes: B examples, T = block_size, E = embed_dim, H = hidden, V = vocabulary size. The SIMD tiles need some
// sizes padded, with zeros that stay zero: Bp = B rounded up to 4 (extra rows: zero embeddings and zero loss
// gradient); TEp = T·E rounded up to 4 (zero columns of emb, zero rows of W1); Hp = H rounded up to 8, and 8 more at
// multiples of 256 so that rows are not 4 KiB apart (zero columns of W1, b1 and W2T); Vp = V rounded up to 4 (zero
// rows of W2T, and −∞ in b2 so that padded logits are −∞: exp gives 0, max ignores them). W2 is kept transposed,
// W2T (Vp, Hp), so that every product runs along H.
//
// Arithmetic is float32 throughout, as in TensorFlow.js; the learning rates come as float64 so that the step's
// factor lr/B is rounded to float32 once, exactly as step.ts's tf.mul(gradTimesB, lr / B) rounds it.

import { exp4, hmax, hsum, sum4, tanh4 } from './math';
export { mapExp, mapTanh } from './math';

// ─── Where everything is (set by index.ts from layout.ts before any call) ───────────────────────────────────────
export let T: i32 = 0; // block_size
export let E: i32 = 0; // embed_dim
export let TE: i32 = 0; // T·E, one example's concatenated embeddings
export let TEp: i32 = 0; // TE rounded up to 4: the row length of emb and demb, the rows of W1
export let Hp: i32 = 0; // hidden rounded up to 8
export let V: i32 = 0; // vocabulary size
export let Vp: i32 = 0; // V rounded up to 4
export let VEp: i32 = 0; // V·E rounded up to 4: the floats of C and dC
export let B: i32 = 0; // examples per step (the whole split when full)
export let Bp: i32 = 0; // B rounded up to 4
export let manual: i32 = 0; // 1: the lecture's manual loss; 0: fused

export let X: usize = 0; // (n, T) int32: the training split's contexts, row-major
export let Y: usize = 0; // (n,) int32: the characters that follow
export let weights: usize = 0; // the parameters, contiguous: C, W1, b1, W2T, b2
export let weightBytes: usize = 0;
export let C: usize = 0; // (V, E)
export let W1: usize = 0; // (TEp, Hp)
export let b1: usize = 0; // (Hp,)
export let W2T: usize = 0; // (Vp, Hp) = W2.T
export let b2: usize = 0; // (Vp,)
export let saved: usize = 0; // weightBytes: a copy of the parameters (save / restore)
export let rows: usize = 0; // (K·B,) int32: step k's minibatch is rows[k·B … k·B+B) of X and Y
export let lrs: usize = 0; // (K,) float64: step k's learning rate
export let losses: usize = 0; // (K,) float32: step k's loss, before its update
export let ctx: usize = 0; // (B, T) int32: the step's contexts, X[rows]
export let tgt: usize = 0; // (B,) int32: the step's targets, Y[rows]
export let emb: usize = 0; // (Bp, TEp) C[ctx].view(B, T·E)
export let h: usize = 0; // (Bp, Hp) tanh(emb @ W1 + b1)
export let logits: usize = 0; // (Bp, Vp) h @ W2 + b2
export let dlogits: usize = 0; // (Bp, Vp) lr · ∂loss/∂logits (zero in padded rows and columns)
export let dpre: usize = 0; // (Bp, Hp) lr · ∂loss/∂(emb @ W1 + b1)
export let demb: usize = 0; // (Bp, TEp) lr · ∂loss/∂emb
export let dC: usize = 0; // (V, E) lr · ∂loss/∂C
// The manual loss's chain, each in its own buffer as the lecture's tensors (only when manual).
export let counts: usize = 0; // (Bp, Vp) exp(logits)
export let sums: usize = 0; // (B,) counts.sum(1)
export let probs: usize = 0; // (Bp, Vp) counts / sums
export let picked: usize = 0; // (B,) probs[range(B), Y]
export let logp: usize = 0; // (B,) picked.log()
export let dpicked: usize = 0; // (B,)
export let dprob: usize = 0; // (Bp, Vp)
export let dsum: usize = 0; // (B,)
export let dcounts: usize = 0; // (Bp, Vp)

/** Where the module's own static data ends: the wrapper places its buffers above it. */
export function heapBase(): usize {
  return __heap_base;
}

// Rows of the batch at a time in the products: a block of h and of dpre (ROWS × Hp floats, 256 KB at hidden 1000)
// stays in L2 between the column strips that visit it. The sums over the batch (dW1, dW2) are subtracted block by
// block, which changes nothing at a batch of ROWS or fewer.
const ROWS: usize = 64;

// ─── The steps ────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * SGD steps 0 … K−1 of a chunk: step k on minibatch rows[k·B …) (or, full, on the whole split) at rate lrs[k],
 * its loss (before its update) into losses[k]. Stops at the first non-finite loss, before that step's update:
 * returns the number of steps whose update was applied (K, or the step whose loss is not finite).
 */
export function train(K: i32, full: bool): i32 {
  for (let k = 0; k < K; k++) {
    // Forward: emb = C[X].view(B, T·E); h = tanh(emb @ W1 + b1); logits = h @ W2 + b2.
    const context = full ? X : gather(rows + ((<usize>k * <usize>B) << 2));
    const target = full ? Y : tgt;
    embed(context);
    hidden();
    output();

    // Loss and lr · ∂loss/∂logits: both losses give B·∂loss/∂logits; × lr/B (rounded to float32 once).
    const scale = <f32>(load<f64>(lrs + (<usize>k << 3)) / <f64>B);
    const loss = manual ? manualLoss(target, scale) : fusedLoss(target, scale);
    store<f32>(losses + (<usize>k << 2), loss);
    if (!isFinite(loss)) return k; // diverged: this step's update is not applied

    // Backward and update, layer by layer; each gradient is already lr·grad, and each parameter is updated only
    // once nothing else reads it: W2 after dh, W1 after demb.
    updateB2(); //                   b2 −= dlogits.sum(0)
    backHidden(); //                 dpre = (dlogits @ W2.T) · (1 − h²)
    updateW2(); //                   W2 −= h.T @ dlogits
    updateB1(); //                   b1 −= dpre.sum(0)
    backEmbedding(); //              demb = dpre @ W1.T
    updateW1(); //                   W1 −= emb.T @ dpre
    updateC(context); //             C −= dC, dC[X[i]] += demb row i (repeated characters accumulate)
  }
  return K;
}

/** Keep a copy of the parameters (a chunk's start, for the range test's replay). */
export function save(): void {
  memory.copy(saved, weights, weightBytes);
}

/** Back to the parameters of the last save(). */
export function restore(): void {
  memory.copy(weights, saved, weightBytes);
}

// ─── Forward ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** The step's minibatch: ctx = X[rows], tgt = Y[rows]; returns ctx. (B, T), (B,) */
function gather(at: usize): usize {
  const t = <usize>T;
  for (let b: usize = 0, n = <usize>B; b < n; b++) {
    const row = <usize>load<i32>(at + (b << 2));
    store<i32>(tgt + (b << 2), load<i32>(Y + (row << 2)));
    for (let i: usize = 0; i < t; i++) store<i32>(ctx + ((b * t + i) << 2), load<i32>(X + ((row * t + i) << 2)));
  }
  return ctx;
}

/** emb[b, t·E + e] = C[context[b, t], e]: (Bp, TEp) ← (V, E) at (B, T). Padded rows and columns stay zero. */
function embed(context: usize): void {
  const t = <usize>T, e = <usize>E, rowE = <usize>TEp << 2;
  for (let b: usize = 0, n = <usize>B; b < n; b++) {
    const out = emb + b * rowE;
    for (let i: usize = 0; i < t; i++) {
      const src = C + ((<usize>load<i32>(context + ((b * t + i) << 2)) * e) << 2);
      const dst = out + ((i * e) << 2);
      for (let j: usize = 0; j < e << 2; j += 4) store<f32>(dst + j, load<f32>(src + j));
    }
  }
}

/** h = tanh(emb @ W1 + b1): (Bp, Hp) ← (Bp, TEp) @ (TEp, Hp) + (Hp,), in tiles of 4 rows × 8 units, tanh on the way out. */
function hidden(): void {
  const te = <usize>TE, rowE = <usize>TEp << 2, rowH = <usize>Hp << 2;
  for (let from: usize = 0, n = <usize>Bp; from < n; from += ROWS) {
    for (let j: usize = 0; j < rowH; j += 32) {
      const bias0 = v128.load(b1 + j), bias1 = v128.load(b1 + j, 16);
      for (let b = from, to = min(from + ROWS, n); b < to; b += 4) {
        let a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1, a20 = bias0, a21 = bias1, a30 = bias0, a31 = bias1;
        let x = emb + b * rowE; // emb[b, k]
        let w = W1 + j; //          W1[k, j]
        for (let k: usize = 0; k < te; k++, x += 4, w += rowH) {
          const w0 = v128.load(w), w1 = v128.load(w, 16);
          let e = v128.load32_splat(x);
          a00 = f32x4.add(a00, f32x4.mul(e, w0));
          a01 = f32x4.add(a01, f32x4.mul(e, w1));
          e = v128.load32_splat(x + rowE);
          a10 = f32x4.add(a10, f32x4.mul(e, w0));
          a11 = f32x4.add(a11, f32x4.mul(e, w1));
          e = v128.load32_splat(x + 2 * rowE);
          a20 = f32x4.add(a20, f32x4.mul(e, w0));
          a21 = f32x4.add(a21, f32x4.mul(e, w1));
          e = v128.load32_splat(x + 3 * rowE);
          a30 = f32x4.add(a30, f32x4.mul(e, w0));
          a31 = f32x4.add(a31, f32x4.mul(e, w1));
        }
        const o = h + b * rowH + j;
        v128.store(o, tanh4(a00));
        v128.store(o, tanh4(a01), 16);
        v128.store(o + rowH, tanh4(a10));
        v128.store(o + rowH, tanh4(a11), 16);
        v128.store(o + 2 * rowH, tanh4(a20));
        v128.store(o + 2 * rowH, tanh4(a21), 16);
        v128.store(o + 3 * rowH, tanh4(a30));
        v128.store(o + 3 * rowH, tanh4(a31), 16);
      }
    }
  }
}

/** logits = h @ W2 + b2: (Bp, Vp) ← (Bp, Hp) · rows of W2T (Vp, Hp), in tiles of 2 rows × 4 characters. */
function output(): void {
  const rowH = <usize>Hp << 2, rowV = <usize>Vp << 2;
  for (let b: usize = 0, n = <usize>Bp; b < n; b += 2) {
    const h0 = h + b * rowH, h1 = h0 + rowH;
    for (let v: usize = 0; v < rowV; v += 16) {
      const w0 = W2T + (v >> 2) * rowH, w1 = w0 + rowH, w2 = w1 + rowH, w3 = w2 + rowH;
      const z = f32x4.splat(0);
      let a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
      // Running pointers (h[b, j], h[b+1, j], W2T[v…v+3, j]): V8 keeps them in registers.
      let x0p = h0, x1p = h1, w0p = w0, w1p = w1, w2p = w2, w3p = w3;
      for (const end = h0 + rowH; x0p < end; x0p += 16, x1p += 16, w0p += 16, w1p += 16, w2p += 16, w3p += 16) {
        const x0 = v128.load(x0p), x1 = v128.load(x1p);
        let w = v128.load(w0p);
        a00 = f32x4.add(a00, f32x4.mul(x0, w));
        a10 = f32x4.add(a10, f32x4.mul(x1, w));
        w = v128.load(w1p);
        a01 = f32x4.add(a01, f32x4.mul(x0, w));
        a11 = f32x4.add(a11, f32x4.mul(x1, w));
        w = v128.load(w2p);
        a02 = f32x4.add(a02, f32x4.mul(x0, w));
        a12 = f32x4.add(a12, f32x4.mul(x1, w));
        w = v128.load(w3p);
        a03 = f32x4.add(a03, f32x4.mul(x0, w));
        a13 = f32x4.add(a13, f32x4.mul(x1, w));
      }
      const bias = v128.load(b2 + v);
      v128.store(logits + b * rowV + v, f32x4.add(sum4(a00, a01, a02, a03), bias));
      v128.store(logits + (b + 1) * rowV + v, f32x4.add(sum4(a10, a11, a12, a13), bias));
    }
  }
}

// ─── The two losses (loss.ts), each returning the mean loss and leaving lr · ∂loss/∂logits in dlogits ───────────

/**
 * fused: F.cross_entropy, stable: per row, m = max(logits), s = Σ exp(logits − m), loss = m + log(s) − logits[y];
 * and (softmax(logits) − one_hot(Y)) · lr/B, in one pass over each row. Finite for any finite logits.
 */
function fusedLoss(target: usize, scale: f32): f32 {
  const rowV = <usize>Vp << 2;
  let total: f64 = 0;
  for (let b: usize = 0, n = <usize>B; b < n; b++) {
    const row = logits + b * rowV, out = dlogits + b * rowV;
    // m = max(logits) by pmax (one instruction; it may drop a NaN, which then makes exp, the sum and the loss NaN)
    let m = v128.load(row);
    for (let v: usize = 16; v < rowV; v += 16) m = f32x4.pmax(m, v128.load(row + v));
    const mx = f32x4.splat(hmax(m));
    let s = f32x4.splat(0);
    for (let v: usize = 0; v < rowV; v += 16) {
      const e = exp4(f32x4.sub(v128.load(row + v), mx)); // padded columns: exp(−∞) = 0
      v128.store(out + v, e);
      s = f32x4.add(s, e);
    }
    const sum = hsum(s);
    const y = <usize>load<i32>(target + (b << 2)) << 2;
    total += <f64>(f32x4.extract_lane(mx, 0) + Mathf.log(sum) - load<f32>(row + y));
    const py = load<f32>(out + y) / sum; // softmax(logits)[y]
    const k = f32x4.splat(scale / sum); // softmax · lr/B in one product
    for (let v: usize = 0; v < rowV; v += 16) v128.store(out + v, f32x4.mul(v128.load(out + v), k));
    store<f32>(out + y, (py - 1) * scale); // − one_hot(Y)
  }
  return <f32>(total / <f64>B);
}

/**
 * manual: the lecture's chain, each op a pass of its own over its own buffer, and its backward through every op
 * exactly as loss.ts's manualLossAndGradTimesB (and PyTorch's autograd): exp overflows past logits ≈ 88.7, and then
 * Inf/Inf gives NaN, in the loss and in the gradient.
 */
function manualLoss(target: usize, scale: f32): f32 {
  const n = <usize>B, rowV = <usize>Vp << 2;
  // counts = logits.exp()  (B, Vp); padded columns: exp(−∞) = 0
  for (let b: usize = 0; b < n; b++) {
    for (let v: usize = 0; v < rowV; v += 16) v128.store(counts + b * rowV + v, exp4(v128.load(logits + b * rowV + v)));
  }
  // sums = counts.sum(1, keepdims=True)  (B,)
  for (let b: usize = 0; b < n; b++) {
    let s = f32x4.splat(0);
    for (let v: usize = 0; v < rowV; v += 16) s = f32x4.add(s, v128.load(counts + b * rowV + v));
    store<f32>(sums + (b << 2), hsum(s));
  }
  // probs = counts / sums  (B, Vp)
  for (let b: usize = 0; b < n; b++) {
    const s = v128.load32_splat(sums + (b << 2));
    for (let v: usize = 0; v < rowV; v += 16) v128.store(probs + b * rowV + v, f32x4.div(v128.load(counts + b * rowV + v), s));
  }
  // picked = probs[range(B), Y]  (B,)
  for (let b: usize = 0; b < n; b++) {
    store<f32>(picked + (b << 2), load<f32>(probs + b * rowV + (<usize>load<i32>(target + (b << 2)) << 2)));
  }
  // logp = picked.log()  (B,)
  for (let b: usize = 0; b < n; b++) store<f32>(logp + (b << 2), Mathf.log(load<f32>(picked + (b << 2))));
  // loss = −logp.mean()
  let total: f64 = 0;
  for (let b: usize = 0; b < n; b++) total += <f64>load<f32>(logp + (b << 2));
  const loss = <f32>(-total / <f64>B);

  // Backward, × B:  dpicked = −1 / picked  (B,)
  for (let b: usize = 0; b < n; b++) store<f32>(dpicked + (b << 2), <f32>-1 / load<f32>(picked + (b << 2)));
  // dprob = one_hot(Y) · dpicked  (B, Vp): every column, so that 0 · ±∞ gives NaN as in the tensor op
  for (let b: usize = 0; b < n; b++) {
    const d = load<f32>(dpicked + (b << 2)), y = load<i32>(target + (b << 2));
    for (let v = 0; v < Vp; v++) store<f32>(dprob + b * rowV + (<usize>v << 2), (v == y ? <f32>1 : <f32>0) * d);
  }
  // dsum = −Σ_row(dprob · counts / sums²)  (B,)
  for (let b: usize = 0; b < n; b++) {
    const s = load<f32>(sums + (b << 2)), s2 = f32x4.splat(s * s);
    let acc = f32x4.splat(0);
    for (let v: usize = 0; v < rowV; v += 16) {
      acc = f32x4.add(acc, f32x4.div(f32x4.mul(v128.load(dprob + b * rowV + v), v128.load(counts + b * rowV + v)), s2));
    }
    store<f32>(dsum + (b << 2), -hsum(acc));
  }
  // dcounts = dprob / sums + dsum  (B, Vp)
  for (let b: usize = 0; b < n; b++) {
    const s = v128.load32_splat(sums + (b << 2)), d = v128.load32_splat(dsum + (b << 2));
    for (let v: usize = 0; v < rowV; v += 16) {
      v128.store(dcounts + b * rowV + v, f32x4.add(f32x4.div(v128.load(dprob + b * rowV + v), s), d));
    }
  }
  // dlogits = dcounts · counts · lr/B  (B, Vp), padded columns zero
  const sc = f32x4.splat(scale), last = rowV - 16, keep = tailMask();
  for (let b: usize = 0; b < n; b++) {
    for (let v: usize = 0; v < rowV; v += 16) {
      const g = f32x4.mul(f32x4.mul(v128.load(dcounts + b * rowV + v), v128.load(counts + b * rowV + v)), sc);
      v128.store(dlogits + b * rowV + v, v == last ? v128.and(g, keep) : g);
    }
  }
  return loss;
}

// ─── Backward and update ─────────────────────────────────────────────────────────────────────────────────────────

/** b2 −= dlogits.sum(0): (Vp,) ← (Bp, Vp). */
function updateB2(): void {
  const rowV = <usize>Vp << 2, n = <usize>Bp;
  for (let v: usize = 0; v < rowV; v += 16) {
    let acc = f32x4.splat(0);
    for (let b: usize = 0; b < n; b++) acc = f32x4.add(acc, v128.load(dlogits + b * rowV + v));
    v128.store(b2 + v, f32x4.sub(v128.load(b2 + v), acc));
  }
}

/** dpre = (dlogits @ W2.T) · (1 − h²): (Bp, Hp) ← (Bp, V) @ W2T (V, Hp), in tiles of 4 rows × 8 units. */
function backHidden(): void {
  const vs = <usize>V, rowV = <usize>Vp << 2, rowH = <usize>Hp << 2;
  const one = f32x4.splat(1), z = f32x4.splat(0);
  for (let from: usize = 0, n = <usize>Bp; from < n; from += ROWS) {
    for (let j: usize = 0; j < rowH; j += 32) {
      for (let b = from, to = min(from + ROWS, n); b < to; b += 4) {
        let a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
        let g = dlogits + b * rowV; // dlogits[b, v]
        let w = W2T + j; //             W2T[v, j]
        for (let v: usize = 0; v < vs; v++, g += 4, w += rowH) {
          const w0 = v128.load(w), w1 = v128.load(w, 16);
          let d = v128.load32_splat(g);
          a00 = f32x4.add(a00, f32x4.mul(d, w0));
          a01 = f32x4.add(a01, f32x4.mul(d, w1));
          d = v128.load32_splat(g + rowV);
          a10 = f32x4.add(a10, f32x4.mul(d, w0));
          a11 = f32x4.add(a11, f32x4.mul(d, w1));
          d = v128.load32_splat(g + 2 * rowV);
          a20 = f32x4.add(a20, f32x4.mul(d, w0));
          a21 = f32x4.add(a21, f32x4.mul(d, w1));
          d = v128.load32_splat(g + 3 * rowV);
          a30 = f32x4.add(a30, f32x4.mul(d, w0));
          a31 = f32x4.add(a31, f32x4.mul(d, w1));
        }
        // tanh' = 1 − h²
        const hb = h + b * rowH + j, o = dpre + b * rowH + j;
        v128.store(o, tanhGrad(a00, v128.load(hb), one));
        v128.store(o, tanhGrad(a01, v128.load(hb, 16), one), 16);
        v128.store(o + rowH, tanhGrad(a10, v128.load(hb + rowH), one));
        v128.store(o + rowH, tanhGrad(a11, v128.load(hb + rowH, 16), one), 16);
        v128.store(o + 2 * rowH, tanhGrad(a20, v128.load(hb + 2 * rowH), one));
        v128.store(o + 2 * rowH, tanhGrad(a21, v128.load(hb + 2 * rowH, 16), one), 16);
        v128.store(o + 3 * rowH, tanhGrad(a30, v128.load(hb + 3 * rowH), one));
        v128.store(o + 3 * rowH, tanhGrad(a31, v128.load(hb + 3 * rowH, 16), one), 16);
      }
    }
  }
}

/**
 * W −= G.T @ X, W (cols, Hp) with rows `row` bytes apart: G (Bp, cols) and X (Bp, Hp), summed over the batch in tiles
 * of 4 columns of G × 8 units, ROWS examples at a time. W2T −= dlogits.T @ h and W1 −= emb.T @ dpre are both this.
 */
function subtractProducts(W: usize, G: usize, rowG: usize, X: usize): void {
  const rowH = <usize>Hp << 2, n = <usize>Bp, z = f32x4.splat(0);
  for (let from: usize = 0; from < n; from += ROWS) {
    for (let j: usize = 0; j < rowH; j += 32) {
      for (let c: usize = 0; c < rowG; c += 16) {
        let a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
        let g = G + from * rowG + c; // G[b, c]
        let x = X + from * rowH + j; // X[b, j]
        for (let b = from, to = min(from + ROWS, n); b < to; b++, g += rowG, x += rowH) {
          const x0 = v128.load(x), x1 = v128.load(x, 16);
          let d = v128.load32_splat(g);
          a00 = f32x4.add(a00, f32x4.mul(d, x0));
          a01 = f32x4.add(a01, f32x4.mul(d, x1));
          d = v128.load32_splat(g, 4);
          a10 = f32x4.add(a10, f32x4.mul(d, x0));
          a11 = f32x4.add(a11, f32x4.mul(d, x1));
          d = v128.load32_splat(g, 8);
          a20 = f32x4.add(a20, f32x4.mul(d, x0));
          a21 = f32x4.add(a21, f32x4.mul(d, x1));
          d = v128.load32_splat(g, 12);
          a30 = f32x4.add(a30, f32x4.mul(d, x0));
          a31 = f32x4.add(a31, f32x4.mul(d, x1));
        }
        const w = W + (c >> 2) * rowH + j;
        subtract(w, a00, a01);
        subtract(w + rowH, a10, a11);
        subtract(w + 2 * rowH, a20, a21);
        subtract(w + 3 * rowH, a30, a31);
      }
    }
  }
}

/** W2 −= h.T @ dlogits, as W2T (Vp, Hp) −= dlogits.T @ h. */
function updateW2(): void {
  subtractProducts(W2T, dlogits, <usize>Vp << 2, h);
}

/** b1 −= dpre.sum(0): (Hp,) ← (Bp, Hp). */
function updateB1(): void {
  const rowH = <usize>Hp << 2, n = <usize>Bp;
  for (let j: usize = 0; j < rowH; j += 16) {
    let acc = f32x4.splat(0);
    for (let b: usize = 0; b < n; b++) acc = f32x4.add(acc, v128.load(dpre + b * rowH + j));
    v128.store(b1 + j, f32x4.sub(v128.load(b1 + j), acc));
  }
}

/** demb = dpre @ W1.T: (Bp, TEp) ← (Bp, Hp) · rows of W1 (TEp, Hp), in tiles of 2 rows × 4 columns. */
function backEmbedding(): void {
  const rowE = <usize>TEp << 2, rowH = <usize>Hp << 2;
  for (let b: usize = 0, n = <usize>Bp; b < n; b += 2) {
    const d0 = dpre + b * rowH, d1 = d0 + rowH;
    for (let k: usize = 0; k < rowE; k += 16) {
      const w0 = W1 + (k >> 2) * rowH, w1 = w0 + rowH, w2 = w1 + rowH, w3 = w2 + rowH;
      const z = f32x4.splat(0);
      let a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
      let x0p = d0, x1p = d1, w0p = w0, w1p = w1, w2p = w2, w3p = w3; // running pointers, as in output()
      for (const end = d0 + rowH; x0p < end; x0p += 16, x1p += 16, w0p += 16, w1p += 16, w2p += 16, w3p += 16) {
        const x0 = v128.load(x0p), x1 = v128.load(x1p);
        let w = v128.load(w0p);
        a00 = f32x4.add(a00, f32x4.mul(x0, w));
        a10 = f32x4.add(a10, f32x4.mul(x1, w));
        w = v128.load(w1p);
        a01 = f32x4.add(a01, f32x4.mul(x0, w));
        a11 = f32x4.add(a11, f32x4.mul(x1, w));
        w = v128.load(w2p);
        a02 = f32x4.add(a02, f32x4.mul(x0, w));
        a12 = f32x4.add(a12, f32x4.mul(x1, w));
        w = v128.load(w3p);
        a03 = f32x4.add(a03, f32x4.mul(x0, w));
        a13 = f32x4.add(a13, f32x4.mul(x1, w));
      }
      v128.store(demb + b * rowE + k, sum4(a00, a01, a02, a03));
      v128.store(demb + (b + 1) * rowE + k, sum4(a10, a11, a12, a13));
    }
  }
}

/** W1 −= emb.T @ dpre: (TEp, Hp) ← (Bp, TEp).T @ (Bp, Hp). */
function updateW1(): void {
  subtractProducts(W1, emb, <usize>TEp << 2, dpre);
}

/** dC = 0; dC[context[b, t]] += demb[b, t·E … t·E+E) for every (b, t), repeated characters accumulating; C −= dC. */
function updateC(context: usize): void {
  const t = <usize>T, e = <usize>E, rowE = <usize>TEp << 2, size = <usize>VEp << 2;
  memory.fill(dC, 0, size);
  for (let b: usize = 0, n = <usize>B; b < n; b++) {
    for (let i: usize = 0; i < t; i++) {
      const dst = dC + ((<usize>load<i32>(context + ((b * t + i) << 2)) * e) << 2);
      const src = demb + b * rowE + ((i * e) << 2);
      for (let j: usize = 0; j < e << 2; j += 4) store<f32>(dst + j, load<f32>(dst + j) + load<f32>(src + j));
    }
  }
  for (let j: usize = 0; j < size; j += 16) v128.store(C + j, f32x4.sub(v128.load(C + j), v128.load(dC + j)));
}

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** w[0 … 8) −= (a, b). */
// @ts-ignore: decorator
@inline function subtract(w: usize, a: v128, b: v128): void {
  v128.store(w, f32x4.sub(v128.load(w), a));
  v128.store(w, f32x4.sub(v128.load(w, 16), b), 16);
}

/** dh · (1 − h²). */
// @ts-ignore: decorator
@inline function tanhGrad(dh: v128, hv: v128, one: v128): v128 {
  return f32x4.mul(dh, f32x4.sub(one, f32x4.mul(hv, hv)));
}

/** All ones in the lanes of the last vector of a row that hold characters (v < V), zeros in the padding. */
function tailMask(): v128 {
  const real = V - (Vp - 4); // 1 … 4 lanes
  return i32x4.gt_s(i32x4.splat(real), i32x4(0, 1, 2, 3));
}
