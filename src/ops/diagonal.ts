/**
 * Diagonals and triangles: `diagonal` (a view), `diag_embed`, `diag`, `tril`, `triu` (and
 * their in-place forms), with PyTorch 2.x's node names.
 */

import { checkInt } from "./args.js";
import { Tensor } from "../tensor/tensor.js";
import { bool } from "../tensor/dtype.js";
import { wrapDim } from "../tensor/shape.js";
import { record } from "../autograd/graph.js";
import { RuntimeError } from "../errors.js";
import { fromTypedArray, full } from "../tensor/creation.js";
import { expandedView, newTensor } from "./common.js";
import { applyInplace } from "./arithmetic.js";

interface Geometry {
  shape: number[];
  strides: number[];
  offset: number;
}

/**
 * Where the diagonal `offset` of dims (d1, d2) lies in `t`'s memory: those two dims are
 * dropped and one of the diagonal's length appended, whose stride steps both at once.
 */
function diagonalGeometry(t: Tensor, offset: number, d1: number, d2: number): Geometry {
  const [n1, n2] = [t._shape[d1]!, t._shape[d2]!];
  const size = Math.max(offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2), 0);
  let start = t._offset;
  // An empty diagonal keeps the offset, so an offset past the end points nowhere odd.
  if (size > 0) start += offset >= 0 ? offset * t._strides[d2]! : -offset * t._strides[d1]!;
  const keep = (_: number, k: number) => k !== d1 && k !== d2;
  return {
    shape: [...t._shape.filter(keep), size],
    strides: [...t._strides.filter(keep), t._strides[d1]! + t._strides[d2]!],
    offset: start,
  };
}

function diagonalDims(ndim: number, dim1: number, dim2: number): [number, number] {
  const d1 = wrapDim(dim1, ndim);
  const d2 = wrapDim(dim2, ndim);
  if (d1 === d2) throw new RuntimeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  return [d1, d2];
}

/**
 * The backward of taking a diagonal: zeros of the input's shape with `g` on that diagonal.
 * Its own backward takes the diagonal again, so double backward works.
 */
function diagonalBackward(g: Tensor, inputShape: readonly number[], offset: number, d1: number, d2: number): Tensor {
  const out = newTensor(inputShape, g.dtype);
  const { shape, strides, offset: start } = diagonalGeometry(out, offset, d1, d2);
  out._storage.backend.copy({ storage: out._storage, offset: start, shape, strides }, g._view);
  return record("DiagonalBackwardBackward0", [g], out, ([gg]) => [gg!.diagonal(offset, d1, d2)]);
}

export interface DiagonalOptions {
  offset?: number;
  dim1?: number;
  dim2?: number;
}

/**
 * `torch.diagonal(input, offset = 0, dim1 = 0, dim2 = 1)`: a view of the diagonal of the
 * planes spanned by `dim1` and `dim2`. `offset` > 0 takes a diagonal above the main one,
 * < 0 below. Those two dims are removed and the diagonal becomes the last dim. The options
 * may also be passed as one object: `diagonal(x, { dim1: -2, dim2: -1 })`.
 *
 * ```ts
 * const a = torch.arange(9).reshape([3, 3]);
 * torch.diagonal(a);      // tensor([0, 4, 8])
 * torch.diagonal(a, 1);   // tensor([1, 5])
 * ```
 *
 * Node: `DiagonalBackward0`.
 */
export function diagonal(t: Tensor, offset: number | DiagonalOptions = 0, dim1 = 0, dim2 = 1): Tensor {
  if (typeof offset === "object") ({ offset = 0, dim1 = 0, dim2 = 1 } = offset);
  checkInt("diagonal", "offset", 1, offset);
  const k = offset;
  const [d1, d2] = diagonalDims(t.ndim, dim1, dim2);
  const { shape, strides, offset: start } = diagonalGeometry(t, k, d1, d2);
  const inputShape = t._shape;
  return record("DiagonalBackward0", [t], t._viewAs(shape, strides, start), ([g]) => [
    diagonalBackward(g!, inputShape, k, d1, d2),
  ]);
}

/**
 * `torch.diag_embed(input, offset = 0, dim1 = -2, dim2 = -1)`: a tensor whose diagonals
 * (in the planes of `dim1` and `dim2` of the output, which has one more dim) are the last
 * dim of `input`; zeros elsewhere. The inverse of `diagonal` with the same arguments.
 *
 * ```ts
 * torch.diag_embed(torch.tensor([[1, 2], [3, 4]])).shape;   // [2, 2, 2]
 * ```
 *
 * Node: `DiagEmbedBackward0`; the gradient is `grad.diagonal(offset, dim1, dim2)`.
 */
