/**
 * `torch.Tensor`: a strided view over a backend's storage, plus the autograd fields.
 *
 * This file holds the data model and the accessors that only read it. Every op lives in its
 * own file under src/ops (shape rule, forward and gradient together) and adds its Tensor method
 * there through module augmentation, so a reader finds `sum` and `Tensor.sum` in one place.
 */

import type { Storage, StridedView } from "../backend/backend.js";
import { defaultBackend } from "../backend/registry.js";
import { DType, float32, type TypedArray } from "./dtype.js";
import { CONTIGUOUS, type Dims, type Size, internDims, sizeOf } from "./size.js";
import { isContiguous, numelOf, wrapDim } from "./shape.js";
import { cpu, type device } from "./device.js";
import { IndexError, RuntimeError } from "../errors.js";
import type { Node } from "../autograd/graph.js";
import { formatTensor } from "./print.js";

export type Scalar = number | bigint | boolean;
export type NestedArray = Scalar | readonly NestedArray[];

/** Garbage-collected storage needs nothing; a backend with its own heap frees through this. */
const storageRegistry =
  typeof FinalizationRegistry !== "undefined"
    ? new FinalizationRegistry<() => void>((release) => release())
    : null;

/** The backward pass whose new storages `_empty` marks (`Storage.bornIn`); 0 when none runs. */
let allocationPass = 0;

/**
 * @internal Starts (a pass number) or stops (0) marking the storages `Tensor._empty` makes, so
 * that the autograd engine can hand those it made to `.grad`; returns the number it replaces.
 */
export function markAllocations(pass: number): number {
  const previous = allocationPass;
  allocationPass = pass;
  return previous;
}

export class Tensor {
  /** @internal */ _storage: Storage;
  /** @internal */ _offset: number;
  /** @internal The dims, as ops and kernels read them (`shape` is their frozen torch.Size). */
  _shape: Dims;
  /** @internal Never changed in place: tensors may share one array (views, `set_`). */
  _strides: readonly number[];
  /** @internal */ _requiresGrad = false;
  /** @internal The node that made this tensor (null for leaves). */
  _gradFn: Node | null = null;
  /** @internal Which output of `_gradFn` this tensor is. */
  _outputNr = 0;
  /** @internal The accumulator node of a leaf that requires grad, made on first use. */
  _accumulator: Node | null = null;
  /** @internal Whether a non-leaf keeps its `.grad` (retain_grad). */
  _retainsGrad = false;
  /** @internal The tensor this one is a view of, if any. */
  _base: Tensor | null = null;

  /** The gradient accumulated by `backward()` (leaves, and non-leaves that retain_grad). */
  grad: Tensor | null = null;

  /** @internal Use the factories (`torch.tensor`, `torch.zeros`, ...) to make tensors. */
  constructor(storage: Storage, shape: readonly number[], strides?: readonly number[], offset = 0) {
    this._storage = storage;
    const dims = internDims(shape);
    this._shape = dims;
    // The tensor keeps `strides`: callers hand over an array that nothing changes afterwards.
    this._strides = strides ?? dims[CONTIGUOUS];
    this._offset = offset;
  }

  /**
   * @internal A fresh contiguous tensor, zero-filled; with `zeroed` false its contents are
   * unspecified, for an output that its kernel overwrites whole (see `newOutput`).
   */
  static _empty(shape: readonly number[], dtype: DType = float32, zeroed = true): Tensor {
    const backend = defaultBackend();
    const storage = backend.allocate(dtype, numelOf(shape), zeroed);
    if (allocationPass !== 0) {
      storage.bornIn = allocationPass;
      storage.buffered = 0;
    }
    // The registry holds `release` strongly and the storage weakly: `release` must not refer to
    // the storage (Storage.release says so), or the storage could never be collected.
    if (storage.release && storageRegistry) storageRegistry.register(storage, storage.release);
    return new Tensor(storage, shape);
  }

  /** @internal A view of this tensor's storage with another shape/strides/offset. */
  _viewAs(shape: readonly number[], strides: readonly number[], offset = this._offset): Tensor {
    const t = new Tensor(this._storage, shape, strides, offset);
    t._base = this._base ?? this;
    return t;
  }

  /** @internal What kernels receive. */
  get _view(): StridedView {
    return { storage: this._storage, offset: this._offset, shape: this._shape, strides: this._strides };
  }

  // ---- metadata -----------------------------------------------------------------------------

  get dtype(): DType {
    return this._storage.dtype;
  }

  get device(): device {
    return cpu;
  }

  get is_cpu(): boolean {
    return true;
  }

  /** The dimensions, as a `torch.Size`. */
  get shape(): Size {
    return sizeOf(this._shape);
  }

  /** `size()` is the whole `torch.Size`; `size(dim)` one dimension (negative dims count back). */
  size(): Size;
  size(dim: number): number;
  size(dim?: number): Size | number {
    if (dim === undefined) return sizeOf(this._shape);
    return this._shape[dimOf(dim, this._shape.length)]!;
  }

