/**
 * Reductions: `sum`, `sum_to_size`, `mean`, `prod`, `any`, `all`, and the helpers the rest of
 * the family shares (reduce_max.ts, reduce_var.ts, reduce_logsumexp.ts, reduce_norm.ts,
 * reduce_cumsum.ts). PyTorch's `dim` is an int, a negative int, a list, or omitted for all dims;
 * `keepdim` and `dtype` travel in the trailing options object.
 */

import { Tensor } from "../tensor/tensor.js";
import type { ReduceOp } from "../backend/backend.js";
import { bool, DType, int64 } from "../tensor/dtype.js";
import { wrapDim } from "../tensor/shape.js";
import { needsGrad, record } from "../autograd/graph.js";
import { RuntimeError } from "../errors.js";
import { asTensor, expandedView, newTensor } from "./common.js";
import { where } from "./where.js";

export type DimArg = number | readonly number[] | null | undefined;

export interface ReduceOptions {
  keepdim?: boolean;
  dtype?: DType;
}

/** The sorted, wrapped, de-duplicated dims to reduce; all dims when `dim` is omitted or []. */
export function reduceDims(t: Tensor, dim: DimArg): number[] {
  const nd = t.ndim;
  if (dim === null || dim === undefined || (typeof dim !== "number" && dim.length === 0)) return allDims(nd);
  if (typeof dim === "number") {
    const d = wrapDim(dim, nd);
    return d < nd ? [d] : [];
  }
  const dims: number[] = [];
  for (let i = 0; i < dim.length; i++) {
    const d = wrapDim(dim[i]!, nd);
    if (dims.includes(d)) throw new RuntimeError(`dim ${d} appears multiple times in the list of dims`);
    dims.push(d);
  }
  // Sorted by insertion, dropping the dim 0 a 0-d tensor accepts (filter and sort with their
  // callbacks were a fifth of a small sum).
  const sorted: number[] = [];
  for (const d of dims) {
    if (d >= nd) continue;
    let at = sorted.length;
    while (at > 0 && sorted[at - 1]! > d) at--;
    sorted.splice(at, 0, d);
  }
  return sorted;
}

function allDims(nd: number): number[] {
  const dims = new Array<number>(nd);
  for (let i = 0; i < nd; i++) dims[i] = i;
  return dims;
}

/** Shape with each reduced dim set to 1 (keepdim), or removed. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (!dims.includes(i)) out.push(shape[i]!);
    else if (keepdim) out.push(1);
  }
  return out;
}

/** Number of elements each output element reduces over. */
export function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  return dims.reduce((n, d) => n * shape[d]!, 1);
}

/** Runs reduction kernel `op` of `t` over `dims` into a new tensor of `outDtype`. */
export function runReduce(op: ReduceOp, t: Tensor, dims: readonly number[], keepdim: boolean, outDtype: DType): Tensor {
  const kept = reducedShape(t._shape, dims, true);
  const out = newTensor(kept, outDtype);
  out._storage.backend.reduce(op, out._view, t._view, dims);
  return keepdim ? out : new Tensor(out._storage, reducedShape(t._shape, dims, false));
}

/** Restores reduced dims as size 1 so a reduced gradient broadcasts back over the input. */
export function unsqueezeReduced(g: Tensor, inputShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim) return g;
  return g.reshape(reducedShape(inputShape, dims, true));
}

/**
 * Splits the `(dim?, options?)` tail that every reduction takes: the options object may stand
 * in the dim's place (`x.sum({ dtype })`).
 */
export function dimAndOptions<O extends object>(dim: unknown, options: O): [DimArg, O] {
  if (typeof dim === "object" && dim !== null && !Array.isArray(dim)) return [undefined, dim as O];
  return [dim as DimArg, options];
}

/** The dtype integer and bool inputs accumulate into when no `dtype` is given (sum, prod, cumsum). */
export function accumulateDtype(t: Tensor, dtype: DType | undefined): DType {
  return dtype ?? (t.dtype.is_floating_point ? t.dtype : int64);
}

/**
 * `torch.sum(input, dim?, { keepdim = false, dtype })`: the sum of the elements over `dim`
 * (all of them when omitted).
 *
 * Integer and bool inputs sum to int64, as in PyTorch; float sums accumulate in binary64.
 *
 * ```ts
 * torch.tensor([[1, 2], [3, 4]]).sum(1)              // tensor([3, 7])
 * torch.sum(x, [0, -1], { keepdim: true })            // shape (1, ..., 1)
 * ```
 */
