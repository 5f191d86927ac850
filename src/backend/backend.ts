/**
 * The kernel interface between ops and backends.
 *
 * Ops (src/ops) validate arguments, work out shapes, strides and dtypes, and then call these
 * kernels with resolved sizes; kernels trust what they are given (STYLE.md habit 5). Storage
 * belongs to a backend: ops hold a `Storage` as an opaque handle and never look inside it.
 */

import type { DType, TypedArray } from "../tensor/dtype.js";

/** A flat buffer of one dtype owned by a backend. Views of it share it. */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  /** Number of elements. */
  readonly length: number;
  /** Bumped by every in-place write through a tensor; autograd checks it on saved tensors. */
  version: number;
  /**
   * Frees memory the garbage collector cannot see (a block of a WebAssembly heap, native memory).
   * Called once, after the storage object itself has been collected, so it must not refer to the
   * storage: close over the block's address instead. GC-owned storages (typed arrays) have none.
   */
  readonly release?: () => void;
}

/** A strided window onto a storage: what every kernel argument is. Strides are in elements. */
export interface StridedView {
  readonly storage: Storage;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

export type UnaryOp =
  | "neg" | "abs" | "sign" | "exp" | "expm1" | "log" | "log2" | "log10" | "log1p" | "sqrt" | "rsqrt"
  | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "sinh" | "cosh" | "tanh" | "asinh" | "acosh"
  | "atanh" | "sigmoid" | "relu" | "floor" | "ceil" | "round" | "trunc" | "frac" | "reciprocal"
  | "square" | "erf" | "erfc" | "erfinv" | "logical_not" | "bitwise_not" | "isnan" | "isinf"
  | "isfinite" | "signbit";

export type BinaryOp =
  | "add" | "sub" | "mul" | "div" | "floor_divide" | "remainder" | "fmod" | "pow" | "atan2"
  | "maximum" | "minimum" | "eq" | "ne" | "lt" | "le" | "gt" | "ge"
  | "logical_and" | "logical_or" | "logical_xor" | "bitwise_and" | "bitwise_or" | "bitwise_xor";

export type ReduceOp = "sum" | "prod" | "amax" | "amin" | "argmax" | "argmin" | "any" | "all";

export type KernelName =
  | "fill" | "copy" | "unary" | "binary" | "where" | "reduce" | "matmul" | "index_select" | "gather"
  | "scatter" | "scatter_add" | "index_add";

export interface Backend {
  readonly name: string;

  /** A new storage of `length` elements, zero-filled. */
  allocate(dtype: DType, length: number): Storage;
  /** A copy of `length` elements from `offset`, as the dtype's typed array (int64: BigInt64Array). */
  read(storage: Storage, offset: number, length: number): TypedArray;
  /** Writes `values` (same element type as the storage) starting at `offset`. */
  write(storage: Storage, offset: number, values: TypedArray): void;

  /** Sets every element of `out` to `value` (already representable in out's dtype). */
  fill(out: StridedView, value: number | bigint): void;
  /** `out[i] = cast(src[i])`; src may have another dtype; shapes are equal (src may be broadcast). */
  copy(out: StridedView, src: StridedView): void;
  /** `out[i] = op(a[i])`; a has out's dtype except for predicates, whose out is bool. */
  unary(op: UnaryOp, out: StridedView, a: StridedView): void;
  /** `out[i] = op(a[i], b[i])`; a and b share one dtype and out's shape (broadcast by strides). */
  binary(op: BinaryOp, out: StridedView, a: StridedView, b: StridedView): void;
  /** `out[i] = cond[i] ? a[i] : b[i]`; cond is bool. */
  where(out: StridedView, cond: StridedView, a: StridedView, b: StridedView): void;
  /**
   * Reduces `a` over `dims` into `out`, whose shape is a's with each reduced dim set to 1.
   * Floating sums accumulate in binary64. arg* ops write int64 indices into out.
   */
  reduce(op: ReduceOp, out: StridedView, a: StridedView, dims: readonly number[]): void;
  /**
   * Batched matrix product: a (..., M, K) times b (..., K, N) into out (..., M, N); the batch
   * dims of all three are equal (broadcast already, by zero strides). Transposed operands arrive
   * as strides, so a fast backend can see x·Wᵀ and pick its kernel.
   */
  matmul(out: StridedView, a: StridedView, b: StridedView): void;
  /** `out` = a with dimension `dim` indexed by the 1-D integer `index`. */
  indexSelect(out: StridedView, a: StridedView, dim: number, index: StridedView): void;
  /** `out[...i_d...] = a[...index[...]...]` along `dim` (torch.gather); index has out's shape. */
  gather(out: StridedView, a: StridedView, dim: number, index: StridedView): void;
  /**
   * In place: `out[...index[...]...] = src[...]` along `dim` (torch.scatter_); where indices
   * repeat, the last in row-major order wins. A scalar src arrives broadcast (zero strides).
   */
  scatter(out: StridedView, dim: number, index: StridedView, src: StridedView): void;
  /** In place: `out[...index[...]...] += src[...]` along `dim` (torch.scatter_add_). */
  scatterAdd(out: StridedView, dim: number, index: StridedView, src: StridedView): void;
  /** In place: `out.select(dim, index[i]) += src.select(dim, i)` (torch.index_add_). */
  indexAdd(out: StridedView, dim: number, index: StridedView, src: StridedView): void;

  /** Whether this backend runs `kernel` for `dtype` at these sizes; otherwise the JS one does. */
  supports(kernel: KernelName, dtype: DType, sizes?: readonly number[]): boolean;
}
