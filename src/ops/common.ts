/**
 * What every op shares: turning scalars into tensors, type promotion over operands, broadcast
 * views for kernels, and the checks around in-place writes.
 */

import { Tensor, type Scalar } from "../tensor/tensor.js";
import type { StridedView } from "../backend/backend.js";
import { DType, resultTypeOf, scalarDtype, type PromotionOperand } from "../tensor/dtype.js";
import { broadcastShapes, broadcastStrides } from "../tensor/shape.js";
import { full } from "../tensor/creation.js";
import { is_grad_enabled } from "../autograd/grad_mode.js";
import { RuntimeError } from "../errors.js";

export type TensorOrScalar = Tensor | Scalar;

export function isScalar(x: unknown): x is Scalar {
  return typeof x === "number" || typeof x === "bigint" || typeof x === "boolean";
}

function operandOf(x: TensorOrScalar): PromotionOperand {
  if (x instanceof Tensor) return { dtype: x.dtype, tier: x.ndim === 0 ? "zerodim" : "dim" };
  return { dtype: scalarDtype(x), tier: "scalar" };
}

/** `torch.result_type` over tensors and scalars. */
export function resultType(...xs: readonly TensorOrScalar[]): DType {
  return resultTypeOf(xs.map(operandOf));
}

/** `x` as a tensor of `dtype`: scalars become 0-d tensors; tensors are cast when they differ. */
export function asTensor(x: TensorOrScalar, dtype: DType): Tensor {
  if (x instanceof Tensor) return x.dtype === dtype ? x : x.to(dtype);
  return full([], x, { dtype });
}

/** The shape all operands broadcast to (read-only: it may be an operand's own Size). */
export function broadcastAll(...ts: readonly Tensor[]): readonly number[] {
  let shape: number[] = [];
  for (const t of ts) shape = broadcastShapes(shape, t.shape);
  // Usually an operand has the result's shape already (x + y, x * 2): its Size is frozen, so
  // the output can share it rather than build one.
  for (const t of ts) if (sameShape(t.shape, shape)) return t.shape;
  return shape;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A kernel view of `t` reading as `shape` (zero strides along broadcast dims). */
export function expandedView(t: Tensor, shape: readonly number[]): StridedView {
  const strides = sameShape(t.shape, shape) ? t._strides : broadcastStrides(t.shape, t._strides, shape);
  return { storage: t._storage, offset: t._offset, shape, strides };
}

/** A new contiguous output tensor, zero-filled. */
export function newTensor(shape: readonly number[], dtype: DType): Tensor {
  return Tensor._empty(shape, dtype);
}

/**
 * A new contiguous output tensor whose contents are unspecified, for a kernel that writes every
 * element of it (elementwise ops, copies, products with K > 0): skipping the zero fill is most
 * of what a large output costs to allocate.
 */
export function newOutput(shape: readonly number[], dtype: DType): Tensor {
  return Tensor._empty(shape, dtype, false);
}

/**
 * The elements of a contiguous float32/float64 tensor as a live typed array (`Backend.borrow`:
 * writes land in the tensor), or null where the tensor is strided, of another dtype, or on a
 * backend that lends no arrays. The fused loops of softmax and nll_loss read and write through it.
 */
export function floatValues(t: Tensor): Float32Array | Float64Array | null {
  const backend = t._storage.backend;
  if (backend.borrow === undefined || !t.is_contiguous()) return null;
  const data = backend.borrow(t._storage, t._offset, t.numel());
  return data instanceof Float32Array || data instanceof Float64Array ? data : null;
}

/**
 * Guards an in-place write into `t` and bumps its version afterwards. PyTorch refuses writes
 * into a leaf that requires grad while grad mode is on, and into views of such leaves.
 */
export function inplace(t: Tensor, write: () => void): void {
  checkInplaceLeaf(t);
  write();
  t._storage.version++;
}

/** PyTorch's refusal to write in place into a leaf that requires grad, or into a view of one. */
export function checkInplaceLeaf(t: Tensor): void {
  if (is_grad_enabled() && t.is_leaf && t.requires_grad) {
    throw new RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
  }
  if (is_grad_enabled() && t._base && t._base.is_leaf && t._base.requires_grad) {
    throw new RuntimeError(
      "a view of a leaf Variable that requires grad is being used in an in-place operation.",
    );
  }
}

/** Checks that an in-place result of `dtype` can be stored into `t` (PyTorch's can_cast rule). */
export function checkInplaceDtype(t: Tensor, dtype: DType): void {
  if (dtype.category > t.dtype.category) {
    throw new RuntimeError(`result type ${dtype.scalarTypeName} can't be cast to the desired output type ${t.dtype.scalarTypeName}`);
  }
}

/** Sums a broadcast gradient back to `shape` (the backward of broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  return g.sum_to_size(shape);
}
