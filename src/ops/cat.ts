/**
 * Joining ops: `cat` (and its aliases `concat`, `concatenate`), `stack`, `hstack`, `vstack`
 * (`row_stack`). The output is allocated once and each input is copied into its own narrowed
 * window of it, so no kernel beyond `copy` is needed; `copy` also casts, which is how mixed
 * dtypes are promoted.
 */

import { Tensor } from "../tensor/tensor.js";
import type { StridedView } from "../backend/backend.js";
import { DType, promote_types } from "../tensor/dtype.js";
import { wrapDim } from "../tensor/shape.js";
import { record } from "../autograd/graph.js";
import { RuntimeError } from "../errors.js";
import { newTensor } from "./common.js";
import { zeros } from "../tensor/creation.js";

type Shape = readonly number[];

function shapeText(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/**
 * PyTorch still skips 1-D tensors of size 0 in `cat`: before empty tensors of any shape
 * existed, `torch.tensor([])` was the only empty tensor, and code relied on catting it.
 */
function skipped(t: Tensor): boolean {
  return t.ndim === 1 && t._shape[0] === 0;
}

/** The dtype every input is cast to: the promotion of all of them (PyTorch 2.x, and 1.13). */
function promotedDtype(tensors: readonly Tensor[]): DType {
  return tensors.reduce((d, t) => promote_types(d, t.dtype), tensors[0]!.dtype);
}

/** A kernel view of `out` restricted to `[start, start + length)` along `dim`. */
function window(out: Tensor, dim: number, start: number, length: number): StridedView {
  const shape = out._shape.slice();
  shape[dim] = length;
  return { storage: out._storage, offset: out._offset + start * out._strides[dim]!, shape, strides: out._strides };
}

/** A gradient handed to an input of another dtype is cast back to it, as PyTorch's engine does. */
function castTo(g: Tensor, dtype: DType): Tensor {
  return g.dtype === dtype ? g : g.to(dtype);
}

/**
 * `torch.cat(tensors, dim = 0)`: concatenates the tensors along an existing dimension.
 *
 * All tensors must have the same shape except in `dim`, or be a 1-D empty tensor of size
 * `[0]` (skipped, for backward compatibility). Inputs of different dtypes are promoted to a
 * common dtype, as `torch.result_type` would. Negative `dim` counts from the end.
 *
 * Args:
 *   tensors: a non-empty list of tensors.
 *   dim: the dimension to concatenate along.
 *
 * Shapes: `(A, B)` and `(A, C)` with `dim = 1` give `(A, B + C)`.
 *
 * ```ts
 * const x = torch.ones([2, 3]);
 * torch.cat([x, x], 0).shape;   // [4, 3]
 * torch.cat([x, x], -1).shape;  // [2, 6]
 * ```
 *
 * `torch.cat` is the inverse of `torch.split` and `torch.chunk`; its gradient hands each
 * input the matching narrow slice of the output's gradient (node `CatBackward0`).
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  tensors.forEach((t, i) => {
    if (t.ndim === 0) throw new RuntimeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  // PyTorch 2.x's newest releases raise this as a ValueError; 1.13 and most of 2.x as a
  // RuntimeError, which we keep.
  if (tensors.length === 0) throw new RuntimeError("torch.cat(): expected a non-empty list of Tensors");
  const valid = tensors.findIndex((t) => !skipped(t));
  const dtype = promotedDtype(tensors);
  // With every input skipped, the dim is never checked and the result is an empty 1-D tensor.
  if (valid < 0) return record("CatBackward0", tensors, newTensor([0], dtype), () => tensors.map((t) => zeros([0], { dtype: t.dtype })));

  const first = tensors[valid]!;
  const d = wrapDim(dim, first.ndim);
  let total = 0;
  tensors.forEach((t, i) => {
    if (skipped(t)) return;
    if (t.ndim !== first.ndim) {
      throw new RuntimeError(`Tensors must have same number of dimensions: got ${first.ndim} and ${t.ndim}`);
    }
    for (let k = 0; k < t.ndim; k++) {
      if (k !== d && t._shape[k] !== first._shape[k]) {
        throw new RuntimeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${first._shape[k]} but got size ${t._shape[k]} for tensor number ${i} in the list.`,
        );
      }
    }
    total += t._shape[d]!;
  });

  const shape = first._shape.slice();
  shape[d] = total;
  const out = newTensor(shape, dtype);
  const starts: number[] = [];
  let start = 0;
  for (const t of tensors) {
    starts.push(start);
    if (skipped(t)) continue;
    out._storage.backend.copy(window(out, d, start, t._shape[d]!), t._view);
    start += t._shape[d]!;
  }

  const inputs = tensors.map((t) => ({ dtype: t.dtype, size: t._shape[d], skip: skipped(t), grad: t.requires_grad }));
  return record("CatBackward0", tensors, out, ([g]) =>
    inputs.map(({ dtype, size, skip, grad }, i) => {
      if (!grad) return null;
      if (skip) return zeros([0], { dtype });
      return castTo(g!.narrow(d, starts[i]!, size!), dtype);
    }),
  );
}

/** `torch.concat`: alias of `torch.cat`. */
export const concat = cat;

/** `torch.concatenate`: alias of `torch.cat`. */
export const concatenate = cat;

/**
 * `torch.stack(tensors, dim = 0)`: joins equally shaped tensors along a new dimension
 * inserted at `dim` (which may be `-1` for the last position, `ndim` of the inputs being the
 * largest allowed). Mixed dtypes are promoted, as in `cat`.
 *
 * Shapes: n tensors of `(A, B)` with `dim = 1` give `(A, n, B)`.
 *
 * ```ts
 * const x = torch.zeros([2, 3]);
 * torch.stack([x, x, x]).shape;      // [3, 2, 3]
 * torch.stack([x, x, x], -1).shape;  // [2, 3, 3]
 * ```
 *
 * The gradient of input i is the output's gradient selected at i along `dim`
 * (node `StackBackward0`).
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RuntimeError("stack expects a non-empty TensorList");
  const first = tensors[0]!;
  const d = wrapDim(dim, first.ndim + 1);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t._shape.some((s, k) => s !== first._shape[k])) {
      throw new RuntimeError(
        `stack expects each tensor to be equal size, but got ${shapeText(first._shape)} at entry 0 and ${shapeText(t._shape)} at entry ${i}`,
      );
    }
  });
  const shape = first._shape.slice();
  shape.splice(d, 0, tensors.length);
  const out = newTensor(shape, promotedDtype(tensors));
  tensors.forEach((t, i) => {
    const view = window(out, d, i, 1);
    // The inserted dim is dropped from the window so it reads as the input's shape.
    const strides = view.strides.filter((_, k) => k !== d);
    out._storage.backend.copy({ ...view, shape: t._shape, strides }, t._view);
  });
  const inputs = tensors.map((t) => ({ dtype: t.dtype, grad: t.requires_grad }));
  return record("StackBackward0", tensors, out, ([g]) =>
    inputs.map(({ dtype, grad }, i) => (grad ? castTo(g!.select(d, i), dtype) : null)),
  );
}

function atleast1d(t: Tensor): Tensor {
  return t.ndim === 0 ? t.reshape([1]) : t;
}

function atleast2d(t: Tensor): Tensor {
  if (t.ndim === 0) return t.reshape([1, 1]);
  return t.ndim === 1 ? t.unsqueeze(0) : t;
}

/**
 * `torch.hstack(tensors)`: stacks horizontally (column-wise): `cat` along dim 0 for 1-D
 * inputs and dim 1 otherwise; 0-d inputs count as 1-D.
 *
 * ```ts
 * torch.hstack([torch.tensor([1, 2]), torch.tensor([3])]);   // tensor([1, 2, 3])
 * ```
 */
export function hstack(tensors: readonly Tensor[]): Tensor {
  if (tensors.length === 0) throw new RuntimeError("hstack expects a non-empty TensorList");
  const ts = tensors.map(atleast1d);
  return cat(ts, ts[0]!.ndim === 1 ? 0 : 1);
}

/**
 * `torch.vstack(tensors)`: stacks vertically (row-wise): `cat` along dim 0 after turning 1-D
 * inputs of size N into rows `(1, N)` (and 0-d ones into `(1, 1)`).
 *
 * ```ts
 * torch.vstack([torch.tensor([1, 2]), torch.tensor([3, 4])]).shape;   // [2, 2]
 * ```
 */
export function vstack(tensors: readonly Tensor[]): Tensor {
  if (tensors.length === 0) throw new RuntimeError("vstack expects a non-empty TensorList");
  return cat(tensors.map(atleast2d), 0);
}

/** `torch.row_stack`: alias of `torch.vstack`. */
export const row_stack = vstack;