export function diag_embed(t: Tensor, offset: number | DiagonalOptions = 0, dim1 = -2, dim2 = -1): Tensor {
  if (typeof offset === "object") ({ offset = 0, dim1 = -2, dim2 = -1 } = offset);
  const k = offset;
  const [d1, d2] = diagonalDims(t.ndim + 1, dim1, dim2);
  const n = Math.abs(k) + (t.ndim === 0 ? 1 : t._shape[t.ndim - 1]!);
  const shape = t._shape.slice(0, -1);
  shape.splice(Math.min(d1, d2), 0, n);
  shape.splice(Math.max(d1, d2), 0, n);
  const out = newTensor(shape, t.dtype);
  const view = diagonalGeometry(out, k, d1, d2);
  out._storage.backend.copy({ storage: out._storage, ...view }, t._view);
  return record("DiagEmbedBackward0", [t], out, ([g]) => [g!.diagonal(k, d1, d2)]);
}

/**
 * `torch.diag(input, diagonal = 0)`: for a 1-D input, the 2-D square matrix with `input` on
 * diagonal `diagonal` (above the main one when > 0, below when < 0); for a 2-D input, a 1-D
 * copy of that diagonal.
 *
 * ```ts
 * torch.diag(torch.tensor([1, 2]));                              // tensor([[1, 0], [0, 2]])
 * torch.diag(torch.arange(9).reshape([3, 3]), -1);               // tensor([3, 7])
 * ```
 *
 * PyTorch 2.x builds it from `diag_embed` (node `DiagEmbedBackward0`) and `diagonal_copy`
 * (node `DiagonalBackward0_copy`), as here; 1.13 named both `DiagBackward0`.
 */
export function diag(t: Tensor, diagonal = 0): Tensor {
  if (t.ndim === 1) return diag_embed(t, diagonal);
  if (t.ndim !== 2) throw new RuntimeError(`diag(): Supports 1D or 2D tensors. Got ${t.ndim}D`);
  const view = diagonalGeometry(t, diagonal, 0, 1);
  const out = newTensor(view.shape, t.dtype);
  out._storage.backend.copy(out._view, { storage: t._storage, ...view });
  const inputShape = t._shape;
  return record("DiagonalBackward0_copy", [t], out, ([g]) => [diagonalBackward(g!, inputShape, diagonal, 0, 1)]);
}

/** Keeps the elements on and below (tril) or above (triu) diagonal `k` of the last two dims. */
function triangle(t: Tensor, k: number, lower: boolean): Tensor {
  const name = lower ? "tril" : "triu";
  if (!Number.isInteger(k)) throw new TypeError(`${name}(): argument 'diagonal' (position 2) must be int, not float`);
  if (t.ndim < 2) throw new RuntimeError(`${name}: input tensor must have at least 2 dimensions`);
  const [rows, cols] = [t._shape[t.ndim - 2]!, t._shape[t.ndim - 1]!];
  const keep = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) keep[i * cols + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  }
  const mask = fromTypedArray(keep, [rows, cols], bool);
  const out = newTensor(t._shape, t.dtype);
  const zero = full([], 0, { dtype: t.dtype });
  out._storage.backend.where(out._view, expandedView(mask, t._shape), t._view, expandedView(zero, t._shape));
  return record(lower ? "TrilBackward0" : "TriuBackward0", [t], out, ([g]) => [triangle(g!, k, lower)]);
}

/**
 * `torch.tril(input, diagonal = 0)`: the lower triangle of the matrices in the last two dims
 * of `input` (elements with `col - row <= diagonal`), zeros elsewhere.
 *
 * ```ts
 * torch.tril(torch.ones([3, 3]));      // ones on and below the main diagonal
 * torch.tril(torch.ones([3, 3]), -1);  // strictly below it
 * ```
 *
 * Node: `TrilBackward0`; the gradient is `grad.tril(diagonal)`.
 */
export function tril(t: Tensor, diagonal = 0): Tensor {
  return triangle(t, diagonal, true);
}

/**
 * `torch.triu(input, diagonal = 0)`: the upper triangle of the matrices in the last two dims
 * (elements with `col - row >= diagonal`), zeros elsewhere. Node: `TriuBackward0`.
 */
export function triu(t: Tensor, diagonal = 0): Tensor {
  return triangle(t, diagonal, false);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    diagonal(offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor;
    diag_embed(offset?: number | DiagonalOptions, dim1?: number, dim2?: number): Tensor;
    diag(diagonal?: number): Tensor;
    tril(diagonal?: number): Tensor;
    tril_(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    triu_(diagonal?: number): Tensor;
  }
}

const P = Tensor.prototype;
P.diagonal = function (offset, dim1, dim2) { return diagonal(this, offset, dim1, dim2); };
P.diag_embed = function (offset, dim1, dim2) { return diag_embed(this, offset, dim1, dim2); };
P.diag = function (k) { return diag(this, k); };
P.tril = function (k) { return tril(this, k); };
P.tril_ = function (k) { return applyInplace(this, () => tril(this, k), { selfOverlapOk: true }); };
P.triu = function (k) { return triu(this, k); };
P.triu_ = function (k) { return applyInplace(this, () => triu(this, k), { selfOverlapOk: true }); };
