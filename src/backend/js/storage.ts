/**
 * The JS backend's storage (a typed array) and the strided loop that every JS kernel is
 * written with.
 */

import type { Backend, Storage, StridedView } from "../backend.js";
import { typedArrayFor, type DType, type TypedArray } from "../../tensor/dtype.js";

export class JsStorage implements Storage {
  version = 0;
  readonly data: TypedArray;

  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    length: number,
  ) {
    this.data = typedArrayFor(dtype, length);
  }

  get length(): number {
    return this.data.length;
  }
}

export function dataOf(view: StridedView): TypedArray {
  return (view.storage as JsStorage).data;
}

/**
 * Merges neighbouring dimensions that every view walks as one (stride[d-1] = stride[d]·size[d]
 * in all of them) and drops size-1 dimensions, so a contiguous loop becomes a single flat one.
 */
export function coalesce(
  shape: readonly number[],
  stridesList: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = stridesList.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (
      last >= 0 &&
      stridesList.every((s, v) => outStrides[v]![last] === s[d]! * size)
    ) {
      outShape[last]! *= size;
      stridesList.forEach((s, v) => (outStrides[v]![last] = s[d]!));
      continue;
    }
    outShape.push(size);
    stridesList.forEach((s, v) => outStrides[v]!.push(s[d]!));
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Walks `shape` in row-major order and calls `inner(offsets, n, innerStrides)` once per run of
 * the innermost dimension, with each view's element offset at the start of the run. Kernels put
 * their tight loop inside `inner`.
 */
export function forEachRun(
  shape: readonly number[],
  offsets: readonly number[],
  stridesList: readonly (readonly number[])[],
  inner: (offsets: number[], n: number, innerStrides: number[]) => void,
): void {
  for (const size of shape) if (size === 0) return;
  const { shape: cs, strides } = coalesce(shape, stridesList);
  const nv = offsets.length;
  const pos = offsets.slice();
  if (cs.length === 0) {
    inner(pos, 1, new Array<number>(nv).fill(0));
    return;
  }
  const nd = cs.length;
  const innerN = cs[nd - 1]!;
  const innerStrides = strides.map((s) => s[nd - 1]!);
  const counter = new Array<number>(nd - 1).fill(0);
  for (;;) {
    inner(pos.slice(), innerN, innerStrides);
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
