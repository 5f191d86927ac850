/**
 * The JS backend's storage (a typed array) and the strided loop that every JS kernel is
 * written with.
 */

import type { Backend, Storage, StridedView } from "../backend.js";
import { typedArrayFor, type DType, type TypedArray } from "../../tensor/dtype.js";
import { RuntimeError } from "../../errors.js";

/**
 * Node's `Buffer.allocUnsafeSlow` (found on the global object, so the core imports nothing from
 * Node; absent in browsers): memory that is not zero-filled, in an ArrayBuffer of its own. A
 * typed array's zero fill runs at about 7 GB/s here (an 800 KB weight gradient: 120 µs, against
 * 27 µs unfilled), so outputs that their kernel overwrites whole skip it.
 */
const allocUnsafeSlow: ((bytes: number) => Uint8Array) | undefined = (
  globalThis as { Buffer?: { allocUnsafeSlow?: (bytes: number) => Uint8Array } }
).Buffer?.allocUnsafeSlow;

/** Below this many bytes an unfilled buffer is no cheaper than a zeroed one (measured). */
const UNFILLED_MIN_BYTES = 16384;

let poison = false;

/**
 * @internal The test suite's check that unfilled outputs really are overwritten: while on,
 * every unfilled allocation, whatever its size, starts as 0xFF bytes (NaN in floats, -1 in
 * integers, 255 in bools) instead of zeros, so a kernel that skips an element shows it.
 */
export function poisonUnfilled(on: boolean): void {
  poison = on;
}

/** A typed array for `length` elements whose contents the caller will overwrite. */
function unfilledArray(dtype: DType, length: number): TypedArray {
  const bytes = length * dtype.itemsize;
  if (poison) {
    const array = typedArrayFor(dtype, length);
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).fill(0xff);
    return array;
  }
  if (allocUnsafeSlow === undefined || bytes < UNFILLED_MIN_BYTES) return typedArrayFor(dtype, length);
  // The dtype's array type, as typedArrayFor picks it, over a buffer of its own.
  const ArrayType = typedArrayFor(dtype, 0).constructor as new (buffer: ArrayBuffer, offset: number, length: number) => TypedArray;
  return new ArrayType(allocUnsafeSlow(bytes).buffer as ArrayBuffer, 0, length);
}

/**
 * PyTorch's error for a tensor whose memory cannot be had (its CPU allocator on Linux, without
 * the C++ source location that precedes it there): the engine refused the typed array, because
 * memory ran out or the length is beyond what it allows. The native backend reports its packing
 * buffers the same way.
 */
export function outOfMemory(bytes: number): RuntimeError {
  return new RuntimeError(
    `DefaultCPUAllocator: can't allocate memory: you tried to allocate ${bytes} bytes. Error code 12 (Cannot allocate memory)`,
  );
}

export class JsStorage implements Storage {
  version = 0;
  bornIn = 0;
  buffered = 0;
  readonly data: TypedArray;

  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    length: number,
    zeroed = true,
  ) {
    try {
      this.data = zeroed ? typedArrayFor(dtype, length) : unfilledArray(dtype, length);
    } catch (e) {
      throw e instanceof RangeError ? outOfMemory(length * dtype.itemsize) : e;
    }
  }

  get length(): number {
    return this.data.length;
  }
}

export function dataOf(view: StridedView): TypedArray {
  return (view.storage as JsStorage).data;
}

/**
 * Whether a view covers one unbroken range of its storage in row-major order (contiguous
 * strides, size-1 dims ignored), so that kernels may treat it as a flat array from its offset.
 */
export function isDense(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= size;
  }
  return true;
}

/**
 * Merges neighbouring dimensions that every view walks as one (stride[d-1] = stride[d]·size[d]
 * in all of them) and drops size-1 dimensions, so a contiguous loop becomes a single flat one.
 */
