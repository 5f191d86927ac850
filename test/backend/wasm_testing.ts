// Helpers for the wasm backend tests: seeded random operands in every layout a product meets,
// and the JS reference with the tolerance of a float32-accumulating kernel.

import { expect } from "vitest";
import type { StridedView } from "../../src/backend/backend.js";
import { jsBackend } from "../../src/backend/js/index.js";
import type { JsStorage } from "../../src/backend/js/storage.js";
import { float32, float64, type DType } from "../../src/tensor/dtype.js";

export { rng } from "../harness/rng.js";

export type Layout = "contiguous" | "transposed" | "stepped" | "narrowed" | "sparse";
export const layouts: Layout[] = ["contiguous", "transposed", "stepped", "narrowed", "sparse"];

/**
 * A view of shape [...batch, rows, cols] in a fresh float storage filled with values in [-1, 1):
 * - contiguous: row-major;
 * - transposed: a [..., cols, rows] row-major matrix seen through swapped strides (W.t());
 * - stepped: every other column, from column 1 (x[:, 1::2]);
 * - narrowed: a window into a larger matrix (x.narrow(0, 1, rows).narrow(1, 2, cols));
 * - sparse: every 7th row of a wide matrix, so the view covers a small part of its span.
 * `broadcast` lists batch dims given stride 0 (stored once, as if expanded).
 */
export function operand(
  random: () => number,
  shape: readonly number[],
  layout: Layout,
  options: { broadcast?: readonly number[]; dtype?: DType } = {},
): StridedView {
  const nd = shape.length;
  const [rows, cols] = [shape[nd - 2]!, shape[nd - 1]!];
  let matrixStrides: [number, number];
  let matrixSpan: number;
  let offset = 0;
  switch (layout) {
    case "contiguous":
      matrixStrides = [cols, 1];
      matrixSpan = rows * cols;
      break;
    case "transposed":
      matrixStrides = [1, rows];
      matrixSpan = rows * cols;
      break;
    case "stepped":
      matrixStrides = [2 * cols + 1, 2];
      matrixSpan = rows * (2 * cols + 1);
      offset = 1;
      break;
    case "narrowed":
      matrixStrides = [cols + 5, 1];
      matrixSpan = (rows + 3) * (cols + 5);
      offset = cols + 5 + 2;
      break;
    case "sparse":
      matrixStrides = [7 * (cols + 300), 1];
      matrixSpan = 7 * rows * (cols + 300);
      break;
  }
  const strides = new Array<number>(nd);
  [strides[nd - 2], strides[nd - 1]] = matrixStrides;
  let block = matrixSpan;
  for (let d = nd - 3; d >= 0; d--) {
    if (options.broadcast?.includes(d)) {
      strides[d] = 0;
    } else {
      strides[d] = block;
      block *= shape[d]!;
    }
  }
  const storage = jsBackend.allocate(options.dtype ?? float32, block);
  const data = (storage as JsStorage).data as Float32Array | Float64Array;
  for (let i = 0; i < data.length; i++) data[i] = random() * 2 - 1;
  return { storage, offset, shape: shape.slice(), strides };
}

export function contiguous(shape: readonly number[], dtype: DType = float32, fillValue = NaN): StridedView {
  const numel = shape.reduce((p, s) => p * s, 1);
  const storage = jsBackend.allocate(dtype, numel);
  ((storage as JsStorage).data as Float32Array).fill(fillValue);
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return { storage, offset: 0, shape: shape.slice(), strides };
}

/** The same view over a storage holding the absolute values, for the error bound. */
function absolute(view: StridedView): StridedView {
  const src = (view.storage as JsStorage).data as Float32Array | Float64Array;
  const storage = jsBackend.allocate(float64, src.length);
  const data = (storage as JsStorage).data as Float64Array;
  for (let i = 0; i < src.length; i++) data[i] = Math.abs(src[i]!);
  return { ...view, storage };
}

/** The elements of a view in row-major order. */
export function elements(view: StridedView): number[] {
  const data = (view.storage as JsStorage).data as Float32Array;
  const values: number[] = [];
  const walk = (d: number, at: number): void => {
    if (d === view.shape.length) {
      values.push(data[at]!);
      return;
    }
    for (let i = 0; i < view.shape[d]!; i++) walk(d + 1, at + i * view.strides[d]!);
  };
  walk(0, view.offset);
  return values;
}

/**
 * The float32 rounding-error bound of a K-term dot product in any summation order, relative to
 * Σ|a||b| (Higham's γ_K plus the reference's own rounding), never tighter than 1e-5: it is a
 * property of (backend, dtype), not of a test.
 */
export function relativeTolerance(K: number): number {
  return Math.max(1e-5, (K + 2) * 2 ** -24);
}

/**
 * Runs `matmul(out, a, b)` and checks `out` against the JS reference: within
 * relativeTolerance(K) · (|a|·|b|) elementwise.
 */
export function expectMatchesReference(
  matmul: (out: StridedView, a: StridedView, b: StridedView) => void,
  a: StridedView,
  b: StridedView,
  out?: StridedView,
): void {
  const nd = a.shape.length;
  const shape = [...a.shape.slice(0, nd - 1), b.shape[nd - 1]!];
  const K = a.shape[nd - 1]!;
  const target = out ?? contiguous(shape);
  matmul(target, a, b);
  const reference = contiguous(shape, float64, 0);
  jsBackend.matmul(reference, a, b);
  const bound = contiguous(shape, float64, 0);
  jsBackend.matmul(bound, absolute(a), absolute(b));
  const [got, want, scale] = [elements(target), elements(reference), elements(bound)];
  const tolerance = relativeTolerance(K);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < want.length; i++) {
    const excess = Math.abs(got[i]! - want[i]!) - tolerance * scale[i]! - 1e-30;
    if (!(excess <= worst)) {
      worst = excess;
      worstAt = i;
    }
  }
  expect(
    worstAt,
    worstAt < 0 ? "" : `element ${worstAt} of [${shape}]: got ${got[worstAt]}, JS reference ${want[worstAt]}`,
  ).toBe(-1);
}

/**
 * Runs `matmul` into buffer[::2].t() of a [2·cols, 40] buffer (a [40, cols] view with strides
 * [1, 80]), checks it against the JS reference, and checks that the rows the view skips keep
 * their -7s: a kernel must write a non-contiguous output through its strides and nowhere else.
 */
export function expectWritesThroughStrides(
  matmul: (out: StridedView, a: StridedView, b: StridedView) => void,
  random: () => number,
  cols: number,
): void {
  const storage = jsBackend.allocate(float32, 2 * cols * 40);
  const data = (storage as JsStorage).data as Float32Array;
  data.fill(-7);
  const out: StridedView = { storage, offset: 0, shape: [40, cols], strides: [1, 80] };
  expectMatchesReference(matmul, operand(random, [40, 25], "stepped"), operand(random, [25, cols], "narrowed"), out);
  for (let row = 1; row < 2 * cols; row += 2) {
    for (let col = 0; col < 40; col++) expect(data[row * 40 + col]).toBe(-7);
  }
}
