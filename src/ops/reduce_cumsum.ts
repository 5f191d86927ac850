/**
 * `cumsum`: running sums along one dim. A scan is no reduction, but it is the sum's sibling and
 * shares its dtype rule (integers and bools accumulate in int64).
 */

import { Tensor } from "../tensor/tensor.js";
import type { StridedView } from "../backend/backend.js";
import { DType, float64 } from "../tensor/dtype.js";
import { wrapDim } from "../tensor/shape.js";
import { record } from "../autograd/graph.js";
import { newTensor } from "./common.js";
import { accumulateDtype } from "./reduce.js";

export interface CumsumOptions {
  dtype?: DType;
}

/** Slice `i` of `v` along `d`, kept as a size-1 dim. */
function sliceView(v: StridedView, d: number, i: number): StridedView {
  const shape = v.shape.slice();
  shape[d] = 1;
  return { storage: v.storage, offset: v.offset + i * v.strides[d]!, shape, strides: v.strides };
}

/**
 * Running sums of `x` along `d`, front to back or (`reverse`) back to front. Floats accumulate in
 * binary64 and are rounded once per element, as PyTorch's CPU kernel does.
 */
function scan(x: Tensor, d: number, reverse: boolean): Tensor {
  const out = newTensor(x._shape, x.dtype);
  const backend = out._storage.backend;
  const acc = x.dtype.is_floating_point ? newTensor(x._shape, float64) : out;
  backend.copy(acc._view, x._view);
  const n = x.ndim === 0 ? 1 : x._shape[d]!;
  for (let k = 1; k < n; k++) {
    const [i, prev] = reverse ? [n - 1 - k, n - k] : [k, k - 1];
    const here = sliceView(acc._view, d, i);
    backend.binary("add", here, sliceView(acc._view, d, prev), here);
  }
  if (acc !== out) backend.copy(out._view, acc._view);
  // The gradient of a running sum is the running sum from the other end.
  return record("CumsumBackward0", [x], out, ([g]) => [scan(g!, d, !reverse)]);
}

/**
 * `torch.cumsum(input, dim, { dtype })`: `y_i = x_1 + x_2 + ... + x_i` along `dim`. Integer and
 * bool inputs give int64 unless `dtype` says otherwise.
 *
 * ```ts
 * torch.tensor([1, 2, 3]).cumsum(0)   // tensor([1, 3, 6])
 * ```
 */
export function cumsum(t: Tensor, dim: number, options: CumsumOptions = {}): Tensor {
  const d = wrapDim(dim, t.ndim);
  const dtype = accumulateDtype(t, options.dtype);
  const input = t.dtype === dtype ? t : t.to(dtype);
  return scan(input, d, false);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    cumsum(dim: number, options?: CumsumOptions): Tensor;
  }
}

Tensor.prototype.cumsum = function (dim, options) { return cumsum(this, dim, options); };