export function sum(t: Tensor, dim?: DimArg | ReduceOptions, options: ReduceOptions = {}): Tensor {
  const [d, opts] = dimAndOptions(dim, options);
  const dims = reduceDims(t, d);
  const keepdim = opts.keepdim ?? false;
  const dtype = accumulateDtype(t, opts.dtype);
  const input = t.dtype === dtype ? t : t.to(dtype);
  const out = runReduce("sum", input, dims, keepdim, dtype);
  if (!needsGrad(input)) return out;
  const inputShape = input._shape;
  const name = d === undefined || d === null ? "SumBackward0" : "SumBackward1";
  return record(name, [input], out, ([g]) => [unsqueezeReduced(g!, inputShape, dims, keepdim).expand(inputShape)]);
}

/** `t.sum_to_size(*size)`: sums broadcast dims away so the result has `size`. */
export function sum_to_size(t: Tensor, size: readonly number[]): Tensor {
  const lead = t.ndim - size.length;
  let expandable = lead >= 0;
  for (let i = 0; i < size.length && expandable; i++) expandable = size[i] === 1 || size[i] === t._shape[lead + i];
  if (!expandable) {
    throw new RuntimeError(`size {[${size.join(", ")}]} is not expandable to size {[${t._shape.join(", ")}]}.`);
  }
  const dims: number[] = [];
  for (let d = 0; d < t.ndim; d++) {
    if (d < lead || (size[d - lead] === 1 && t._shape[d] !== 1)) dims.push(d);
  }
  if (dims.length === 0) return t;
  if (!needsGrad(t)) {
    // The same sum without the graph's bookkeeping, and its result taken at `size` directly
    // rather than through a view: a bias gradient is this in every backward pass.
    const dtype = accumulateDtype(t, undefined);
    const out = runReduce("sum", t.dtype === dtype ? t : t.to(dtype), dims, true, dtype);
    return lead > 0 ? new Tensor(out._storage, size) : out;
  }
  let out = sum(t, dims, { keepdim: true });
  if (lead > 0) out = out.reshape(size);
  return out;
}

/**
 * `torch.mean(input, dim?, { keepdim = false, dtype })`: the arithmetic mean over `dim` (all
 * elements when omitted), `sum(input) / N`.
 *
 * The input (or the `dtype` given) must be floating point: PyTorch does not guess a float dtype
 * for an integer tensor. The mean of no elements is NaN.
 *
 * ```ts
 * torch.tensor([[1, 2], [3, 4]], { dtype: torch.float32 }).mean(0)   // tensor([2., 3.])
 * torch.arange(4).mean({ dtype: torch.float64 })                      // tensor(1.5000, dtype=torch.float64)
 * ```
 */
export function mean(t: Tensor, dim?: DimArg | ReduceOptions, options: ReduceOptions = {}): Tensor {
  const [d, opts] = dimAndOptions(dim, options);
  const dtype = opts.dtype ?? t.dtype;
  if (!dtype.is_floating_point) {
    const which = opts.dtype ? "Optional" : "Input";
    throw new RuntimeError(
      `mean(): could not infer output dtype. ${which} dtype must be either a floating point or complex dtype. Got: ${dtype.scalarTypeName}`,
    );
  }
  const dims = reduceDims(t, d);
  const keepdim = opts.keepdim ?? false;
  const input = t.dtype === dtype ? t : t.to(dtype);
  const out = runReduce("sum", input, dims, keepdim, dtype);
  const count = reducedCount(input._shape, dims);
  out._storage.backend.binary("div", out._view, out._view, expandedView(asTensor(count, dtype), out._shape));
  if (!needsGrad(input)) return out;
  const inputShape = input._shape;
  const name = d === undefined || d === null ? "MeanBackward0" : "MeanBackward1";
  return record(name, [input], out, ([g]) => [
    unsqueezeReduced(g!, inputShape, dims, keepdim).expand(inputShape).div(count),
  ]);
}

/**
 * `torch.prod(input, dim?, { keepdim = false, dtype })`: the product of the elements, of all of
 * them or along one `dim` (an int: PyTorch's prod takes no dim list).
 *
 * Integer and bool inputs multiply in int64. The gradient is `grad · prod / input` when no input
 * is zero; slices holding zeros get the product of the other elements instead, so a zero input
 * still receives a finite gradient.
 *
 * ```ts
 * torch.tensor([[1, 2], [3, 4]]).prod(1)   // tensor([ 2, 12])
 * ```
 */
