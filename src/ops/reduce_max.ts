/**
 * The order reductions: `max`, `min` (of all elements, along a dim with indices, or elementwise
 * against another tensor), `amax`, `amin` (over a dim list) and `argmax`, `argmin`.
 *
 * NaN propagates: the max of a slice holding NaN is NaN, and its index is the first NaN's. Ties
 * give the first index, as PyTorch documents.
 */

import { Tensor } from "../tensor/tensor.js";
import { int64 } from "../tensor/dtype.js";
import { wrapDim } from "../tensor/shape.js";
import { arange } from "../tensor/creation.js";
import { record } from "../autograd/graph.js";
import { IndexError, RuntimeError } from "../errors.js";
import { maximum, minimum } from "./arithmetic.js";
import { where } from "./where.js";
import { dimAndOptions, reduceDims, runReduce, unsqueezeReduced, type DimArg } from "./reduce.js";

export interface KeepdimOptions {
  keepdim?: boolean;
}

/**
 * What `max(dim)` and `min(dim)` return: PyTorch's `torch.return_types.max` named tuple. Read it
 * by name (`r.values`, `r.indices`), by position (`r[0]`, `r[1]`), or destructure it:
 * `const [values, indices] = x.max(1)`.
 */
export class ValuesIndices {
  readonly 0: Tensor;
  readonly 1: Tensor;
  readonly length = 2;

  constructor(
    /** The name after `torch.return_types.` in the repr: "max" or "min". */
    readonly typeName: string,
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {
    this[0] = values;
    this[1] = indices;
  }

  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    yield this.indices;
  }

  toString(): string {
    return `torch.return_types.${this.typeName}(\nvalues=${this.values.toString()},\nindices=${this.indices.toString()})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

type Extreme = "max" | "min";

function emptyAllError(fn: string): RuntimeError {
  return new RuntimeError(
    `${fn}: Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
  );
}

/** PyTorch refuses to reduce an empty dim for ops that have no identity (max, argmax, ...). */
function checkNonEmptyDim(t: Tensor, d: number, fn: string, shown: number = d): void {
  if (t.ndim > 0 && t._shape[wrapDim(d, t.ndim)] === 0) {
    throw new IndexError(`${fn}: Expected reduction dim ${shown} to have non-zero size.`);
  }
}

/**
 * The gradient of a reduction to one value (max(), min()): split evenly among the elements
 * equal to it, or among the NaNs when the value is NaN (PyTorch's evenly_distribute_backward).
 */
function evenlyDistribute(g: Tensor, input: Tensor, value: Tensor): Tensor {
  const mask = value.isnan().item() ? input.isnan() : input.eq(value);
  return where(mask, g.div(mask.sum()), 0);
}

/** max() / min() of every element, as a 0-d tensor. */
function extremeAll(op: Extreme, t: Tensor): Tensor {
  if (t.numel() === 0) throw emptyAllError(`${op}()`);
  const out = runReduce(op === "max" ? "amax" : "amin", t, reduceDims(t, null), false, t.dtype);
  const name = op === "max" ? "MaxBackward1" : "MinBackward1";
  return record(name, [t], out, ([g], [x, v]) => [evenlyDistribute(g!, x!, v!)], [t, out]);
}

/**
 * Scatters `g` (reduced over `d`) back into `shape` at `indices`, zeros elsewhere (PyTorch's
 * value_selecting_reduction_backward), as a where over positions so it stays differentiable.
 */
function selectAt(g: Tensor, indices: Tensor, shape: readonly number[], d: number, keepdim: boolean): Tensor {
  if (shape.length === 0) return g;
  const along = shape.map((s, i) => (i === d ? s : 1));
  const positions = arange(shape[d]!).reshape(along);
  const gk = keepdim ? g : g.unsqueeze(d);
  const ik = keepdim ? indices : indices.unsqueeze(d);
  return where(positions.eq(ik), gk, 0);
}

