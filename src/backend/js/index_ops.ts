/**
 * Indexing kernels of the JS backend: index_select, gather, scatter_, scatter_add_, index_add_.
 * Index values are checked here because only the kernel sees them; the op layer has already
 * checked shapes and dtypes. As in PyTorch, negative index values are out of range: these ops
 * do not wrap them (unlike Python subscripts).
 */

import type { StridedView } from "../backend.js";
import { dataOf, forEachRun } from "./storage.js";
import { IndexError, RuntimeError } from "../../errors.js";

type Elements = { [i: number]: number | bigint; length: number };

/**
 * Each kernel walks one shape in row-major order with `forEachRun`, carrying the element offsets
 * of the views that shape indexes directly. The view indexed through `index` is walked with the
 * stride of `dim` set to 0, and the kernel adds `index value · stride` itself. So no index tuple
 * is built per element, and elements are visited, checked and written in the order the
 * definition gives (an out-of-range index throws after the same writes).
 */
function withoutDim(strides: readonly number[], dim: number): number[] {
  const s = strides.slice();
  s[dim] = 0;
  return s;
}

/** A 1-D index view read along `dim` of an ndim-D walk (0-d: one element, read everywhere). */
function alongDim(index: StridedView, ndim: number, dim: number): number[] {
  const s = new Array<number>(ndim).fill(0);
  s[dim] = index.strides[0] ?? 0;
  return s;
}

function outOfBounds(j: number, dim: number, size: number): never {
  throw new RuntimeError(`index ${j} is out of bounds for dimension ${dim} with size ${size}`);
}

function add(o: Elements, p: number, v: number | bigint): void {
  o[p] = typeof v === "bigint" ? BigInt.asIntN(64, (o[p] as bigint) + v) : (o[p] as number) + v;
}

export function indexSelect(out: StridedView, a: StridedView, dim: number, index: StridedView): void {
  const o = dataOf(out) as Elements;
  const x = dataOf(a) as Elements;
  const ix = dataOf(index);
  const size = a.shape[dim]!;
  const step = a.strides[dim]!;
  forEachRun(
    out.shape,
    [out.offset, a.offset, index.offset],
    [out.strides, withoutDim(a.strides, dim), alongDim(index, out.shape.length, dim)],
    ([po, pa, pi], n, [so, sa, si]) => {
      for (let i = 0; i < n; i++, po! += so!, pa! += sa!, pi! += si!) {
        const j = Number(ix[pi!]!);
        if (j < 0 || j >= size) throw new IndexError("index out of range in self");
        o[po!] = x[pa! + j * step]!;
      }
    },
  );
}

export function gather(out: StridedView, a: StridedView, dim: number, index: StridedView): void {
  const o = dataOf(out) as Elements;
  const x = dataOf(a) as Elements;
  const ix = dataOf(index);
  const size = a.shape[dim]!;
  const step = a.strides[dim]!;
  forEachRun(
    out.shape,
    [out.offset, index.offset, a.offset],
    [out.strides, index.strides, withoutDim(a.strides, dim)],
    ([po, pi, pa], n, [so, si, sa]) => {
      for (let i = 0; i < n; i++, po! += so!, pi! += si!, pa! += sa!) {
        const j = Number(ix[pi!]!);
        if (j < 0 || j >= size) outOfBounds(j, dim, size);
        o[po!] = x[pa! + j * step]!;
      }
    },
  );
}

/** Later elements of `index` (row-major) overwrite earlier ones that hit the same place. */
export function scatter(out: StridedView, dim: number, index: StridedView, src: StridedView): void {
  const o = dataOf(out) as Elements;
  const s = dataOf(src) as Elements;
  const ix = dataOf(index);
  const size = out.shape[dim]!;
  const step = out.strides[dim]!;
  forEachRun(
    index.shape,
    [index.offset, src.offset, out.offset],
    [index.strides, src.strides, withoutDim(out.strides, dim)],
    ([pi, ps, po], n, [si, ss, so]) => {
      for (let i = 0; i < n; i++, pi! += si!, ps! += ss!, po! += so!) {
        const j = Number(ix[pi!]!);
        if (j < 0 || j >= size) outOfBounds(j, dim, size);
        o[po! + j * step] = s[ps!]!;
      }
    },
  );
}

export function scatterAdd(out: StridedView, dim: number, index: StridedView, src: StridedView): void {
  const o = dataOf(out) as Elements;
  const s = dataOf(src) as Elements;
  const ix = dataOf(index);
  const size = out.shape[dim]!;
  const step = out.strides[dim]!;
  forEachRun(
    index.shape,
    [index.offset, src.offset, out.offset],
    [index.strides, src.strides, withoutDim(out.strides, dim)],
    ([pi, ps, po], n, [si, ss, so]) => {
      for (let i = 0; i < n; i++, pi! += si!, ps! += ss!, po! += so!) {
        const j = Number(ix[pi!]!);
        if (j < 0 || j >= size) outOfBounds(j, dim, size);
        add(o, po! + j * step, s[ps!]!);
      }
    },
  );
}

export function indexAdd(out: StridedView, dim: number, index: StridedView, src: StridedView): void {
  const o = dataOf(out) as Elements;
  const s = dataOf(src) as Elements;
  const ix = dataOf(index);
  const size = out.shape[dim]!;
  const step = out.strides[dim]!;
  forEachRun(
    src.shape,
    [src.offset, out.offset, index.offset],
    [src.strides, withoutDim(out.strides, dim), alongDim(index, src.shape.length, dim)],
    ([ps, po, pi], n, [ss, so, si]) => {
      for (let i = 0; i < n; i++, ps! += ss!, po! += so!, pi! += si!) {
        const j = Number(ix[pi!]!);
        if (j < 0 || j >= size) throw new IndexError("index out of range in self");
        add(o, po! + j * step, s[ps!]!);
      }
    },
  );
}