export function coalesce(
  shape: readonly number[],
  stridesList: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const nv = stridesList.length;
  const outShape: number[] = [];
  const outStrides: number[][] = [];
  for (let v = 0; v < nv; v++) outStrides.push([]);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    let merges = last >= 0;
    for (let v = 0; v < nv && merges; v++) merges = outStrides[v]![last] === stridesList[v]![d]! * size;
    if (merges) {
      outShape[last]! *= size;
      for (let v = 0; v < nv; v++) outStrides[v]![last] = stridesList[v]![d]!;
      continue;
    }
    outShape.push(size);
    for (let v = 0; v < nv; v++) outStrides[v]!.push(stridesList[v]![d]!);
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Walks `shape` in row-major order and calls `inner(offsets, n, innerStrides)` once per run of
 * the innermost dimension, with each view's element offset at the start of the run. Kernels put
 * their tight loop inside `inner`. The arrays passed to `inner` are reused from run to run (a
 * training step makes thousands of runs): read them, do not keep them.
 */
export function forEachRun(
  shape: readonly number[],
  offsets: readonly number[],
  stridesList: readonly (readonly number[])[],
  inner: (offsets: number[], n: number, innerStrides: number[]) => void,
): void {
  // Index loops, not for-of: a tensor's shape is a torch.Size, which V8's fast array iteration
  // does not cover.
  for (let d = 0; d < shape.length; d++) if (shape[d] === 0) return;
  const nv = offsets.length;
  if (shape.length <= 2) return forEachRunSmall(shape, offsets, stridesList, inner);
  const { shape: cs, strides } = coalesce(shape, stridesList);
  const pos = offsets.slice();
  const nd = cs.length;
  const innerStrides: number[] = [];
  for (let v = 0; v < nv; v++) innerStrides.push(nd === 0 ? 0 : strides[v]![nd - 1]!);
  if (nd === 0) {
    inner(pos, 1, innerStrides);
    return;
  }
  const innerN = cs[nd - 1]!;
  if (nd === 1) {
    inner(pos, innerN, innerStrides);
    return;
  }
  const start = pos.slice();
  const runStrides = innerStrides.slice();
  const counter = new Array<number>(nd - 1).fill(0);
  for (;;) {
    // Copies for the callback, so nothing it does can move the walk.
    for (let v = 0; v < nv; v++) {
      start[v] = pos[v]!;
      runStrides[v] = innerStrides[v]!;
    }
    inner(start, innerN, runStrides);
    // Advance the outer counter like an odometer, moving each view's offset with it.
    let d = nd - 2;
    for (; d >= 0; d--) {
      counter[d]!++;
      for (let v = 0; v < nv; v++) pos[v]! += strides[v]![d]!;
      if (counter[d]! < cs[d]!) break;
      for (let v = 0; v < nv; v++) pos[v]! -= strides[v]![d]! * cs[d]!;
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

/**
 * `forEachRun` for at most two non-empty dims, without `coalesce`'s arrays: the same runs in the
 * same order (one run when the rows continue each other in every view, else one per row).
 * Why: most tensors of a small model have one or two dims, and for them the general walk's
 * set-up (about 0.3 µs) was most of an elementwise op on a dozen elements.
 */
function forEachRunSmall(
  shape: readonly number[],
  offsets: readonly number[],
  stridesList: readonly (readonly number[])[],
  inner: (offsets: number[], n: number, innerStrides: number[]) => void,
): void {
  const nv = offsets.length;
  const pos = offsets.slice();
  const runStrides = new Array<number>(nv);
  if (shape.length === 0) {
    for (let v = 0; v < nv; v++) runStrides[v] = 0;
    inner(pos, 1, runStrides);
    return;
  }
  const last = shape.length - 1;
  const cols = shape[last]!;
  for (let v = 0; v < nv; v++) runStrides[v] = stridesList[v]![last]!;
  if (last === 0) {
    inner(pos, cols, runStrides);
    return;
  }
  const rows = shape[0]!;
  let merges = true;
  for (let v = 0; v < nv && merges; v++) merges = stridesList[v]![0] === stridesList[v]![1]! * cols;
  if (rows === 1 || merges) {
    inner(pos, rows * cols, runStrides);
    return;
  }
  if (cols === 1) {
    for (let v = 0; v < nv; v++) runStrides[v] = stridesList[v]![0]!;
    inner(pos, rows, runStrides);
    return;
  }
  const start = pos.slice();
  for (let i = 0; i < rows; i++) {
    for (let v = 0; v < nv; v++) {
      start[v] = offsets[v]! + i * stridesList[v]![0]!;
      runStrides[v] = stridesList[v]![1]!;
    }
    inner(start, cols, runStrides);
  }
}
