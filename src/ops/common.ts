/**
 * What every op shares: turning scalars into tensors, type promotion over operands, broadcast
 * views for kernels, and the checks around in-place writes.
 */

import { Tensor, type Scalar } from "../tensor/tensor.js";
import type { StridedView } from "../backend/backend.js";
import { DType, resultTypeOf, scalarDtype, type PromotionOperand } from "../tensor/dtype.js";
import { broadcastShapes, broadcastStrides } from "../tensor/shape.js";
import { encodeScalar } from "../tensor/creation.js";
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
  if (xs.length === 2) {
    // The common cases first, without the operands' list: two tensors of one dtype give it, and
    // a floating tensor with a Python scalar (of a category no higher than floating) gives its.
    const [a, b] = [xs[0]!, xs[1]!];
    if (a instanceof Tensor) {
      if (b instanceof Tensor ? b.dtype === a.dtype : a.dtype.is_floating_point) return a.dtype;
    } else if (b instanceof Tensor && b.dtype.is_floating_point) {
      return b.dtype;
    }
  }
  return resultTypeOf(xs.map(operandOf));
}

/** `x` as a tensor of `dtype`: scalars become 0-d tensors; tensors are cast when they differ. */
export function asTensor(x: TensorOrScalar, dtype: DType): Tensor {
  if (x instanceof Tensor) return x.dtype === dtype ? x : x.to(dtype);
  // torch.full([], x, { dtype }) without its argument parsing (every `t.add(1)` makes one).
  const t = Tensor._empty(NO_DIMS, dtype, false);
  t._storage.backend.fill(t._view, encodeScalar(x, dtype));
  return t;
}

const NO_DIMS: readonly number[] = [];