  /** Strides in elements: `stride()` all of them, `stride(dim)` one. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    if (dim === undefined) return this._strides.slice();
    return this._strides[dimOf(dim, this._shape.length)]!;
  }

  storage_offset(): number {
    return this._offset;
  }

  dim(): number {
    return this._shape.length;
  }

  get ndim(): number {
    return this._shape.length;
  }

  numel(): number {
    return numelOf(this._shape);
  }

  nelement(): number {
    return this.numel();
  }

  element_size(): number {
    return this.dtype.itemsize;
  }

  is_contiguous(): boolean {
    return isContiguous(this._shape, this._strides);
  }

  is_floating_point(): boolean {
    return this.dtype.is_floating_point;
  }

  /** The storage's version counter: bumped by in-place ops, checked by autograd. */
  get _version(): number {
    return this._storage.version;
  }

  // ---- autograd fields ----------------------------------------------------------------------

  get requires_grad(): boolean {
    return this._requiresGrad || this._gradFn !== null;
  }

  /** On a non-leaf, setting it fails either way; its dtype message differs from requires_grad_'s, as in PyTorch. */
  set requires_grad(value: boolean) {
    if (this._gradFn !== null) throw new RuntimeError(requiresGradLeafError(value));
    this._setRequiresGrad(value, "only Tensors of floating point and complex dtype can require gradients");
  }

  /**
   * Sets `requires_grad` on a leaf in place and returns it (PyTorch's `requires_grad_`). On a
   * non-leaf, `true` is a no-op and `false` an error.
   */
  requires_grad_(requires_grad = true): this {
    if (this._gradFn !== null) {
      if (!requires_grad) throw new RuntimeError(requiresGradLeafError(false));
      return this;
    }
    this._setRequiresGrad(requires_grad, "only Tensors of floating point dtype can require gradients");
    return this;
  }

  /** @internal The dtype check every path shares; each path has its own PyTorch wording. */
  _setRequiresGrad(value: boolean, message: string): void {
    if (value && !this.dtype.is_floating_point) throw new RuntimeError(message);
    this._requiresGrad = value;
  }

  /** The autograd node that produced this tensor, or null for a leaf. */
  get grad_fn(): Node | null {
    return this._gradFn;
  }

  /** A tensor is a leaf when no recorded op produced it. */
  get is_leaf(): boolean {
    return this._gradFn === null;
  }

  get retains_grad(): boolean {
    return this._retainsGrad;
  }

  // ---- values -------------------------------------------------------------------------------

  /** @internal All elements in row-major order as the dtype's typed array (a copy). */
  _values(): TypedArray {
    const backend = this._storage.backend;
    const n = this.numel();
    if (this.is_contiguous()) return backend.read(this._storage, this._offset, n);
    const out = backend.allocate(this.dtype, n);
    backend.copy({ storage: out, offset: 0, shape: this._shape, strides: this._shape[CONTIGUOUS] }, this._view);
    return backend.read(out, 0, n);
  }

  /**
   * The value of a one-element tensor as a JS number (int64 beyond 2^53 as bigint; bool as
   * boolean).
   */
  item(): number | bigint | boolean {
    const n = this.numel();
    if (n !== 1) {
      throw new RuntimeError(`a Tensor with ${n} elements cannot be converted to Scalar`);
    }
    return toScalar(this._storage.backend.read(this._storage, this._offset, 1)[0]!, this.dtype);
  }

  /** Nested JS arrays of the values (a 0-d tensor gives a scalar), like PyTorch's `tolist`. */
  tolist(): NestedArray {
    const values = this._values();
    const dtype = this.dtype;
    const shape = this._shape;
    if (shape.length === 0) return toScalar(values[0]!, dtype);
    let pos = 0;
    const build = (d: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[d]!; i++) {
        out.push(d === shape.length - 1 ? toScalar(values[pos++]!, dtype) : build(d + 1));
      }
      return out;
    };
    return build(0);
  }

  // ---- printing -----------------------------------------------------------------------------

  /** PyTorch's `print(t)` text. */
  toString(): string {
    const values = this._values();
    return formatTensor({
      shape: this._shape,
      dtype: this.dtype.name,
      values: values as ArrayLike<number>,
      requiresGrad: this.requires_grad,
      gradFn: this._gradFn ? this._gradFn.name() : null,
    });
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** PyTorch's `requires_grad_leaf_error`. */
function requiresGradLeafError(requiresGrad: boolean): string {
  return requiresGrad
    ? "you can only change requires_grad flags of leaf variables."
    : "you can only change requires_grad flags of leaf variables. If you want to use a computed " +
        "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().";
}

/** A dim for size(dim) / stride(dim): unlike most ops, a 0-d tensor has no dim 0 or -1 here. */
function dimOf(dim: number, ndim: number): number {
  if (ndim === 0) throw new IndexError(`Dimension specified as ${dim} but tensor has no dimensions`);
  return wrapDim(dim, ndim);
}

/** One stored element as the JS value PyTorch's `item()` gives. */
export function toScalar(v: number | bigint, dtype: DType): number | bigint | boolean {
  if (dtype.name === "bool") return v !== 0;
  if (typeof v === "bigint") {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  return v;
}
