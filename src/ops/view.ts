/**
 * View ops: results share the input's storage, as in PyTorch. `view`, `reshape`, `transpose`,
 * `t`, `T`, `mT`, `permute`, `expand`, `narrow`, `select`, `squeeze`, `unsqueeze`, `flatten`,
 * `unflatten`, `movedim`, `swapaxes`. Each records its PyTorch-named backward node.
 */

import { Tensor } from "../tensor/tensor.js";
import { copyDims, numelOf, viewStrides, wrapDim } from "../tensor/shape.js";
import { checkOverloads } from "./args.js";
import { needsGrad, record } from "../autograd/graph.js";
import { is_grad_enabled } from "../autograd/grad_mode.js";
import { IndexError, RuntimeError } from "../errors.js";
import { newTensor, sumToShape } from "./common.js";

type Shape = readonly number[];
type SizeArgs = (number | readonly number[])[];

function sizesFrom(args: SizeArgs): number[] {
  // copyDims, not a spread: the list is often a torch.Size, which V8 spreads slowly.
  return args.length === 1 && Array.isArray(args[0]) ? copyDims(args[0] as readonly number[]) : (args as number[]);
}

function shapeText(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Resolves one `-1` in a requested shape against `numel` (PyTorch's `infer_size`). */
export function inferSize(shape: Shape, numel: number): number[] {
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i]!;
    if (s === -1) {
      if (inferred >= 0) throw new RuntimeError("only one dimension can be inferred");
      inferred = i;
    } else if (s < 0 || !Number.isInteger(s)) {
      throw new RuntimeError(`invalid shape dimension ${s}`);
    } else {
      known *= s;
    }
  }
  const out = copyDims(shape);
  if (numel === known || (inferred >= 0 && known > 0 && numel % known === 0)) {
    if (inferred >= 0) {
      // Reached with known = 0 only when numel is 0 too: then -1 could be anything.
      if (known === 0) {
        throw new RuntimeError(
          `cannot reshape tensor of 0 elements into shape ${shapeText(shape)} because the unspecified dimension size -1 can be any value and is ambiguous`,
        );
      }
      out[inferred] = numel / known;
    }
    return out;
  }
  throw new RuntimeError(`shape '${shapeText(shape)}' is invalid for input of size ${numel}`);
}

/**
 * The backward of an op that takes a region of its input (narrow, select): a zero tensor of
 * the input's shape with the gradient written into that region. Its own backward takes the
 * region again, so double backward works.
 */
function embed(g: Tensor, inputShape: Shape, region: (t: Tensor) => Tensor, name: string): Tensor {
  const out = newTensor(inputShape, g.dtype);
  const dst = region(out);
  out._storage.backend.copy(dst._view, g._view);
  return record(name, [g], out, ([gg]) => [region(gg!)]);
}

function viewImpl(t: Tensor, shape: Shape, name: string, strides = viewStrides(t._shape, t._strides, shape)): Tensor {
  if (strides === null) {
    throw new RuntimeError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans " +
        "across two contiguous subspaces). Use .reshape(...) instead.",
    );
  }
  const out = t._viewAs(shape, strides);
  if (!needsGrad(t)) return out;
  const inputShape = t._shape;
  return record(name, [t], out, ([g]) => [g!.reshape(inputShape)]);
}

/** `t.view(*shape)`: the same memory seen with another shape; one dim may be -1. */
export function view(t: Tensor, ...shape: SizeArgs): Tensor {
  return viewImpl(t, inferSize(sizesFrom(shape), t.numel()), "ViewBackward0");
}

/**
 * `t.reshape(*shape)`: a view when the strides allow one, else a contiguous copy. (PyTorch 1.13
 * names the view's node ReshapeAliasBackward0; 2.x names it ViewBackward0, as here.)
 */
export function reshape(t: Tensor, ...shape: SizeArgs): Tensor {
  const target = inferSize(sizesFrom(shape), t.numel());
  const strides = viewStrides(t._shape, t._strides, target);
  if (strides !== null) return viewImpl(t, target, "ViewBackward0", strides);
  return unsafeView(t.clone(), target);
}

/**
 * A new shape over a tensor that no one else holds (a fresh copy or a product), so the result
 * need not be tracked as a view (PyTorch's `_unsafe_view`).
 */
export function unsafeView(fresh: Tensor, shape: readonly number[]): Tensor {
  const freshShape = fresh._shape;
  const out = new Tensor(fresh._storage, shape, undefined, fresh._offset);
  return record("UnsafeViewBackward0", [fresh], out, ([g]) => [g!.reshape(freshShape)]);
}