export function prod(t: Tensor, dim?: number | ReduceOptions, options: ReduceOptions = {}): Tensor {
  const [d, opts] = dimAndOptions(dim, options);
  if (Array.isArray(d)) {
    throw new TypeError(
      "prod() received an invalid combination of arguments - got (tuple), but expected one of:\n" +
        " * (*, torch.dtype dtype)\n" +
        " * (int dim, bool keepdim, *, torch.dtype dtype)\n" +
        " * (name dim, bool keepdim, *, torch.dtype dtype)\n",
    );
  }
  const all = d === undefined || d === null;
  const dims = all ? reduceDims(t, null) : reduceDims(t, d as number);
  const keepdim = all ? false : opts.keepdim ?? false;
  const dtype = accumulateDtype(t, opts.dtype);
  const input = t.dtype === dtype ? t : t.to(dtype);
  const out = runReduce("prod", input, dims, keepdim, dtype);
  return record(all ? "ProdBackward0" : "ProdBackward1", [input], out, ([g], [x, result]) => [
    prodBackward(g!, x!, result!, dims, keepdim),
  ], [input, out]);
}

/** The product over `dims` of `t`, keeping them as size 1. */
function prodKeep(t: Tensor, dims: readonly number[]): Tensor {
  if (dims.length === 1) return prod(t, dims[0]!, { keepdim: true });
  return prod(t).reshape(reducedShape(t._shape, dims, true));
}

/**
 * The gradient of a product: element i gets `grad · ∏_{j≠i} x_j`. Without zeros that is
 * `grad · result / x` (PyTorch's fast path). A slice with one zero gives the zero's position
 * the product of the others, and every other position `x_zero · ∏_{j≠i} x_j / ...` written so
 * that its value is 0 but its derivative by the zero is right (double backward); slices with
 * two or more zeros get 0.
 */
function prodBackward(g: Tensor, x: Tensor, result: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  if (x.ndim === 0) return g;
  const gk = unsqueezeReduced(g, x._shape, dims, keepdim);
  const rk = unsqueezeReduced(result, x._shape, dims, keepdim);
  const zero = x.eq(0);
  if (!zero.any().item()) return gk.mul(rk.div(x));
  const zeros = zero.sum(dims, { keepdim: true });
  const safe = where(zero, 1, x);
  const others = prodKeep(safe, dims);
  const zeroValue = where(zero, x, 0).sum(dims, { keepdim: true });
  const oneZero = where(zero, others, zeroValue.mul(others).div(safe));
  return gk.mul(where(zeros.eq(0), others.div(safe), where(zeros.eq(1), oneZero, 0)));
}

/** `torch.any(input, dim?, { keepdim })`: whether any element is non-zero. */
export function any(t: Tensor, dim?: number | null, options: ReduceOptions = {}): Tensor {
  return runReduce("any", t, reduceDims(t, dim), options.keepdim ?? false, bool);
}

/** `torch.all(input, dim?, { keepdim })`: whether every element is non-zero. */
export function all(t: Tensor, dim?: number | null, options: ReduceOptions = {}): Tensor {
  return runReduce("all", t, reduceDims(t, dim), options.keepdim ?? false, bool);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    sum(dim?: DimArg | ReduceOptions, options?: ReduceOptions): Tensor;
    sum_to_size(...size: (number | readonly number[])[]): Tensor;
    mean(dim?: DimArg | ReduceOptions, options?: ReduceOptions): Tensor;
    prod(dim?: number | ReduceOptions, options?: ReduceOptions): Tensor;
    any(dim?: number | null, options?: ReduceOptions): Tensor;
    all(dim?: number | null, options?: ReduceOptions): Tensor;
  }
}

const P = Tensor.prototype;
P.sum = function (dim, options) { return sum(this, dim, options); };
P.sum_to_size = function (...size) {
  const s = size.length === 1 && Array.isArray(size[0]) ? (size[0] as number[]) : (size as number[]);
  return sum_to_size(this, s);
};
P.mean = function (dim, options) { return mean(this, dim, options); };
P.prod = function (dim, options) { return prod(this, dim, options); };
P.any = function (dim, options) { return any(this, dim, options); };
P.all = function (dim, options) { return all(this, dim, options); };