/** max(dim) / min(dim): the values and their indices along `dim`. */
function extremeDim(op: Extreme, t: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  const d = wrapDim(dim, t.ndim);
  checkNonEmptyDim(t, d, `${op}()`);
  const dims = t.ndim === 0 ? [] : [d];
  const values = runReduce(op === "max" ? "amax" : "amin", t, dims, keepdim, t.dtype);
  const indices = runReduce(op === "max" ? "argmax" : "argmin", t, dims, keepdim, int64);
  const shape = t._shape;
  const name = op === "max" ? "MaxBackward0" : "MinBackward0";
  record(name, [t], values, ([g], [idx]) => [selectAt(g!, idx!, shape, d, keepdim)], [indices]);
  return new ValuesIndices(op, values, indices);
}

function extreme(op: Extreme, t: Tensor, dimOrOther?: number | Tensor, options: KeepdimOptions = {}): Tensor | ValuesIndices {
  if (dimOrOther === undefined) return extremeAll(op, t);
  if (dimOrOther instanceof Tensor) return op === "max" ? maximum(t, dimOrOther) : minimum(t, dimOrOther);
  return extremeDim(op, t, dimOrOther, options.keepdim ?? false);
}

/**
 * `torch.max(input)`: the largest element, as a 0-d tensor. With a `dim`,
 * `torch.max(input, dim, { keepdim = false })` gives `{ values, indices }` along that dim
 * (PyTorch's `torch.return_types.max`); `torch.max(input, other)` is `torch.maximum`.
 *
 * NaN propagates. With ties, `indices` holds the first; the gradient of `max()` is shared evenly
 * among tied elements, that of `max(dim)` goes to the element at `indices`.
 *
 * ```ts
 * const x = torch.tensor([[1, 5], [7, 2]]);
 * x.max()                              // tensor(7)
 * const { values, indices } = x.max(1) // tensor([5, 7]), tensor([1, 0])
 * ```
 */
export function max(t: Tensor): Tensor;
export function max(t: Tensor, other: Tensor): Tensor;
export function max(t: Tensor, dim: number, options?: KeepdimOptions): ValuesIndices;
export function max(t: Tensor, dimOrOther?: number | Tensor, options?: KeepdimOptions): Tensor | ValuesIndices {
  return extreme("max", t, dimOrOther, options);
}

/** `torch.min`: as {@link max}, for the smallest element (`torch.return_types.min`). */
export function min(t: Tensor): Tensor;
export function min(t: Tensor, other: Tensor): Tensor;
export function min(t: Tensor, dim: number, options?: KeepdimOptions): ValuesIndices;
export function min(t: Tensor, dimOrOther?: number | Tensor, options?: KeepdimOptions): Tensor | ValuesIndices {
  return extreme("min", t, dimOrOther, options);
}

/** amax / amin over a dim list; the gradient is split evenly among the tied maxima. */
function aextreme(op: "amax" | "amin", t: Tensor, dim: DimArg | KeepdimOptions, options: KeepdimOptions): Tensor {
  const [d, opts] = dimAndOptions(dim, options);
  const list = d === undefined || d === null ? [] : typeof d === "number" ? [d] : [...d];
  if (t.numel() === 0) {
    if (list.length === 0) throw emptyAllError(`${op}()`);
    for (const k of list) checkNonEmptyDim(t, k, `${op}()`, k);
  }
  const dims = reduceDims(t, list);
  const keepdim = opts.keepdim ?? false;
  const out = runReduce(op, t, dims, keepdim, t.dtype);
  const shape = t._shape;
  const name = op === "amax" ? "AmaxBackward0" : "AminBackward0";
  return record(name, [t], out, ([g], [x, result]) => {
    const mask = unsqueezeReduced(result!, shape, dims, keepdim).eq(x!);
    return [unsqueezeReduced(g!, shape, dims, keepdim).div(mask.sum(dims, { keepdim: true })).mul(mask)];
  }, [t, out]);
}