/** `t.transpose(dim0, dim1)`: swaps two dimensions. */
export function transpose(t: Tensor, dim0: number, dim1: number, name = "TransposeBackward0"): Tensor {
  const nd = t.ndim;
  const [a, b] = [wrapDim(dim0, nd), wrapDim(dim1, nd)];
  const shape = copyDims(t._shape);
  const strides = copyDims(t._strides);
  if (nd > 0) {
    const [sa, ta] = [shape[a]!, strides[a]!];
    shape[a] = shape[b]!;
    strides[a] = strides[b]!;
    shape[b] = sa;
    strides[b] = ta;
  }
  return record(name, [t], t._viewAs(shape, strides), ([g]) => [g!.transpose(dim0, dim1)]);
}

/** `t.t()`: transpose of a tensor with at most 2 dimensions. */
export function t(x: Tensor): Tensor {
  const nd = x.ndim;
  if (nd > 2) throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${nd}D`);
  // Written out rather than through transpose(): nn.Linear's weight.t() runs on every forward.
  // The gradient is grad.t(), PyTorch's formula, so a double backward shows TBackward0 too.
  const out = nd < 2 ? x._viewAs(x._shape, x._strides) : x._viewAs([x._shape[1]!, x._shape[0]!], [x._strides[1]!, x._strides[0]!]);
  if (!needsGrad(x)) return out;
  return record("TBackward0", [x], out, ([g]) => [tGrad(g!)]);
}

/**
 * TBackward0's gradient, grad.t(). In a backward pass (grad mode off) a gradient that is itself
 * a transpose of a tensor of its own (mm_mat2_backward's (gradᵀ·mat1)ᵀ for Linear's weight.t())
 * gives that tensor back instead of a view of it that reads the same.
 */
function tGrad(g: Tensor): Tensor {
  const base = g._base;
  if (base !== null && !is_grad_enabled() && g.ndim === 2 && base.ndim === 2 && g._offset === base._offset &&
      g._shape[0] === base._shape[1] && g._shape[1] === base._shape[0] &&
      g._strides[0] === base._strides[1] && g._strides[1] === base._strides[0]) {
    return base;
  }
  return g.t();
}

/** `t.permute(*dims)`: reorders the dimensions. */
export function permute(t: Tensor, ...dimsArg: SizeArgs): Tensor {
  const nd = t.ndim;
  const dims = sizesFrom(dimsArg).map((d) => wrapDim(d, nd));
  if (dims.length !== nd) {
    throw new RuntimeError(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${nd} is not equal to len(dims) = ${dims.length}`,
    );
  }
  if (new Set(dims).size !== nd) throw new RuntimeError("permute(): duplicate dims are not allowed.");
  const inverse = new Array<number>(nd);
  dims.forEach((d, i) => (inverse[d] = i));
  const out = t._viewAs(dims.map((d) => t._shape[d]!), dims.map((d) => t._strides[d]!));
  return record("PermuteBackward0", [t], out, ([g]) => [g!.permute(inverse)]);
}

/** `t.T`: all dimensions reversed (PyTorch deprecates it for other than 2-D). */
export function T(t: Tensor): Tensor {
  return permute(t, t._shape.map((_, i) => t.ndim - 1 - i));
}

/** `t.mT`: the last two dimensions swapped (batched matrix transpose). */
export function mT(t: Tensor): Tensor {
  if (t.ndim < 2) throw new RuntimeError(`tensor.mT is only supported on matrices or batches of matrices. Got ${t.ndim}-D tensor.`);
  return transpose(t, -2, -1);
}

/** `t.expand(*sizes)`: broadcasts size-1 dims to larger sizes without copying; -1 keeps a size. */
export function expand(t: Tensor, ...sizesArg: SizeArgs): Tensor {
  const sizes = sizesFrom(sizesArg);
  const nd = sizes.length;
  if (nd < t.ndim) {
    throw new RuntimeError(
      `expand(torch.FloatTensor{${shapeText(t._shape)}}, size=${shapeText(sizes)}): the number of sizes provided (${nd}) must be greater or equal to the number of dimensions in the tensor (${t.ndim})`,
    );
  }
  const shape = new Array<number>(nd);
  const strides = new Array<number>(nd);
  for (let i = nd - 1; i >= 0; i--) {
    const j = i - (nd - t.ndim);
    const size = j >= 0 ? t._shape[j]! : 1;
    const stride = j >= 0 ? t._strides[j]! : 0;
    let target = sizes[i]!;
    if (target === -1) {
      if (j < 0) throw new RuntimeError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      target = size;
    }
    if (size === target) {
      shape[i] = size;
      strides[i] = stride;
    } else if (size === 1) {
      shape[i] = target;
      strides[i] = 0;
    } else {
      throw new RuntimeError(
        `The expanded size of the tensor (${target}) must match the existing size (${size}) at non-singleton dimension ${i}.  Target sizes: ${shapeText(sizes)}.  Tensor sizes: ${shapeText(t._shape)}`,
      );
    }
  }
  const inputShape = t._shape;
  return record("ExpandBackward0", [t], t._viewAs(shape, strides), ([g]) => [sumToShape(g!, inputShape)]);
}

