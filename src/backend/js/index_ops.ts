/**
 * Indexing kernels of the JS backend: index_select, gather, scatter_, scatter_add_, index_add_.
 * Index values are checked here because only the kernel sees them; the op layer has already
 * checked shapes and dtypes. As in PyTorch, negative index values are out of range: these ops
 * do not wrap them (unlike Python subscripts).
 */

import type { StridedView } from "../backend.js";
import { dataOf } from "./storage.js";
import { IndexError, RuntimeError } from "../../errors.js";

type Elements = { [i: number]: number | bigint; length: number };

/** Calls `body(indexTuple)` for every index of `shape` in row-major order. */
function forEachIndex(shape: readonly number[], body: (idx: number[]) => void): void {
  let count = 1;
  for (const s of shape) count *= s;
  if (count === 0) return;
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    body(idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

function offsetOf(view: StridedView, idx: readonly number[]): number {
  let p = view.offset;
  for (let d = 0; d < idx.length; d++) p += idx[d]! * view.strides[d]!;
  return p;
}

/** Reads index element `i` of a 1-D or N-D index view as a number. */
function indexAt(index: StridedView, idx: readonly number[]): number {
  return Number(dataOf(index)[offsetOf(index, idx)]!);
}

/** The index value at `idx`, checked against the size of `dim` (gather and scatter's message). */
function checkedIndex(index: StridedView, idx: readonly number[], dim: number, size: number): number {
  const j = indexAt(index, idx);
  if (j < 0 || j >= size) {
    throw new RuntimeError(`index ${j} is out of bounds for dimension ${dim} with size ${size}`);
  }
  return j;
}

function add(o: Elements, p: number, v: number | bigint): void {
  o[p] = typeof v === "bigint" ? BigInt.asIntN(64, (o[p] as bigint) + v) : (o[p] as number) + v;
}

export function indexSelect(out: StridedView, a: StridedView, dim: number, index: StridedView): void {
  const o = dataOf(out) as Elements;
  const x = dataOf(a) as Elements;
  const size = a.shape[dim]!;
  forEachIndex(out.shape, (idx) => {
    const i = idx[dim]!;
    const j = indexAt(index, [i]);
    if (j < 0 || j >= size) throw new IndexError("index out of range in self");
    const src = idx.slice();
    src[dim] = j;
    o[offsetOf(out, idx)] = x[offsetOf(a, src)]!;
  });
}

export function gather(out: StridedView, a: StridedView, dim: number, index: StridedView): void {
  const o = dataOf(out) as Elements;
  const x = dataOf(a) as Elements;
  const size = a.shape[dim]!;
  forEachIndex(out.shape, (idx) => {
    const j = checkedIndex(index, idx, dim, size);
    const src = idx.slice();
    src[dim] = j;
    o[offsetOf(out, idx)] = x[offsetOf(a, src)]!;
  });
}

/** Later elements of `index` (row-major) overwrite earlier ones that hit the same place. */
export function scatter(out: StridedView, dim: number, index: StridedView, src: StridedView): void {
  const o = dataOf(out) as Elements;
  const s = dataOf(src) as Elements;
  const size = out.shape[dim]!;
  forEachIndex(index.shape, (idx) => {
    const j = checkedIndex(index, idx, dim, size);
    const dst = idx.slice();
    dst[dim] = j;
    o[offsetOf(out, dst)] = s[offsetOf(src, idx)]!;
  });
}

export function scatterAdd(out: StridedView, dim: number, index: StridedView, src: StridedView): void {
  const o = dataOf(out) as Elements;
  const s = dataOf(src) as Elements;
  const size = out.shape[dim]!;
  forEachIndex(index.shape, (idx) => {
    const j = checkedIndex(index, idx, dim, size);
    const dst = idx.slice();
    dst[dim] = j;
    add(o, offsetOf(out, dst), s[offsetOf(src, idx)]!);
  });
}

export function indexAdd(out: StridedView, dim: number, index: StridedView, src: StridedView): void {
  const o = dataOf(out) as Elements;
  const s = dataOf(src) as Elements;
  const size = out.shape[dim]!;
  forEachIndex(src.shape, (idx) => {
    const j = indexAt(index, [idx[dim]!]);
    if (j < 0 || j >= size) throw new IndexError("index out of range in self");
    const dst = idx.slice();
    dst[dim] = j;
    add(o, offsetOf(out, dst), s[offsetOf(src, idx)]!);
  });
}
