/**
 * Splitting ops: `split` (by one size or a list of sizes), `chunk`, `unbind`, `tensor_split`.
 * Every piece is a view sharing the input's storage, as in PyTorch. `split`, `chunk` and
 * `unbind` record one node with several outputs; its backward joins the pieces' gradients
 * again (the engine hands zeros for the pieces that were not used).
 */

import { checkInt, checkInts } from "./args.js";
import { Tensor } from "../tensor/tensor.js";
import { wrapDim } from "../tensor/shape.js";
import { record } from "../autograd/graph.js";
import { IndexError, RuntimeError } from "../errors.js";
import { cat, stack } from "./cat.js";

function listText(sizes: readonly number[]): string {
  return `[${sizes.join(", ")}]`;
}

/** The piece `[start, start + length)` along `d` as a view, recorded by the caller. */
function piece(t: Tensor, d: number, start: number, length: number): Tensor {
  const shape = t._shape.slice();
  shape[d] = length;
  return t._viewAs(shape, t._strides, t._offset + start * t._strides[d]!);
}

/** Views of consecutive pieces of the given lengths, recorded as one node that cats back. */
function splitBySizes(t: Tensor, d: number, lengths: readonly number[], name: string): Tensor[] {
  const pieces: Tensor[] = [];
  let start = 0;
  for (const length of lengths) {
    pieces.push(piece(t, d, start, length));
    start += length;
  }
  record(name, [t], pieces, (grads) => [cat(grads, d)]);
  return pieces;
}

function splitSize(t: Tensor, split_size: number, dim: number): Tensor[] {
  checkInt("split", "split_size", 1, split_size);
  if (t.ndim === 0) throw new RuntimeError("split expects at least a 1-dimensional tensor");
  if (split_size < 0) throw new RuntimeError(`split expects split_size be non-negative, but got split_size=${split_size}`);
  const d = wrapDim(dim, t.ndim);
  const size = t._shape[d]!;
  if (split_size === 0 && size !== 0) {
    throw new RuntimeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
  }
  // An empty dim still gives one (empty) piece.
  const count = split_size === 0 ? 1 : Math.max(Math.ceil(size / split_size), 1);
  const lengths = new Array<number>(count).fill(split_size);
  lengths[count - 1] = size - split_size * (count - 1);
  return splitBySizes(t, d, lengths, "SplitBackward0");
}

/** `Tensor.split_with_sizes(split_sizes, dim = 0)`: pieces of exactly these lengths. */
export function split_with_sizes(t: Tensor, split_sizes: readonly number[], dim = 0): Tensor[] {
  checkInts("split_with_sizes", "split_sizes", 2, split_sizes);
  if (t.ndim === 0) throw new RuntimeError("split expects at least a 1-dimensional tensor");
  const d = wrapDim(dim, t.ndim);
  const size = t._shape[d]!;
  if (split_sizes.some((s) => s < 0)) {
    throw new RuntimeError(
      `split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${listText(split_sizes)}`,
    );
  }
  const total = split_sizes.reduce((a, b) => a + b, 0);
  if (total !== size) {
    // PyTorch names the dim as it was passed, negative or not.
    throw new RuntimeError(
      `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${dim}), but got split_sizes=${listText(split_sizes)}`,
    );
  }
  return splitBySizes(t, d, split_sizes, "SplitWithSizesBackward0");
}

/**
 * `torch.split(tensor, split_size_or_sections, dim = 0)`: splits the tensor into chunks, each
 * a view of the original.
 *
 * With an integer `split_size_or_sections`, every chunk has that size along `dim` except
 * possibly the last, which is smaller when the size is not divisible. With a list, the chunks
 * have exactly those sizes, which must sum to the size of `dim`.
 *
 * ```ts
 * const a = torch.arange(10).reshape([5, 2]);
 * torch.split(a, 2).map((t) => t.shape[0]);        // [2, 2, 1]
 * torch.split(a, [1, 4]).map((t) => t.shape[0]);   // [1, 4]
 * ```
 *
 * Nodes: `SplitBackward0` (integer) and `SplitWithSizesBackward0` (list); the gradient is the
 * chunks' gradients concatenated along `dim`.
 */
export function split(t: Tensor, split_size_or_sections: number | readonly number[], dim = 0): Tensor[] {
  return typeof split_size_or_sections === "number"
    ? splitSize(t, split_size_or_sections, dim)
    : split_with_sizes(t, split_size_or_sections, dim);
}

/**
 * `torch.chunk(input, chunks, dim = 0)`: tries to split into `chunks` views of equal size
 * `ceil(size / chunks)` along `dim`; the last may be smaller, and there may be fewer than
 * `chunks` of them (`torch.chunk` of 6 elements into 4 gives 3 chunks of 2).
 *
 * ```ts
 * torch.chunk(torch.arange(5), 3).map((t) => t.numel());   // [2, 2, 1]
 * ```
 *
 * Node: `SplitBackward0` (as PyTorch, which calls `split`), or `SplitWithSizesBackward0`
 * when the dim is empty.
 */
