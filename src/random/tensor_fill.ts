/**
 * Writing sampled values into a tensor of any layout in the order PyTorch's CPU kernels visit
 * its elements.
 *
 * The samplers draw one value after another, so which element gets which value is part of the
 * stream. PyTorch fills a contiguous tensor front to back, and a strided one through
 * TensorIterator, which walks the dimensions from the smallest stride outwards: memory order.
 * (`empty(4, 4).t().normal_()` therefore gives the values of `empty(4, 4).normal_()` laid out
 * transposed, except that 16 non-contiguous elements take the scalar normal path.)
 */

import type { Tensor } from "../tensor/tensor.js";
import { contiguousStrides } from "../tensor/shape.js";
import { typedArrayFor, type DType } from "../tensor/dtype.js";
import type { RandomArray, RandomDType } from "./checks.js";

/** The random kernels' name for a core dtype. */
export function randomDTypeOf(dtype: DType): RandomDType {
  return dtype.name as RandomDType;
}

/**
 * The tensor's dimensions in TensorIterator's iteration order, outermost first: size-1 dims
 * dropped (they do not change the order), the rest sorted by decreasing stride; for equal
 * strides the larger size is outer (TensorIteratorBase::reorder_dimensions).
 */
function iterationOrder(shape: readonly number[], strides: readonly number[]): { shape: number[]; strides: number[] } {
  const dims: number[] = [];
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) dims.push(d);
  // Stable sort, innermost first, as PyTorch's insertion sort over the reversed dims does.
  dims.reverse();
  dims.sort((a, b) => strides[a]! - strides[b]! || shape[a]! - shape[b]!);
  dims.reverse();
  return { shape: dims.map((d) => shape[d]!), strides: dims.map((d) => strides[d]!) };
}

/**
 * Fills `t` in place: `sample(buffer, contiguous)` writes numel values into a typed array of
 * t's dtype in visiting order (memory order), and they land in t's elements in that order.
 * Contiguous tensors are written in one piece; others through the backend's strided copy.
 * The caller guards the in-place write (ops/common.inplace) and checks overlap.
 */
export function fillInVisitOrder(t: Tensor, sample: (buffer: RandomArray, contiguous: boolean) => void): void {
  const n = t.numel();
  if (n === 0) return;
  const backend = t._storage.backend;
  const contiguous = t.is_contiguous();
  if (contiguous && backend.borrow) {
    // Typed-array storage: sample straight into it.
    sample(backend.borrow(t._storage, t._offset, n) as RandomArray, true);
    return;
  }
  const buffer = typedArrayFor(t.dtype, n);
  sample(buffer, contiguous);
  if (contiguous) {
    backend.write(t._storage, t._offset, buffer);
    return;
  }
  const order = iterationOrder(t._shape, t._strides);
  const tmp = backend.allocate(t.dtype, n);
  backend.write(tmp, 0, buffer);
  backend.copy(
    { storage: t._storage, offset: t._offset, shape: order.shape, strides: order.strides },
    { storage: tmp, offset: 0, shape: order.shape, strides: contiguousStrides(order.shape) },
  );
}

/**
 * The strides `empty_like(t)` gives under PyTorch's default `preserve_format`: t's own when it
 * is non-overlapping and dense (a permutation of a contiguous layout), else row-major.
 * So `rand_like(x.t())` is laid out like `x.t()` and filled in its memory order.
 */
export function preservedStrides(shape: readonly number[], strides: readonly number[]): number[] {
  const dims = [...shape.keys()].filter((d) => shape[d] !== 1);
  dims.sort((a, b) => strides[a]! - strides[b]!);
  let expected = 1;
  for (const d of dims) {
    if (strides[d] !== expected) return contiguousStrides(shape);
    expected *= shape[d]!;
  }
  if (shape.some((s) => s === 0)) return contiguousStrides(shape);
  // Size-1 dims: PyTorch keeps their strides too; any value is valid for them.
  return strides.slice();
}