/** `t.narrow(dim, start, length)`: `length` elements along `dim` from `start`. */
export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  checkOverloads("narrow", [dim, start, length], [
    [["int", "dim"], ["Tensor", "start"], ["int", "length"]],
    [["int", "dim"], ["int", "start"], ["int", "length"]],
  ]);
  if (t.ndim === 0) throw new RuntimeError("narrow() cannot be applied to a 0-dim tensor.");
  if (length < 0) throw new RuntimeError("narrow(): length must be non-negative.");
  const d = wrapDim(dim, t.ndim);
  const size = t._shape[d]!;
  if (start < -size || start > size) {
    throw new IndexError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  const s = start < 0 ? start + size : start;
  if (s + length > size) {
    throw new RuntimeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  }
  const shape = copyDims(t._shape);
  shape[d] = length;
  const out = t._viewAs(shape, t._strides, t._offset + s * t._strides[d]!);
  const inputShape = t._shape;
  return record("SliceBackward0", [t], out, ([g]) => [
    embed(g!, inputShape, (z) => z.narrow(d, s, length), "SliceBackwardBackward0"),
  ]);
}

/** `t.select(dim, index)`: the slice at `index` along `dim`, with that dim removed. */
export function select(t: Tensor, dim: number, index: number): Tensor {
  checkOverloads("select", [dim, index], [
    [["int", "dim"], ["int", "index"]],
    [["name", "dim"], ["int", "index"]],
  ]);
  if (t.ndim === 0) throw new IndexError("select() cannot be applied to a 0-dim tensor.");
  const d = wrapDim(dim, t.ndim);
  const size = t._shape[d]!;
  if (index < -size || index >= size) {
    throw new IndexError(`select(): index ${index} out of range for tensor of size ${shapeText(t._shape)} at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = copyDims(t._shape);
  const strides = copyDims(t._strides);
  shape.splice(d, 1);
  strides.splice(d, 1);
  const out = t._viewAs(shape, strides, t._offset + i * t._strides[d]!);
  const inputShape = t._shape;
  return record("SelectBackward0", [t], out, ([g]) => [
    embed(g!, inputShape, (z) => z.select(d, i), "SelectBackwardBackward0"),
  ]);
}

/** `t.squeeze()` drops every size-1 dim; `t.squeeze(dim)` only that one, if it is size 1. */
export function squeeze(t: Tensor, dim?: number | readonly number[]): Tensor {
  const nd = t.ndim;
  const dims =
    dim === undefined ? null : new Set((Array.isArray(dim) ? dim : [dim as number]).map((d) => wrapDim(d, nd)));
  const shape: number[] = [];
  const strides: number[] = [];
  for (let k = 0; k < nd; k++) {
    if (t._shape[k] === 1 && (dims === null || dims.has(k))) continue;
    shape.push(t._shape[k]!);
    strides.push(t._strides[k]!);
  }
  const inputShape = t._shape;
  const name = dim === undefined ? "SqueezeBackward0" : Array.isArray(dim) ? "SqueezeBackward2" : "SqueezeBackward1";
  return record(name, [t], t._viewAs(shape, strides), ([g]) => [g!.reshape(inputShape)]);
}

/** `t.unsqueeze(dim)`: inserts a size-1 dim at `dim` (in [-ndim-1, ndim]). */
export function unsqueeze(t: Tensor, dim: number): Tensor {
  const d = wrapDim(dim, t.ndim + 1);
  const shape = copyDims(t._shape);
  const strides = copyDims(t._strides);
  const stride = d < t.ndim ? t._shape[d]! * t._strides[d]! : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return record("UnsqueezeBackward0", [t], t._viewAs(shape, strides), ([g]) => [g!.squeeze(d)]);
}

/** `t.flatten(start_dim = 0, end_dim = -1)`: merges a run of dims (a view when possible). */
export function flatten(t: Tensor, start_dim = 0, end_dim = -1): Tensor {
  if (t.ndim === 0) return t.reshape([1]);
  const s = wrapDim(start_dim, t.ndim);
  const e = wrapDim(end_dim, t.ndim);
  if (s > e) throw new RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim");
  if (s === e) return t;
  const shape = [...t._shape.slice(0, s), numelOf(t._shape.slice(s, e + 1)), ...t._shape.slice(e + 1)];
  return t.reshape(shape);
}

/** `t.unflatten(dim, sizes)`: splits one dim into several (one may be -1). */
export function unflatten(t: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = wrapDim(dim, t.ndim);
  if (sizes.length === 0) throw new RuntimeError("unflatten: sizes must be non-empty");
  const size = t._shape[d]!;
  let inner: number[];
  try {
    inner = inferSize(sizes, size);
  } catch (e) {
    // PyTorch words the size mismatch for unflatten; other inferSize errors pass through.
    if (!(e instanceof RuntimeError) || !e.message.startsWith("shape '")) throw e;
    throw new RuntimeError(
      `unflatten: Provided sizes ${shapeText(sizes)} don't multiply up to the size of dim ${d} (${size}) in the input tensor`,
    );
  }
  const shape = [...t._shape.slice(0, d), ...inner, ...t._shape.slice(d + 1)];
  return viewImpl(t, shape, "ViewBackward0");
}