export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  checkInt("chunk", "chunks", 1, chunks);
  if (t.ndim === 0) throw new RuntimeError("chunk expects at least a 1-dimensional tensor");
  if (chunks <= 0) throw new RuntimeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = wrapDim(dim, t.ndim);
  const size = t._shape[d]!;
  const each = Math.ceil(size / chunks);
  // `split` would give a single piece of an empty dim; chunk keeps the number asked for.
  if (each === 0 && size === 0) return split_with_sizes(t, new Array<number>(chunks).fill(0), d);
  return splitSize(t, each, d);
}

/**
 * `torch.unbind(input, dim = 0)`: removes a dimension, returning every slice along it as a
 * view (`select(dim, i)` for each i).
 *
 * ```ts
 * torch.unbind(torch.zeros([2, 3]), 1).length;   // 3, each of shape [2]
 * ```
 *
 * Node: `UnbindBackward0`; the gradient stacks the slices' gradients along `dim`.
 */
export function unbind(t: Tensor, dim = 0): Tensor[] {
  if (t.ndim === 0) throw new IndexError("Dimension specified as 0 but tensor has no dimensions");
  const d = wrapDim(dim, t.ndim);
  const shape = t._shape.filter((_, k) => k !== d);
  const strides = t._strides.filter((_, k) => k !== d);
  const slices: Tensor[] = [];
  for (let i = 0; i < t._shape[d]!; i++) slices.push(t._viewAs(shape, strides, t._offset + i * t._strides[d]!));
  record("UnbindBackward0", [t], slices, (grads) => [stack(grads, d)]);
  return slices;
}

/** Python slice bounds `[start, end)` resolved against `size`: negatives count back, then clamp. */
function sliceBounds(start: number, end: number, size: number): [number, number] {
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clamp(start);
  return [s, Math.max(clamp(end), s)];
}

/**
 * `torch.tensor_split(input, indices_or_sections, dim = 0)`: splits into views, NumPy's
 * `array_split`.
 *
 * - An integer n gives n pieces; when the size is not divisible, the first `size % n` pieces
 *   are one longer than the rest.
 * - A list of indices cuts before each index, as Python slices `[0:i0]`, `[i0:i1]`, ...,
 *   `[ik:]` would (indices may be negative or past the end).
 *
 * ```ts
 * torch.tensor_split(torch.arange(7), 3).map((t) => t.numel());        // [3, 2, 2]
 * torch.tensor_split(torch.arange(7), [1, 6]).map((t) => t.numel());   // [1, 5, 1]
 * ```
 *
 * Each piece is a slice of its own (node `SliceBackward0`), as in PyTorch.
 */
export function tensor_split(t: Tensor, indices_or_sections: number | readonly number[], dim = 0): Tensor[] {
  if (typeof indices_or_sections === "number") checkInt("tensor_split", "sections", 2, indices_or_sections);
  else checkInts("tensor_split", "indices", 2, indices_or_sections);
  if (t.ndim === 0) {
    throw new RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
  }
  const d = wrapDim(dim, t.ndim);
  const size = t._shape[d]!;
  const pieces: Tensor[] = [];
  if (typeof indices_or_sections === "number") {
    const sections = indices_or_sections;
    if (sections <= 0) throw new RuntimeError(`number of sections must be larger than 0, got ${sections}`);
    const base = Math.floor(size / sections);
    const extra = size % sections;
    let start = 0;
    for (let i = 0; i < sections; i++) {
      const length = base + (i < extra ? 1 : 0);
      pieces.push(t.narrow(d, start, length));
      start += length;
    }
    return pieces;
  }
  const cuts = [...indices_or_sections, size];
  let start = 0;
  for (const end of cuts) {
    const [s, e] = sliceBounds(start, end, size);
    pieces.push(t.narrow(d, s, e - s));
    start = end;
  }
  return pieces;
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    split(split_size: number | readonly number[], dim?: number): Tensor[];
    split_with_sizes(split_sizes: readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    unbind(dim?: number): Tensor[];
    tensor_split(indices_or_sections: number | readonly number[], dim?: number): Tensor[];
  }
}

const P = Tensor.prototype;
P.split = function (split_size, dim) { return split(this, split_size, dim); };
P.split_with_sizes = function (split_sizes, dim) { return split_with_sizes(this, split_sizes, dim); };
P.chunk = function (chunks, dim) { return chunk(this, chunks, dim); };
P.unbind = function (dim) { return unbind(this, dim); };
P.tensor_split = function (indices_or_sections, dim) { return tensor_split(this, indices_or_sections, dim); };
