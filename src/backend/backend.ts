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
   * @internal The autograd engine's marks, written by the tensor layer and the engine, never by
   * a backend (src/autograd/engine.ts, GradOwnership): the backward pass that allocated this
   * storage and still owns it alone (0 or absent: none), and how many of that pass's gradient
   * buffers hold it. Fields rather than a WeakSet and a Map of storages: adding each new storage
   * to a WeakSet cost 0.1-0.8 µs, more than a small op.
   */
  bornIn?: number;
  /** @internal See `bornIn`. */
  buffered?: number;
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
  | "logical_and" | "logical_or" | "logical_xor" | "bitwise_and" | "bitwise_or" | "bitwise_xor"
  // ReLU's gradient in one pass: `b <= 0 ? 0 : a` (a the incoming gradient, b relu's result;
  // NaN in b lets the gradient through), as ATen's threshold_backward(grad, result, 0).
  | "relu_backward";

export type ReduceOp = "sum" | "prod" | "amax" | "amin" | "argmax" | "argmin" | "any" | "all";

export type KernelName =
  | "fill" | "copy" | "unary" | "binary" | "where" | "reduce" | "matmul" | "index_select" | "gather"
  | "scatter" | "scatter_add" | "index_add";

/** Hyperparameters of one SGD step (`_single_tensor_sgd`), as the optimizer group holds them. */
export interface SgdStep {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** Hyperparameters of one Adam / AdamW step (`_single_tensor_adam`), after the step count advanced. */
export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  maximize: boolean;
  decoupled_weight_decay: boolean;
  /** lr / (1 − β1^t) and √(1 − β2^t), computed in binary64 as the composite does. */
  step_size: number;
  bias_correction2_sqrt: number;
}

export interface Backend {
  readonly name: string;

  /**
   * A new storage of `length` elements, zero-filled; with `zeroed` false its contents are
   * unspecified (as ATen's `empty`), for an output whose kernel writes every element before
   * anything reads it. Zero-filling is most of the cost of a large allocation.
   */
  allocate(dtype: DType, length: number, zeroed?: boolean): Storage;
  /** A copy of `length` elements from `offset`, as the dtype's typed array (int64: BigInt64Array). */
  read(storage: Storage, offset: number, length: number): TypedArray;
  /** Writes `values` (same element type as the storage) starting at `offset`. */
  write(storage: Storage, offset: number, values: TypedArray): void;
  /**
   * Optional, for backends whose storage is a GC-owned typed array: a live view of `length`
   * elements from `offset`, no copy; writes through it land in the storage (the caller bumps
   * the version). Loops that would otherwise `read` and `write` whole tensors use it.
   */
  borrow?(storage: Storage, offset: number, length: number): TypedArray;

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
  /**
   * Optional fused `out = input + a·b` (addmm with β = α = 1: nn.Linear's forward) for 2-D views,
   * `input` broadcast to out's shape by strides, out overlapping none of them. It must give the
   * bits of this backend's `matmul(out, a, b)` followed by its `binary("add", out, input, out)`;
   * a backend that spreads another's kernels and runs its own `matmul` must define its own.
   */
  addmm?(out: StridedView, input: StridedView, a: StridedView, b: StridedView): void;
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

  /**
   * Optional fused optimizer steps over contiguous float32 views of equal length, in place. They
   * must give the bit-identical float32 results of src/optim/flat_update.ts (the same operations
   * in the same order, each rounded to float32, no fused multiply-add). `first` (SGD): the
   * momentum buffer is new and takes the (decayed) gradient as it is.
   */
  sgdStep?(param: StridedView, grad: StridedView, buf: StridedView | null, h: SgdStep, first: boolean): void;
  adamStep?(
    param: StridedView, grad: StridedView, expAvg: StridedView, expAvgSq: StridedView,
    maxExpAvgSq: StridedView | null, h: AdamStep,
  ): void;

  /** Whether this backend runs `kernel` for `dtype` at these sizes; otherwise the JS one does. */
  supports(kernel: KernelName, dtype: DType, sizes?: readonly number[]): boolean;
}