/** The shape all operands broadcast to (read-only: it may be an operand's own dims). */
export function broadcastAll(...ts: readonly Tensor[]): readonly number[] {
  if (ts.length === 2 && sameShape(ts[0]!._shape, ts[1]!._shape)) return ts[0]!._shape;
  let shape: number[] = [];
  for (const t of ts) shape = broadcastShapes(shape, t._shape);
  // Usually an operand has the result's shape already (x + y, x * 2): its dims never change,
  // so the output can share them rather than find its own.
  for (const t of ts) if (sameShape(t._shape, shape)) return t._shape;
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
  const strides = sameShape(t._shape, shape) ? t._strides : broadcastStrides(t._shape, t._strides, shape);
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

// ---- memory overlap (ATen's MemoryOverlap.cpp, as TensorIterator checks it) ------------------

const INTERNAL_OVERLAP =
  "unsupported operation: more than one element of the written-to tensor refers to a single memory " +
  "location. Please clone() the tensor before performing the operation.";
const PARTIAL_OVERLAP =
  "unsupported operation: some elements of the input tensor and the written-to tensor refer to a " +
  "single memory location. Please clone() the tensor before performing the operation.";

/**
 * Whether two of t's elements are one memory location for sure: a stride of 0 on a dimension
 * of size > 1, as `expand` makes (PyTorch's has_internal_overlap answers "yes" only then; other
 * self-overlapping layouts are "too hard").
 */
export function hasInternalOverlap(t: Tensor): boolean {
  const shape = t._shape;
  const strides = t._strides;
  for (let d = 0; d < shape.length; d++) if (shape[d]! > 1 && strides[d] === 0) return true;
  return false;
}

/**
 * An elementwise in-place op's kernel run straight into `t` (`write` calls the backend with t's
 * view as the output), for the cases where computing out of place and copying back (what
 * `applyInplace` does) could only give the same values: no autograd graph to record (grad mode
 * off, or nothing requiring grad), a result of t's own dtype and shape, and no other operand in
 * t's storage other than t's very view (the kernels read an element before writing it, at the
 * same index). The caller has established those; this adds the last condition, that no two of
 * t's elements share memory ({@link provablyDistinct}), and returns null without writing where
 * that is not shown, for the caller to take the general path (whose checks then include the
 * overlap error). `inplace` checks the autograd leaf rule and bumps the version.
 */
export function writeInPlace(t: Tensor, write: () => void): Tensor | null {
  if (!provablyDistinct(t)) return null;
  inplace(t, write);
  return t;
}

/**
 * Whether no two of t's elements share a memory location, shown the cheap way: with the dims
 * longer than 1 in order of stride, each stride exceeds the span of the dims before it (dense,
 * transposed and sliced views pass; a hand-made [2, 2] view with strides [1, 1] does not, and
 * an in-place op on it must compute out of place, as before).
 */
export function provablyDistinct(t: Tensor): boolean {
  const shape = t._shape;
  const strides = t._strides;
  const nd = shape.length;
  if (nd === 0) return true;
  if (nd === 1) return shape[0]! <= 1 || strides[0] !== 0;
  if (nd === 2) {
    const [a, b] = strides[0]! <= strides[1]! ? [0, 1] : [1, 0];
    if (shape[a]! <= 1 || shape[b]! <= 1) return (shape[a]! <= 1 || strides[a] !== 0) && (shape[b]! <= 1 || strides[b] !== 0);
    return strides[a]! >= 1 && strides[b]! > (shape[a]! - 1) * strides[a]!;
  }
  const dims: number[] = [];
  for (let d = 0; d < nd; d++) if (shape[d]! > 1) dims.push(d);
  dims.sort((x, y) => strides[x]! - strides[y]!);
  let span = 0;
  for (const d of dims) {
    if (strides[d]! <= span) return false;
    span += (shape[d]! - 1) * strides[d]!;
  }
  return true;
}

/** Whether `other` is `t`'s storage seen through exactly t's view (offset, shape and strides). */
export function sameView(t: Tensor, other: Tensor): boolean {
  if (other._storage !== t._storage || other._offset !== t._offset || other.ndim !== t.ndim) return false;
  for (let d = 0; d < t.ndim; d++) if (other._shape[d] !== t._shape[d] || other._strides[d] !== t._strides[d]) return false;
  return true;
}

/** Refuses a written-to tensor with {@link hasInternalOverlap}, as TensorIterator does. */
export function checkNoInternalOverlap(t: Tensor): void {
  if (hasInternalOverlap(t)) throw new RuntimeError(INTERNAL_OVERLAP);
}

/** Whether t's elements fill a block of its storage exactly once, in some order of its dims. */
function isNonOverlappingAndDense(t: Tensor): boolean {
  const dims: number[] = [];
  for (let d = 0; d < t.ndim; d++) if (t._shape[d] !== 1) dims.push(d);
  dims.sort((a, b) => t._strides[a]! - t._strides[b]!);
  let expected = 1;
  for (const d of dims) {
    if (t._strides[d] !== expected) return false;
    expected *= t._shape[d]!;
  }
  return true;
}

/**
 * Refuses an input that shares some but not all of its memory with the written-to tensor `out`
 * (PyTorch's assert_no_partial_overlap): the same elements in the same layout, or `out` itself,
 * is fine (`a.add_(a)`); `a[1:].add_(a[:-1])` or `a.add_(a.t())` is not. As in PyTorch, only
 * two dense tensors are compared; a strided one is "too hard" and passes.
 */
export function checkNoPartialOverlap(out: Tensor, input: unknown): void {
  if (!(input instanceof Tensor) || input === out || input._storage !== out._storage) return;
  const n = out.numel();
  const m = input.numel();
  if (n === 0 || m === 0 || !isNonOverlappingAndDense(out) || !isNonOverlappingAndDense(input)) return;
  const [a0, a1, b0, b1] = [out._offset, out._offset + n, input._offset, input._offset + m];
  if (a0 === b0 && a1 === b1) {
    const same = out.ndim === input.ndim && out._strides.every((s, d) => s === input._strides[d]);
    if (!same) throw new RuntimeError(PARTIAL_OVERLAP);
    return;
  }
  if (a0 < b1 && b0 < a1) throw new RuntimeError(PARTIAL_OVERLAP);
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
  if (sameShape(g._shape, shape)) return g;
  // A bias's gradient in a backward pass (grad mode off): the rows of a 2-D g summed into its
  // last dim's shape, by the kernel call that g.sum_to_size(shape) makes (the same views), without
  // its checks, dims and views around it (a fifth of a small Linear's backward; the same lean
  // call made inside sum_to_size's no-grad branch instead measured 5% slower on its step).
  if (shape.length === 1 && g._shape.length === 2 && g._shape[1] === shape[0] && g.dtype.is_floating_point && !is_grad_enabled()) {
    const n = shape[0]!;
    const out = newTensor(shape, g.dtype);
    out._storage.backend.reduce("sum", { storage: out._storage, offset: 0, shape: [1, n], strides: [n, 1] }, g._view, ROWS);
    return out;
  }
  return g.sum_to_size(shape);
}

const ROWS: readonly number[] = [0];
