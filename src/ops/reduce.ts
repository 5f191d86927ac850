/**
 * Reductions: `sum`, `sum_to_size`, `any`, `all` (and the rest of the family as it grows),
 * with PyTorch's `dim` (an int, negative, a list, or omitted for all), `keepdim` and `dtype`.
 */

import { Tensor } from "../tensor/tensor.js";
import type { ReduceOp } from "../backend/backend.js";
import { bool, DType, int64 } from "../tensor/dtype.js";
import { wrapDim } from "../tensor/shape.js";
import { record } from "../autograd/graph.js";
import { RuntimeError } from "../errors.js";
import { newTensor } from "./common.js";

export type DimArg = number | readonly number[] | null | undefined;

export interface ReduceOptions {
  keepdim?: boolean;
  dtype?: DType;
}

/** The sorted, wrapped, de-duplicated dims to reduce; all dims when `dim` is omitted or []. */
export function reduceDims(t: Tensor, dim: DimArg): number[] {
  if (dim === null || dim === undefined) return t.shape.map((_, i) => i);
  const list = typeof dim === "number" ? [dim] : [...dim];
  if (list.length === 0) return t.shape.map((_, i) => i);
  const dims = list.map((d) => wrapDim(d, t.ndim));
  const seen = new Set<number>();
  for (const d of dims) {
    if (seen.has(d)) throw new RuntimeError(`dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  return dims.filter((d) => d < t.ndim).sort((a, b) => a - b);
}

/** Shape with each reduced dim set to 1 (keepdim), or removed. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((s, i) => {
    if (!dims.includes(i)) out.push(s);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** Runs reduction kernel `op` of `t` over `dims` into a new tensor of `outDtype`. */
export function runReduce(op: ReduceOp, t: Tensor, dims: readonly number[], keepdim: boolean, outDtype: DType): Tensor {
  const kept = reducedShape(t.shape, dims, true);
  const out = newTensor(kept, outDtype);
  out._storage.backend.reduce(op, out._view, t._view, dims);
  return keepdim ? out : new Tensor(out._storage, reducedShape(t.shape, dims, false));
}

/** Restores reduced dims as size 1 so a reduced gradient broadcasts back over the input. */
export function unsqueezeReduced(g: Tensor, inputShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim) return g;
  return g.reshape(reducedShape(inputShape, dims, true));
}

/**
 * `torch.sum(input, dim?, { keepdim, dtype })`. Integer and bool inputs sum to int64, as in
 * PyTorch; float sums accumulate in binary64.
 */
export function sum(t: Tensor, dim?: DimArg | ReduceOptions, options: ReduceOptions = {}): Tensor {
  if (typeof dim === "object" && dim !== null && !Array.isArray(dim)) [dim, options] = [undefined, dim as ReduceOptions];
  const dims = reduceDims(t, dim as DimArg);
  const keepdim = options.keepdim ?? false;
  const dtype = options.dtype ?? (t.dtype.is_floating_point ? t.dtype : int64);
  const input = t.dtype === dtype ? t : t.to(dtype);
  const out = runReduce("sum", input, dims, keepdim, dtype);
  const inputShape = input.shape;
  const name = dim === undefined || dim === null ? "SumBackward0" : "SumBackward1";
  return record(name, [input], out, ([g]) => [unsqueezeReduced(g!, inputShape, dims, keepdim).expand(inputShape)]);
}

/** `t.sum_to_size(*size)`: sums broadcast dims away so the result has `size`. */
export function sum_to_size(t: Tensor, size: readonly number[]): Tensor {
  const lead = t.ndim - size.length;
  if (lead < 0 || size.some((s, i) => s !== 1 && s !== t.shape[lead + i])) {
    throw new RuntimeError(`size {[${size.join(", ")}]} is not expandable to size {[${t.shape.join(", ")}]}.`);
  }
  const dims: number[] = [];
  for (let d = 0; d < t.ndim; d++) {
    if (d < lead || (size[d - lead] === 1 && t.shape[d] !== 1)) dims.push(d);
  }
  if (dims.length === 0) return t;
  let out = sum(t, dims, { keepdim: true });
  if (lead > 0) out = out.reshape(size);
  return out;
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
P.any = function (dim, options) { return any(this, dim, options); };
P.all = function (dim, options) { return all(this, dim, options); };
