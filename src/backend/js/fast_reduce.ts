/**
 * The fast path of the JS backend's reductions: sum, prod, amax, amin, argmax and argmin of a
 * dense float32 or float64 tensor over one block of neighbouring dims (all of them, the last
 * ones as in softmax, the leading ones as in the backward of a broadcast bias).
 *
 * Why: the reference (reduce.ts) lists the offset of every reduced element in a Float64Array
 * first, as many as the input holds for a sum over all dims, and reads through it. A dense input
 * is (outer, reduced, inner) with the reduced block in the middle, so each output reads
 * `x[(o·reduced + r)·inner + i]` directly: along the row when inner is 1, and otherwise row by
 * row into one accumulator per output column, which keeps every output's order of accumulation
 * (r = 0, 1, ...) and so its result bit for bit (test/backend/js_fast_reduce.test.ts).
 */

import type { ReduceOp, StridedView } from "../backend.js";
import { dataOf, isDense } from "./storage.js";

type FloatArray = Float32Array | Float64Array;

/** `reduce` for the case above; false where it does not apply (the reference runs). */
export function fastReduce(op: ReduceOp, out: StridedView, a: StridedView, dims: readonly number[]): boolean {
  const x = dataOf(a);
  const o = dataOf(out);
  if (!(x instanceof Float32Array || x instanceof Float64Array)) return false;
  const arg = op === "argmax" || op === "argmin";
  if (arg ? !(o instanceof BigInt64Array) : !(o instanceof Float32Array || o instanceof Float64Array)) return false;
  if (op === "any" || op === "all") return false;
  const blocks = denseBlocks(out, a, dims);
  if (blocks === null) return false;
  const [outer, reduced, inner] = blocks;
  // (Scratch rows when they fit, used only up to `inner`: a new Float64Array and a
  // TypedArray.set per call were most of a bias gradient's column sums of a dozen elements.)
  const acc = inner === 1 ? null : inner <= ACC.length ? ACC : new Float64Array(inner);
  const best = inner === 1 || !arg ? null : inner <= BEST.length ? BEST : new Float64Array(inner);
  for (let k = 0; k < outer; k++) {
    const base = a.offset + k * reduced * inner;
    const at = out.offset + k * inner;
    if (acc === null) {
      const r = reduceRow(op, x, base, reduced);
      if (arg) (o as BigInt64Array)[at] = BigInt(r);
      else (o as FloatArray)[at] = r;
    } else {
      reduceColumns(op, x, base, reduced, inner, acc, best);
      if (arg) for (let i = 0; i < inner; i++) (o as BigInt64Array)[at + i] = BigInt(best![i]!);
      else for (let i = 0; i < inner; i++) (o as FloatArray)[at + i] = acc[i]!;
    }
  }
  return true;
}

/**
 * [outer, reduced, inner] when dense `a` reduces over one block of neighbouring dims into a
 * dense `out` (size-1 dims left out), else null: the layout of fastReduce (and of the native
 * and wasm sums, which must add in its order).
 */
export function denseBlocks(out: StridedView, a: StridedView, dims: readonly number[]): [number, number, number] | null {
  if (!isDense(a.shape, a.strides) || !isDense(out.shape, out.strides)) return null;
  let outer = 1;
  let reduced = 1;
  let inner = 1;
  let phase: "outer" | "reduced" | "inner" = "outer";
  for (let d = 0; d < a.shape.length; d++) {
    const size = a.shape[d]!;
    if (size === 0) return null;
    if (size === 1) continue;
    if (dims.includes(d)) {
      // A second reduced block does not fit.
      if (phase === "inner") return null;
      phase = "reduced";
      reduced *= size;
    } else if (phase === "outer") {
      outer *= size;
    } else {
      phase = "inner";
      inner *= size;
    }
  }
  return [outer, reduced, inner];
}

/** Column accumulators for fastReduce (a kernel never re-enters itself, so one pair is enough). */
const ACC = new Float64Array(1024);
const BEST = new Float64Array(1024);

/** One output from `n` neighbours: its value, or for arg ops its index (the reference's loop). */
function reduceRow(op: ReduceOp, x: FloatArray, base: number, n: number): number {
  const end = base + n;
  switch (op) {
    case "sum": {
      let acc = 0;
      for (let p = base; p < end; p++) acc += x[p]!;
      return acc;
    }
    case "prod": {
      let acc = 1;
      for (let p = base; p < end; p++) acc *= x[p]!;
      return acc;
    }
    default: {
      // NaN wins and stays: the first NaN ends the scan.
      const isMax = op === "amax" || op === "argmax";
      let acc = x[base]!;
      let best = 0;
      for (let p = base + 1; p < end && acc === acc; p++) {
        const v = x[p]!;
        if (v !== v || (isMax ? v > acc : v < acc)) {
          acc = v;
          best = p - base;
        }
      }
      return op === "argmax" || op === "argmin" ? best : acc;
    }
  }
}

/**
 * `inner` outputs at once from `n` rows of `inner` neighbours: acc[i] (and best[i] for arg
 * ops) sees the rows in order, as the reference's loop for output i does.
 */
function reduceColumns(
  op: ReduceOp, x: FloatArray, base: number, n: number, inner: number, acc: Float64Array, best: Float64Array | null,
): void {
  switch (op) {
    case "sum":
    case "prod":
      for (let i = 0; i < inner; i++) acc[i] = op === "sum" ? 0 : 1;
      for (let r = 0; r < n; r++) {
        const row = base + r * inner;
        if (op === "sum") for (let i = 0; i < inner; i++) acc[i]! += x[row + i]!;
        else for (let i = 0; i < inner; i++) acc[i]! *= x[row + i]!;
      }
      return;
    default: {
      const isMax = op === "amax" || op === "argmax";
      for (let i = 0; i < inner; i++) acc[i] = x[base + i]!;
      if (best) for (let i = 0; i < inner; i++) best[i] = 0;
      for (let r = 1; r < n; r++) {
        const row = base + r * inner;
        for (let i = 0; i < inner; i++) {
          const a = acc[i]!;
          if (a !== a) continue;
          const v = x[row + i]!;
          if (v !== v || (isMax ? v > a : v < a)) {
            acc[i] = v;
            if (best) best[i] = r;
          }
        }
      }
    }
  }
}