/**
 * `torch.amax(input, dim = [], { keepdim = false })`: the maximum over the dims in `dim` (all
 * when empty). Unlike `max(dim)` it returns no indices, takes several dims, and shares the
 * gradient evenly among equal maxima.
 *
 * ```ts
 * torch.amax(x, [0, 2])   // shape (x.shape[1])
 * ```
 */
export function amax(t: Tensor, dim: DimArg | KeepdimOptions = [], options: KeepdimOptions = {}): Tensor {
  return aextreme("amax", t, dim, options);
}

/** `torch.amin(input, dim = [], { keepdim = false })`: as {@link amax}, for the minimum. */
export function amin(t: Tensor, dim: DimArg | KeepdimOptions = [], options: KeepdimOptions = {}): Tensor {
  return aextreme("amin", t, dim, options);
}

function argextreme(op: "argmax" | "argmin", t: Tensor, dim: number | null | undefined | KeepdimOptions, options: KeepdimOptions): Tensor {
  const [d, opts] = dimAndOptions(dim, options);
  if (t.dtype.name === "bool") throw new RuntimeError(`"${op}_cpu" not implemented for 'Bool'`);
  const keepdim = opts.keepdim ?? false;
  if (d === undefined || d === null) {
    if (t.numel() === 0) throw new IndexError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
    return runReduce(op, t, reduceDims(t, null), keepdim, int64);
  }
  const k = wrapDim(d as number, t.ndim);
  checkNonEmptyDim(t, k, `${op}()`);
  return runReduce(op, t, t.ndim === 0 ? [] : [k], keepdim, int64);
}

/**
 * `torch.argmax(input, dim?, { keepdim = false })`: the index of the largest element along
 * `dim`, or in the flattened input when `dim` is omitted. Ties give the first index; NaN counts
 * as the largest. The result is int64 and has no gradient.
 *
 * ```ts
 * torch.tensor([[1, 5], [7, 2]]).argmax()    // tensor(2)
 * torch.tensor([[1, 5], [7, 2]]).argmax(1)   // tensor([1, 0])
 * ```
 */
export function argmax(t: Tensor, dim?: number | null | KeepdimOptions, options: KeepdimOptions = {}): Tensor {
  return argextreme("argmax", t, dim, options);
}

/** `torch.argmin(input, dim?, { keepdim = false })`: as {@link argmax}, for the smallest. */
export function argmin(t: Tensor, dim?: number | null | KeepdimOptions, options: KeepdimOptions = {}): Tensor {
  return argextreme("argmin", t, dim, options);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    max(): Tensor;
    max(other: Tensor): Tensor;
    max(dim: number, options?: KeepdimOptions): ValuesIndices;
    min(): Tensor;
    min(other: Tensor): Tensor;
    min(dim: number, options?: KeepdimOptions): ValuesIndices;
    amax(dim?: DimArg | KeepdimOptions, options?: KeepdimOptions): Tensor;
    amin(dim?: DimArg | KeepdimOptions, options?: KeepdimOptions): Tensor;
    argmax(dim?: number | null | KeepdimOptions, options?: KeepdimOptions): Tensor;
    argmin(dim?: number | null | KeepdimOptions, options?: KeepdimOptions): Tensor;
  }
}

const P = Tensor.prototype;
P.max = function (this: Tensor, dimOrOther?: number | Tensor, options?: KeepdimOptions) {
  return extreme("max", this, dimOrOther, options);
} as Tensor["max"];
P.min = function (this: Tensor, dimOrOther?: number | Tensor, options?: KeepdimOptions) {
  return extreme("min", this, dimOrOther, options);
} as Tensor["min"];
P.amax = function (dim, options) { return amax(this, dim, options); };
P.amin = function (dim, options) { return amin(this, dim, options); };
P.argmax = function (dim, options) { return argmax(this, dim, options); };
P.argmin = function (dim, options) { return argmin(this, dim, options); };
