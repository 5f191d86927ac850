/**
 * `norm`: vector p-norms over a dim or dim list. As in PyTorch 2.x, `torch.norm` with a numeric
 * `p` or `"fro"` over at most two dims is `torch.linalg.vector_norm`, and its gradient node is
 * `LinalgVectorNormBackward0` (PyTorch 1.13 names it NormBackward1).
 */

import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { record } from "../autograd/graph.js";
import { no_grad } from "../autograd/grad_mode.js";
import { NotImplementedError, RuntimeError } from "../errors.js";
import { reduceDims, unsqueezeReduced, type DimArg } from "./reduce.js";

export interface NormOptions {
  /** The order: a number (2 by default; Infinity and -Infinity allowed) or "fro". */
  p?: number | "fro" | "nuc" | null;
  dim?: DimArg;
  keepdim?: boolean;
  /** The input is cast to this dtype before the norm is computed. */
  dtype?: DType;
}

/** c10's Scalar printing of a double order: "inf", "-inf", "2", "0.5". */
function ordText(ord: number): string {
  if (ord === Infinity) return "inf";
  if (ord === -Infinity) return "-inf";
  return String(ord);
}

/**
 * `torch.linalg.vector_norm(x, ord, dim, keepdim, dtype)`:
 * `(Σ |x_i|^ord)^(1/ord)`, with ord = ∞ the largest |x_i|, -∞ the smallest, 0 the number of
 * non-zero elements. `dim` null reduces every element.
 */
export function vectorNorm(t: Tensor, ord: number, dim: DimArg, keepdim: boolean, dtype?: DType): Tensor {
  if (!t.dtype.is_floating_point) {
    throw new RuntimeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${t.dtype.scalarTypeName}`);
  }
  const x = dtype && dtype !== t.dtype ? t.to(dtype) : t;
  const list = dim === undefined || dim === null ? [] : typeof dim === "number" ? [dim] : [...dim];
  if (x.numel() === 0 && (ord < 0 || ord === Infinity)) {
    if (list.length === 0) {
      throw new RuntimeError(
        `linalg.vector_norm cannot compute the ${ordText(ord)} norm on an empty tensor because the operation does not have an identity`,
      );
    }
    for (const d of list) {
      if (x.size(d) === 0) {
        throw new RuntimeError(
          `linalg.vector_norm cannot compute the ${ordText(ord)} norm on the dimension ${d}because this dimension is empty and the operation does not have an identity`,
        );
      }
    }
  }
  const dims = reduceDims(x, list);
  const out = no_grad(() => {
    const a = x.abs();
    if (ord === Infinity) return a.amax(dims, { keepdim });
    if (ord === -Infinity) return a.amin(dims, { keepdim });
    if (ord === 0) return x.ne(0).sum(dims, { keepdim, dtype: x.dtype });
    if (ord === 1) return a.sum(dims, { keepdim });
    if (ord === 2) return x.mul(x).sum(dims, { keepdim }).sqrt();
    return a.pow(ord).sum(dims, { keepdim }).pow(1 / ord);
  });
  const shape = x._shape;
  return record("LinalgVectorNormBackward0", [x], out, ([g], [self, result]) => [
    normBackward(unsqueezeReduced(g!, shape, dims, keepdim), self!, ord, unsqueezeReduced(result!, shape, dims, keepdim), dims),
  ], [x, out]);
}

/** PyTorch's norm_backward, case by case; `g` and `norm` already have the reduced dims restored. */
function normBackward(g: Tensor, self: Tensor, p: number, norm: Tensor, dims: readonly number[]): Tensor | null {
  if (p === 0) return null;
  if (p === 1) return self.sgn().mul(g);
  if (p === 2) return g.mul(self.div(norm).masked_fill(norm.eq(0), 0));
  if (!Number.isFinite(p)) {
    const a = self.abs();
    const mask = a.eq(norm).logical_or(a.isnan());
    return self.sgn().mul(g.div(mask.sum(dims, { keepdim: true })).mul(mask));
  }
  if (p < 1) {
    const scaled = self.sgn().mul(self.abs().pow(p - 1).masked_fill(self.eq(0), 0));
    return scaled.mul(g).mul(norm.pow(1 - p));
  }
  const scaled = p < 2 ? self.sgn().mul(self.abs().pow(p - 1)) : self.mul(self.abs().pow(p - 2));
  const scale = g.div(norm.pow(p - 1)).masked_fill(norm.eq(0), 0);
  return scaled.mul(scale);
}

/**
 * `torch.norm(input, p = "fro", dim?, { keepdim = false, dtype })`: the vector p-norm of the
 * elements over `dim` (all when omitted),
 *
 *     ‖x‖_p = (Σ |x_i|^p)^(1/p)
 *
 * `"fro"` (the Frobenius norm) and `p = 2` are the same for at most two dims. p = Infinity is
 * the largest absolute value, -Infinity the smallest, 0 the count of non-zeros. `p`, `dim`,
 * `keepdim` and `dtype` may all be given in the options object: `x.norm({ dim: 1 })`. Matrix
 * norms (`"nuc"`, `"fro"` over more than two dims) are not provided.
 *
 * ```ts
 * torch.tensor([3, 4], { dtype: torch.float32 }).norm()   // tensor(5.)
 * x.norm(1, 1, { keepdim: true })                          // row sums of |x|
 * ```
 */
export function norm(
  t: Tensor,
  p?: number | "fro" | "nuc" | null | NormOptions,
  dim?: DimArg | NormOptions,
  options: NormOptions = {},
): Tensor {
  if (typeof p === "object" && p !== null) [p, dim, options] = [undefined, undefined, p];
  else if (typeof dim === "object" && dim !== null && !Array.isArray(dim)) [dim, options] = [undefined, dim as NormOptions];
  const order = p ?? options.p ?? "fro";
  const d = (dim ?? options.dim) as DimArg;
  const keepdim = options.keepdim ?? false;
  const ndims = d === undefined || d === null ? 0 : typeof d === "number" ? 1 : d.length;
  if (order === "nuc" || (order === "fro" && ndims > 2)) {
    throw new NotImplementedError(`norm(p='${order}'): matrix norms (torch.linalg.matrix_norm) are not implemented`);
  }
  if (order === "fro") return vectorNorm(t, 2, d, keepdim, options.dtype);
  if (typeof order !== "number") throw new RuntimeError(`norm(): unknown p '${String(order)}'`);
  return vectorNorm(t, order, d, keepdim, options.dtype);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    norm(p?: number | "fro" | "nuc" | null | NormOptions, dim?: DimArg | NormOptions, options?: NormOptions): Tensor;
  }
}

Tensor.prototype.norm = function (p, dim, options) { return norm(this, p, dim, options); };