/** `t.movedim(source, destination)` for single dims or lists of them. */
export function movedim(t: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  const nd = t.ndim;
  const srcArg: readonly number[] = Array.isArray(source) ? source : [source as number];
  const dstArg: readonly number[] = Array.isArray(destination) ? destination : [destination as number];
  if (srcArg.length !== dstArg.length) {
    throw new RuntimeError(
      `movedim: Invalid source or destination dims: source (${shapeText(srcArg)} dims) should contain the same number of dims as destination (${shapeText(dstArg)} dims)`,
    );
  }
  const src = srcArg.map((d) => wrapDim(d, nd));
  const dst = dstArg.map((d) => wrapDim(d, nd));
  if (new Set(src).size !== src.length) throw new RuntimeError(`movedim: repeated dim in \`source\` (${shapeText(srcArg)})`);
  if (new Set(dst).size !== dst.length) throw new RuntimeError(`movedim: repeated dim in \`destination\` (${shapeText(dstArg)})`);
  const order = new Array<number>(nd).fill(-1);
  src.forEach((s, i) => (order[dst[i]!] = s));
  const rest = [...Array(nd).keys()].filter((d) => !src.includes(d));
  for (let i = 0, r = 0; i < nd; i++) if (order[i] === -1) order[i] = rest[r++]!;
  return permute(t, order);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    view(...shape: SizeArgs): Tensor;
    view_as(other: Tensor): Tensor;
    reshape(...shape: SizeArgs): Tensor;
    reshape_as(other: Tensor): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    swapaxes(dim0: number, dim1: number): Tensor;
    swapdims(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    readonly T: Tensor;
    readonly mT: Tensor;
    permute(...dims: SizeArgs): Tensor;
    expand(...sizes: SizeArgs): Tensor;
    expand_as(other: Tensor): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    flatten(start_dim?: number, end_dim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor;
  }
}

const P = Tensor.prototype;
P.view = function (...shape) { return view(this, ...shape); };
P.view_as = function (other) { return view(this, other._shape); };
P.reshape = function (...shape) { return reshape(this, ...shape); };
P.reshape_as = function (other) { return reshape(this, other._shape); };
P.transpose = function (d0, d1) { return transpose(this, d0, d1); };
P.swapaxes = P.transpose;
P.swapdims = P.transpose;
P.t = function () { return t(this); };
Object.defineProperty(P, "T", { get(this: Tensor) { return T(this); } });
Object.defineProperty(P, "mT", { get(this: Tensor) { return mT(this); } });
P.permute = function (...dims) { return permute(this, ...dims); };
P.expand = function (...sizes) { return expand(this, ...sizes); };
P.expand_as = function (other) { return expand(this, other._shape); };
P.narrow = function (dim, start, length) { return narrow(this, dim, start, length); };
P.select = function (dim, index) { return select(this, dim, index); };
P.squeeze = function (dim) { return squeeze(this, dim); };
P.unsqueeze = function (dim) { return unsqueeze(this, dim); };
P.flatten = function (s, e) { return flatten(this, s, e); };
P.unflatten = function (dim, sizes) { return unflatten(this, dim, sizes); };
P.movedim = function (s, d) { return movedim(this, s, d); };
P.moveaxis = P.movedim;
