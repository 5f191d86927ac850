/**
 * Shape arithmetic shared by the tensor core and ops: dimension wrapping, contiguous strides,
 * broadcasting, and the variadic-or-array shape arguments of PyTorch's factories.
 */

import { IndexError, RuntimeError } from "../errors.js";

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= Math.max(shape[d]!, 1);
  }
  return strides;
}

export function numelOf(shape: readonly number[]): number {
  // An index loop: for-of over a torch.Size takes V8's slow iteration path.
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d]!;
  return n;
}

/**
 * Wraps a possibly negative dim into [0, ndim). A 0-d tensor accepts dims -1 and 0, as in
 * PyTorch. The message is PyTorch's `maybe_wrap_dim` one.
 */
export function wrapDim(dim: number, ndim: number): number {
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an int, not ${Number.isNaN(dim) ? "NaN" : typeof dim === "number" ? "float" : typeof dim}`);
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) {
    throw new IndexError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Whether the strides are those of a row-major layout (size-1 dims may have any stride). */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  let contiguous = true;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    // An empty tensor is contiguous whatever its strides (a zero anywhere, not only innermost).
    if (size === 0) return true;
    if (size !== 1) {
      if (strides[d] !== expected) contiguous = false;
      expected *= size;
    }
  }
  return contiguous;
}

/**
 * A plain-array copy of a shape or strides. Why not `.slice()`: a torch.Size is a frozen Array
 * subclass, and V8 copies those through its slow generic path (about 1 µs, against 20 ns here),
 * which showed as the largest cost of `transpose` in a small Linear's forward.
 */
export function copyDims(dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let i = 0; i < dims.length; i++) out[i] = dims[i]!;
  return out;
}

/** Whether `shape` broadcasts to `target` without growing it (`expand`'s rule: trailing dims equal or 1). */
export function expandsTo(shape: readonly number[], target: readonly number[]): boolean {
  if (shape.length > target.length) return false;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i]!;
    if (s !== 1 && s !== target[target.length - shape.length + i]) return false;
  }
  return true;
}

/** `torch.broadcast_shapes`, with PyTorch's message naming tensor a and b. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    // (No reads at negative indices: V8 looks those up as named properties, slowly.)
    const da = i >= nd - a.length ? a[a.length - nd + i]! : 1;
    const db = i >= nd - b.length ? b[b.length - nd + i]! : 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RuntimeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that make a view of (shape, strides) read as the larger `target` shape. */
export function broadcastStrides(
  shape: readonly number[],
  strides: readonly number[],
  target: readonly number[],
): number[] {
  const nd = target.length;
  const out = new Array<number>(nd);
  for (let i = 0; i < nd - shape.length; i++) out[i] = 0;
  for (let i = 0; i < shape.length; i++) {
    const t = nd - shape.length + i;
    out[t] = shape[i] === 1 && target[t] !== 1 ? 0 : strides[i]!;
  }
  return out;
}

export type ShapeArg = number | readonly number[];

/** Reads `f(2, 3)`, `f([2, 3])` and `f(torch.Size([2, 3]))` alike; checks for negative sizes. */
export function parseShape(args: readonly ShapeArg[]): number[] {
  const dims = args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
  for (const d of dims) {
    if (typeof d !== "number" || !Number.isInteger(d)) {
      throw new TypeError(`size must be a sequence of ints, but got an element of type ${typeof d}`);
    }
    if (d < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${d}: [${dims.join(", ")}]`);
  }
  return dims.slice();
}

/**
 * Splits trailing `(…sizes, options?)` arguments: an object that is not an array is options.
 */
export function splitOptions<O extends object>(args: readonly unknown[]): [ShapeArg[], O] {
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === "object" && last !== null && !Array.isArray(last)) {
    return [args.slice(0, -1) as ShapeArg[], last as O];
  }
  return [args as ShapeArg[], {} as O];
}

/**
 * Strides for viewing (shape, strides) as `newShape` without copying, or null when the memory
 * layout does not allow it (PyTorch's `computeStride`): dims are grouped into chunks that are
 * contiguous among themselves, and each chunk must map onto whole groups of the new dims.
 */
export function viewStrides(
  shape: readonly number[],
  strides: readonly number[],
  newShape: readonly number[],
): number[] | null {
  const numel = numelOf(shape);
  if (numel === 0 || shape.length === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBaseStride = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    // A chunk ends where the next-outer dim does not continue this one's memory.
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBaseStride = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}
