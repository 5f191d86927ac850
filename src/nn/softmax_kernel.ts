/**
 * Softmax and log-softmax, forward and backward, in one pass over each slice, for dense float32
 * and float64 tensors on a backend that lends its typed arrays (`Backend.borrow`).
 *
 * Why: written with public ops, log_softmax is six kernels and six new tensors (amax, sub, exp,
 * sum, log, sub) and its gradient four more, which for a classifier's (64, 10) logits is all
 * dispatch and allocation. Each function here performs the composite's own float operations in
 * the composite's order, rounding to the dtype where the composite stores a tensor, so its
 * results are the same bits (test/nn/softmax_kernel.test.ts diffs the two):
 *
 *   m = amax(x)                    NaN propagates, as amax's scan
 *   s_r = x_r − m                  stored
 *   e_r = exp(s_r)                 stored
 *   S = Σ_r e_r                    summed in binary64 in order, then stored
 *   log_softmax: s_r − log(S)      softmax: e_r / S
 *
 * and for the gradients (y the forward's result, g the incoming gradient)
 *
 *   log_softmax: g_r − exp(y_r)·Σ g        softmax: y_r·(g_r − Σ g·y)
 *
 * A slice is the elements along `dim`: the tensor seen as (outer, n, inner).
 */

import type { Tensor } from "../tensor/tensor.js";
import { floatValues, newOutput } from "../ops/common.js";

/** (outer, n, inner) of a contiguous shape around `dim`. */
function split(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  return [outer, shape.length === 0 ? 1 : shape[dim]!, inner];
}

/**
 * softmax (log false) or log_softmax of `x` along `dim` (already wrapped) as a new tensor, or
 * null when `x` is not a dense float tensor on a backend that lends its arrays.
 */
export function softmaxForward(x: Tensor, dim: number, log: boolean): Tensor | null {
  const xs = floatValues(x);
  if (xs === null) return null;
  const out = newOutput(x._shape, x.dtype);
  const ys = floatValues(out)!;
  // One slice's shifted values and exponentials, kept in the dtype (stored, as the composite's
  // intermediate tensors are).
  const [outer, n, inner] = split(x._shape, dim);
  const shifted = xs instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  const exps = xs instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = xs[base]!;
      for (let r = 1; r < n && m === m; r++) {
        const v = xs[base + r * inner]!;
        if (v !== v || v > m) m = v;
      }
      let sum = 0;
      for (let r = 0; r < n; r++) {
        shifted[r] = xs[base + r * inner]! - m;
        exps[r] = Math.exp(shifted[r]!);
        sum += exps[r]!;
      }
      // The stored sum (a float32 for float32 input), then its logarithm, stored too.
      const total = xs instanceof Float32Array ? Math.fround(sum) : sum;
      if (log) {
        const logTotal = xs instanceof Float32Array ? Math.fround(Math.log(total)) : Math.log(total);
        for (let r = 0; r < n; r++) ys[base + r * inner] = shifted[r]! - logTotal;
      } else {
        for (let r = 0; r < n; r++) ys[base + r * inner] = exps[r]! / total;
      }
    }
  }
  return out;
}

/**
 * The gradient of softmax / log_softmax along `dim` from the forward's result `y` and the
 * incoming gradient `g` (same shape and dtype), or null where the fused kernel does not apply.
 */
export function softmaxBackward(g: Tensor, y: Tensor, dim: number, log: boolean): Tensor | null {
  if (g.dtype !== y.dtype) return null;
  const gs = floatValues(g);
  const ys = floatValues(y);
  if (gs === null || ys === null) return null;
  const out = newOutput(y._shape, y.dtype);
  const os = floatValues(out)!;
  const single = ys instanceof Float32Array;
  const [outer, n, inner] = split(y._shape, dim);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let sum = 0;
      if (log) {
        for (let r = 0; r < n; r++) sum += gs[base + r * inner]!;
        const total = single ? Math.fround(sum) : sum;
        for (let r = 0; r < n; r++) {
          const p = base + r * inner;
          const e = single ? Math.fround(Math.exp(ys[p]!)) : Math.exp(ys[p]!);
          const scaled = single ? Math.fround(e * total) : e * total;
          os[p] = gs[p]! - scaled;
        }
      } else {
        for (let r = 0; r < n; r++) {
          const p = base + r * inner;
          sum += single ? Math.fround(gs[p]! * ys[p]!) : gs[p]! * ys[p]!;
        }
        const total = single ? Math.fround(sum) : sum;
        for (let r = 0; r < n; r++) {
          const p = base + r * inner;
          const diff = single ? Math.fround(gs[p]! - total) : gs[p]! - total;
          os[p] = ys[p]! * diff;
        }
      }
    }
  }
  return out;
}
