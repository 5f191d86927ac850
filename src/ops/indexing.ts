/**
 * Indexing along a dimension: `index_select`, `index_add` (`index_add_`), `gather`, `scatter`
 * (`scatter_`, with a tensor or a scalar), `scatter_add` (`scatter_add_`), `take_along_dim`
 * and `masked_select`, with PyTorch's checks, messages and gradients.
 *
 * A 0-d tensor is indexed as if it had one dimension of size 1, as PyTorch's
 * `ensure_nonempty_dim` does; kernels always see at least one dimension.
 */

import { Tensor, type Scalar } from "../tensor/tensor.js";
import type { StridedView } from "../backend/backend.js";
import { bool, int32, int64 } from "../tensor/dtype.js";
import { broadcastShapes, wrapDim } from "../tensor/shape.js";
import { record } from "../autograd/graph.js";
import { IndexError, RuntimeError } from "../errors.js";
import { fromTypedArray, full, zeros } from "../tensor/creation.js";
import { expandedView, newTensor, sumToShape } from "./common.js";
import { applyInplace } from "./arithmetic.js";

type Shape = readonly number[];

function shapeText(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** What a kernel receives for `t`: 0-d tensors read as shape [1]. */
function kernelView(t: Tensor): StridedView {
  return t.ndim === 0 ? { storage: t._storage, offset: t._offset, shape: [1], strides: [1] } : t._view;
}

/** `t`'s shape with 0-d read as [1] (PyTorch's `ensure_nonempty_size`). */
function nonEmptyShape(t: Tensor): number[] {
  return t.ndim === 0 ? [1] : t._shape.slice();
}

/** A 1-D kernel view of an index with at most one dimension. */
function vectorView(index: Tensor): StridedView {
  return { storage: index._storage, offset: index._offset, shape: [index.numel()], strides: [index.ndim === 0 ? 1 : index._strides[0]!] };
}

/**
 * PyTorch's engine refuses a gradient whose shape does not fit its input; gather-shaped
 * gradients of scatter's src only fit when index and src have the same shape.
 */
function checkGradShape(node: string, position: number, grad: Tensor, shape: Shape): Tensor {
  if (grad.ndim !== shape.length || grad._shape.some((s, i) => s !== shape[i])) {
    throw new RuntimeError(
      `Function ${node} returned an invalid gradient at index ${position} - got ${shapeText(grad._shape)} but expected shape compatible with ${shapeText(shape)}`,
    );
  }
  return grad;
}

// ---- index_select, index_add -------------------------------------------------------------

/**
 * `torch.index_select(input, dim, index)`: the entries of `input` along `dim` at the positions
 * in `index`, a 1-D (or 0-d) int64 or int32 tensor. The result has `input`'s shape with
 * `dim` resized to `index.numel()`, and its own memory.
 *
 * ```ts
 * const x = torch.arange(6).reshape([2, 3]);
 * torch.index_select(x, 1, torch.tensor([2, 0]));   // tensor([[2, 0], [5, 3]])
 * ```
 *
 * Negative indices are out of range (`IndexError: index out of range in self`), unlike Python
 * subscripts. Gradient: `zeros(input.shape).index_add_(dim, index, grad)`
 * (node `IndexSelectBackward0`).
 */
export function index_select(t: Tensor, dim: number, index: Tensor): Tensor {
  const d = wrapDim(dim, t.ndim);
  const n = index.numel();
  if (index.ndim > 1) throw new IndexError("index_select(): Index is supposed to be a vector");
  // PyTorch 1.13 let a 0-d input take several indices; 2.x refuses, as here.
  if (t.ndim === 0 && n !== 1) {
    throw new RuntimeError(`index_select(): Index to scalar can have only 1 value, got ${n} value(s)`);
  }
  if (index.dtype !== int64 && index.dtype !== int32) {
    throw new RuntimeError("index_select(): Expected dtype int32 or int64 for index");
  }
  const shape = t._shape.slice();
  if (t.ndim > 0) shape[d] = n;
  const out = newTensor(shape, t.dtype);
  out._storage.backend.indexSelect(kernelView(out), kernelView(t), d, vectorView(index));
  const inputShape = t._shape;
  return record("IndexSelectBackward0", [t], out, ([g], [idx]) => [
    index_add(zeros(inputShape, { dtype: g!.dtype }), d, idx!, g!),
  ], [index]);
}

export interface IndexAddOptions {
  /** The scalar multiplier of `source`. */
  alpha?: number;
}

/**
 * `torch.index_add(input, dim, index, source, { alpha = 1 })`: a copy of `input` with
 * `alpha * source` added at the positions in `index` along `dim`:
 * `out.select(dim, index[i]) += alpha * source.select(dim, i)`. Repeated indices accumulate.
 *
 * `index` is a 1-D (or 0-d) int64 or int32 tensor with one entry per slice of `source` along
 * `dim`; `source` has `input`'s dtype and its shape except along `dim`.
 *
 * ```ts
 * torch.index_add(torch.zeros([3]), 0, torch.tensor([0, 0, 2]), torch.tensor([1, 2, 3], { dtype: torch.float32 }));
 * // tensor([3., 0., 3.])
 * ```
 *
 * Gradients (node `IndexAddBackward0`): `grad` for `input`, `alpha * grad.index_select(dim,
 * index)` for `source`.
 */
export function index_add(t: Tensor, dim: number, index: Tensor, source: Tensor, options: IndexAddOptions = {}): Tensor {
  const alpha = options.alpha ?? 1;
  const d = wrapDim(dim, t.ndim);
  const n = index.numel();
  if (index.ndim > 1) {
    throw new IndexError(
      `index_add_(): Index is supposed to be a vector, but got dim: ${index.ndim} with type: ${index.dtype.scalarTypeName} and size: ${shapeText(index._shape)}`,
    );
  }
  if (index.dtype !== int64 && index.dtype !== int32) {
    throw new RuntimeError(`index_add_(): Expected dtype int32/int64 for index but got: ${index.dtype.scalarTypeName}`);
  }
  if (t.dtype !== source.dtype) {
    throw new RuntimeError(
      `index_add_(): self (${t.dtype.scalarTypeName}) and source (${source.dtype.scalarTypeName}) must have the same scalar type`,
    );
  }
  if (d !== 0 && d >= source.ndim) {
    throw new RuntimeError(`index_add_(): Indexing dim ${d} is out of bounds of the source tensor with dim ${source.ndim}`);
  }
  const slices = source.ndim === 0 ? 1 : source._shape[d]!;
  if (n !== slices) {
    throw new RuntimeError(
      `index_add_(): Number of indices (${n}) should be equal to source.size(dim): (${source.size(d)}), for dim: ${d}`,
    );
  }
  // PyTorch 1.13 broadcast mismatched slices through add_ (or failed inside it); 2.x checks.
  const rest = (s: Shape) => (t.ndim !== 0 && source.ndim !== 0 ? s.filter((_, k) => k !== d) : s.slice());
  const [selfRest, sourceRest] = [rest(t._shape), rest(source._shape)];
  if (selfRest.length !== sourceRest.length || selfRest.some((s, k) => s !== sourceRest[k])) {
    throw new RuntimeError(
      `source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = ${shapeText(t._shape)} source.shape = ${shapeText(source._shape)}`,
    );
  }

  const backend = t._storage.backend;
  const out = newTensor(t._shape, t.dtype);
  backend.copy(out._view, t._view);
  let added = source;
  if (alpha !== 1) {
    added = newTensor(source._shape, source.dtype);
    backend.binary("mul", added._view, source._view, expandedView(full([], alpha, { dtype: source.dtype }), source._shape));
  }
  backend.indexAdd(kernelView(out), d, vectorView(index), kernelView(added));
  const [sourceShape, needSource] = [source._shape, source.requires_grad];
  return record("IndexAddBackward0", [t, source], out, ([g], [idx]) => {
    if (!needSource) return [g!, null];
    let gs = g!.index_select(d, idx!);
    if (gs.ndim !== sourceShape.length) gs = gs.reshape(sourceShape);
    return [g!, alpha === 1 ? gs : gs.mul(alpha)];
  }, [index]);
}

// ---- gather, scatter, scatter_add ---------------------------------------------------------

function checkIndexDtype(method: string, index: Tensor): void {
  // PyTorch skips the check for an empty index. (Its newest 2.x releases also take int32
  // indices in gather, with "gather(): Expected dtype int32/int64 for index"; we keep int64.)
  if (index.numel() !== 0 && index.dtype !== int64) {
    throw new RuntimeError(`${method}(): Expected dtype int64 for index`);
  }
}

/**
 * `torch.gather(input, dim, index)`: values of `input` along `dim` at the positions in
 * `index`, an int64 tensor with as many dimensions as `input`:
 *
 *     out[i][j][k] = input[index[i][j][k]][j][k]   # dim = 0
 *     out[i][j][k] = input[i][index[i][j][k]][k]   # dim = 1
 *
 * The result has `index`'s shape; `index.size(d) <= input.size(d)` for every `d != dim`.
 *
 * ```ts
 * const t = torch.tensor([[1, 2], [3, 4]]);
 * torch.gather(t, 1, torch.tensor([[0, 0], [1, 0]]));   // tensor([[1, 1], [4, 3]])
 * ```
 *
 * Gradient: `zeros(input.shape).scatter_add_(dim, index, grad)` (node `GatherBackward0`).
 * `sparse_grad` is accepted for signature compatibility; gradients are always dense.
 */
export function gather(t: Tensor, dim: number, index: Tensor, options: { sparse_grad?: boolean } = {}): Tensor {
  const d = wrapDim(dim, t.ndim);
  checkIndexDtype("gather", index);
  const out = newTensor(index._shape, t.dtype);
  if (index.numel() !== 0) {
    const [selfShape, indexShape] = [nonEmptyShape(t), nonEmptyShape(index)];
    if (selfShape.length !== indexShape.length) {
      throw new RuntimeError("Index tensor must have the same number of dimensions as input tensor");
    }
    for (let k = 0; k < selfShape.length; k++) {
      if (k !== d && indexShape[k]! > selfShape[k]!) {
        throw new RuntimeError(
          `Size does not match at dimension ${k} expected index ${shapeText(index._shape)} to be smaller than self ${shapeText(t._shape)} apart from dimension ${d}`,
        );
      }
    }
    out._storage.backend.gather(kernelView(out), kernelView(t), d, kernelView(index));
  }
  const inputShape = t._shape;
  return record("GatherBackward0", [t], out, ([g], [idx]) => [
    scatter_add(zeros(inputShape, { dtype: g!.dtype }), d, idx!, g!),
  ], [index]);
}

/** PyTorch's `scatter_shape_check`, shared by scatter and scatter_add. */
function checkScatter(t: Tensor, d: number, index: Tensor, src: Tensor | null): void {
  if (index.numel() === 0) return;
  const [selfShape, indexShape] = [nonEmptyShape(t), nonEmptyShape(index)];
  if (selfShape.length !== indexShape.length) {
    throw new RuntimeError("Index tensor must have the same number of dimensions as self tensor");
  }
  let wrong = indexShape.some((s, k) => k !== d && s > selfShape[k]!);
  if (src) {
    const srcShape = nonEmptyShape(src);
    if (!wrong) wrong = indexShape.some((s, k) => s > (srcShape[k] ?? 0));
    if (srcShape.length !== indexShape.length) {
      throw new RuntimeError("Index tensor must have the same number of dimensions as src tensor");
    }
  }
  if (wrong) {
    const tail = src ? ` and to be smaller size than src ${shapeText(src._shape)}` : "";
    throw new RuntimeError(
      `Expected index ${shapeText(index._shape)} to be smaller than self ${shapeText(t._shape)} apart from dimension ${d}${tail}`,
    );
  }
}

function checkScatterArgs(t: Tensor, dim: number, index: Tensor, src: Tensor | null): number {
  const d = wrapDim(dim, t.ndim);
  checkIndexDtype("scatter", index);
  if (src && src.dtype !== t.dtype) throw new RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype");
  checkScatter(t, d, index, src);
  return d;
}

/** A copy of `t` with the scatter kernel `op` applied to it. */
function scattered(op: "scatter" | "scatterAdd", t: Tensor, d: number, index: Tensor, src: StridedView): Tensor {
  const backend = t._storage.backend;
  const out = newTensor(t._shape, t.dtype);
  backend.copy(out._view, t._view);
  if (index.numel() !== 0) backend[op](kernelView(out), d, kernelView(index), src);
  return out;
}

/**
 * `torch.scatter(input, dim, index, src)`: a copy of `input` with the values of `src` written
 * at the positions in `index` along `dim`, the reverse of `gather`:
 *
 *     out[index[i][j][k]][j][k] = src[i][j][k]   # dim = 0
 *     out[i][index[i][j][k]][k] = src[i][j][k]   # dim = 1
 *
 * `src` may also be a scalar `value`, written at every indexed position. `index` is int64 with
 * as many dimensions as `input`, no larger than `src` in any dimension, nor than `input` apart
 * from `dim`. Where `index` repeats a position, the last write (in row-major order) wins.
 *
 * ```ts
 * const src = torch.arange(1, 11).reshape([2, 5]);
 * torch.zeros([3, 5], { dtype: torch.int64 }).scatter(0, torch.tensor([[0, 1, 2, 0]]), src);
 * // tensor([[1, 0, 0, 4, 0], [0, 2, 0, 0, 0], [0, 0, 3, 0, 0]])
 * ```
 *
 * Gradients: `grad.scatter(dim, index, 0)` for `input`, `grad.gather(dim, index)` for `src`
 * (nodes `ScatterBackward0` with a tensor, `ScatterBackward1` with a scalar). The `reduce`
 * argument of PyTorch's `scatter` (deprecated there) is not provided; use `scatter_add`.
 */
export function scatter(t: Tensor, dim: number, index: Tensor, src: Tensor | Scalar): Tensor {
  if (!(src instanceof Tensor)) {
    const d = checkScatterArgs(t, dim, index, null);
    const value = full([], src, { dtype: t.dtype });
    const out = scattered("scatter", t, d, index, expandedView(value, nonEmptyShape(index)));
    return record("ScatterBackward1", [t], out, ([g], [idx]) => [g!.scatter(d, idx!, 0)], [index]);
  }
  const d = checkScatterArgs(t, dim, index, src);
  const out = scattered("scatter", t, d, index, kernelView(src));
  const [srcShape, needSelf, needSrc] = [src._shape, t.requires_grad, src.requires_grad];
  return record("ScatterBackward0", [t, src], out, ([g], [idx]) => [
    needSelf ? g!.scatter(d, idx!, 0) : null,
    needSrc ? checkGradShape("ScatterBackward0", 1, g!.gather(d, idx!), srcShape) : null,
  ], [index]);
}

/**
 * `torch.scatter_add(input, dim, index, src)`: like `scatter`, but values landing on the same
 * position are summed into `input`'s value there rather than replacing it:
 *
 *     out[index[i][j][k]][j][k] += src[i][j][k]   # dim = 0
 *
 * ```ts
 * torch.zeros([3]).scatter_add(0, torch.tensor([0, 0, 2]), torch.ones([3]));   // tensor([2., 0., 1.])
 * ```
 *
 * Gradients: `grad` for `input`, `grad.gather(dim, index)` for `src` (node
 * `ScatterAddBackward0`).
 */
export function scatter_add(t: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = checkScatterArgs(t, dim, index, src);
  const out = scattered("scatterAdd", t, d, index, kernelView(src));
  const [srcShape, needSrc] = [src._shape, src.requires_grad];
  return record("ScatterAddBackward0", [t, src], out, ([g], [idx]) => [
    g!,
    needSrc ? checkGradShape("ScatterAddBackward0", 1, g!.gather(d, idx!), srcShape) : null,
  ], [index]);
}

// ---- take_along_dim, masked_select ---------------------------------------------------------

/**
 * `torch.take_along_dim(input, indices, dim?)`: NumPy's `take_along_axis`. With `dim`,
 * `input` and `indices` (int64, as many dimensions) broadcast against each other in every
 * dimension but `dim`, then `gather` along it; without, both are flattened first.
 *
 * ```ts
 * const t = torch.tensor([[10, 30, 20], [60, 40, 50]]);
 * torch.take_along_dim(t, torch.tensor([[0, 2, 1], [1, 2, 0]]), 1);   // tensor([[10, 20, 30], [40, 50, 60]])
 * torch.take_along_dim(t, torch.tensor([[2]]), 1);                    // tensor([[20], [50]]) (broadcast)
 * ```
 *
 * The result's node is `GatherBackward0`, as in PyTorch.
 */
export function take_along_dim(t: Tensor, indices: Tensor, dim?: number | null): Tensor {
  if (dim === undefined || dim === null) return gather(t.view(-1), 0, indices.view(-1));
  if (t.ndim !== indices.ndim) {
    throw new RuntimeError(
      `torch.take_along_dim(): input and indices should have the same number of dimensions, but got ${t.ndim} dimensions for input, and ${indices.ndim} dimensions for indices`,
    );
  }
  if (indices.dtype !== int64) {
    throw new RuntimeError(`torch.take_along_dim(): dtype of indices should be Long but got ${indices.dtype.scalarTypeName}`);
  }
  const d = wrapDim(dim, t.ndim);
  const selfSizes = t._shape.slice();
  selfSizes[d] = indices._shape[d]!;
  const indexShape = broadcastShapes(selfSizes, indices._shape);
  const indicesSizes = indices._shape.slice();
  indicesSizes[d] = t._shape[d]!;
  const inputShape = broadcastShapes(indicesSizes, t._shape);
  return gather(t.expand(inputShape), d, indices.expand(indexShape));
}

/**
 * `torch.masked_select(input, mask)`: a new 1-D tensor of the elements of `input` where the
 * bool `mask` is true, in row-major order; `input` and `mask` broadcast together first.
 *
 * ```ts
 * const x = torch.tensor([[1, -2], [-3, 4]]);
 * torch.masked_select(x, x.gt(0));   // tensor([1, 4])
 * ```
 *
 * Gradient: the output's gradient put back at the selected positions, zeros elsewhere,
 * summed over broadcast dims (node `MaskedSelectBackward0`).
 */
export function masked_select(t: Tensor, mask: Tensor): Tensor {
  if (mask.dtype !== bool) throw new RuntimeError("masked_select: expected BoolTensor for mask");
  // The mask comes first in PyTorch's broadcast, so it is "tensor a" in the message.
  const shape = broadcastShapes(mask._shape, t._shape);
  const backend = t._storage.backend;
  const m = newTensor(shape, bool);
  backend.copy(m._view, expandedView(mask, shape));
  const flags = m._values();
  const picked: bigint[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i]) picked.push(BigInt(i));
  const positions = fromTypedArray(BigInt64Array.from(picked), [picked.length], int64);
  const numel = flags.length;
  const x = newTensor(shape, t.dtype);
  backend.copy(x._view, expandedView(t, shape));
  const out = newTensor([picked.length], t.dtype);
  const flat = { storage: x._storage, offset: 0, shape: [numel], strides: [1] };
  backend.indexSelect(out._view, flat, 0, positions._view);
  const inputShape = t._shape;
  return record("MaskedSelectBackward0", [t], out, ([g], [pos]) => [
    sumToShape(index_add(zeros([numel], { dtype: g!.dtype }), 0, pos!, g!).reshape(shape), inputShape),
  ], [positions]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    index_select(dim: number, index: Tensor): Tensor;
    index_add(dim: number, index: Tensor, source: Tensor, options?: IndexAddOptions): Tensor;
    index_add_(dim: number, index: Tensor, source: Tensor, options?: IndexAddOptions): Tensor;
    gather(dim: number, index: Tensor, options?: { sparse_grad?: boolean }): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | Scalar): Tensor;
    scatter_(dim: number, index: Tensor, src: Tensor | Scalar): Tensor;
    scatter_add(dim: number, index: Tensor, src: Tensor): Tensor;
    scatter_add_(dim: number, index: Tensor, src: Tensor): Tensor;
    take_along_dim(indices: Tensor, dim?: number | null): Tensor;
    masked_select(mask: Tensor): Tensor;
  }
}

const P = Tensor.prototype;
P.index_select = function (dim, index) { return index_select(this, dim, index); };
P.index_add = function (dim, index, source, options) { return index_add(this, dim, index, source, options); };
P.index_add_ = function (dim, index, source, options) { return applyInplace(this, () => index_add(this, dim, index, source, options)); };
P.gather = function (dim, index, options) { return gather(this, dim, index, options); };
P.scatter = function (dim, index, src) { return scatter(this, dim, index, src); };
P.scatter_ = function (dim, index, src) { return applyInplace(this, () => scatter(this, dim, index, src)); };
P.scatter_add = function (dim, index, src) { return scatter_add(this, dim, index, src); };
P.scatter_add_ = function (dim, index, src) { return applyInplace(this, () => scatter_add(this, dim, index, src)); };
P.take_along_dim = function (indices, dim) { return take_along_dim(this, indices, dim); };
P.masked_select = function (mask) { return masked_select(this, mask); };
