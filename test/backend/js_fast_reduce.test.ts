// The JS backend's reduction fast path (src/backend/js/fast_reduce.ts) against the reference
// (reduceReference), bit for bit: dense float inputs of random shapes (size-1 dims, long rows,
// odd tails) reduced over random dim sets, with NaNs, -0, ±inf and ties among the values (so
// argmax's first-index rule and NaN propagation are exercised), and the cases it must decline.

import { describe, expect, it } from "vitest";
import type { ReduceOp, StridedView } from "../../src/backend/backend.js";
import { reduce, reduceReference } from "../../src/backend/js/reduce.js";
import { fastReduce } from "../../src/backend/js/fast_reduce.js";
import {
  bool, cloneView, describeView, expectSameBits, float32, float64, int32, int64, pick, randomShape, randomView, rng,
  type DType, type Random,
} from "./js_fast_testing.js";

const OPS: ReduceOp[] = ["sum", "prod", "amax", "amin", "argmax", "argmin"];
const isArg = (op: ReduceOp) => op === "argmax" || op === "argmin";

/** A random subset of the dims (possibly none, possibly all). */
function randomDims(random: Random, nd: number): number[] {
  const r = random();
  if (r < 0.15) return [...Array(nd).keys()];
  return [...Array(nd).keys()].filter(() => random() < 0.4);
}

/** The out view reduce() receives: a's shape with the reduced dims 1, dense from a random offset. */
function outFor(random: Random, a: StridedView, dims: readonly number[], dtype: DType): StridedView {
  const shape = a.shape.map((s, d) => (dims.includes(d) ? 1 : s));
  return randomView(random, dtype, shape, { kind: "dense" });
}

/** Whether the reduced dims (size-1 dims left out) form one block: the fast path's condition. */
function oneBlock(shape: readonly number[], dims: readonly number[]): boolean {
  const kinds = shape.map((s, d) => (s === 1 ? "" : dims.includes(d) ? "r" : "k")).join("");
  return !/r+k+r/.test(kinds);
}

describe("fastReduce", () => {
  it("matches reduceReference bit for bit on dense float inputs", () => {
    const random = rng(21);
    let taken = 0;
    for (let trial = 0; trial < 1500; trial++) {
      const op = pick(random, OPS);
      const dtype = pick(random, [float32, float64]);
      const shape = randomShape(random, 4, false);
      const a = randomView(random, dtype, shape, { kind: "dense" });
      const dims = randomDims(random, shape.length);
      // amax / argmax of no elements is refused by the op layer before any kernel runs.
      const out = outFor(random, a, dims, isArg(op) ? int64 : dtype);
      const want = cloneView(out);
      const viaDispatch = cloneView(out);
      const took = fastReduce(op, out, a, dims);
      expect(took, `${op} over [${dims}] of ${describeView(a)}`).toBe(oneBlock(shape, dims));
      reduceReference(op, want, a, dims);
      reduce(op, viaDispatch, a, dims);
      const what = `${op} over [${dims}] of ${describeView(a)}`;
      if (took) {
        taken++;
        expectSameBits(out, want, what);
      }
      expectSameBits(viaDispatch, want, what);
    }
    expect(taken).toBeGreaterThan(1000);
  });

  it("matches on the training step's shapes: bias gradients, softmax rows, a whole weight", () => {
    const random = rng(22);
    const cases: [number[], number[]][] = [
      [[64, 256], [0]], [[64, 128], [0]], [[64, 10], [0]], [[64, 10], [1]], [[64, 1], [0, 1]], [[256, 784], [0, 1]],
      [[64, 10, 1], [1]], [[1, 64, 10], [0, 1]], [[5, 3, 4], [1]],
    ];
    for (const [shape, dims] of cases) {
      for (const op of OPS) {
        for (const dtype of [float32, float64]) {
          const a = randomView(random, dtype, shape, { kind: "dense" });
          const out = outFor(random, a, dims, isArg(op) ? int64 : dtype);
          const want = cloneView(out);
          expect(fastReduce(op, out, a, dims)).toBe(true);
          reduceReference(op, want, a, dims);
          expectSameBits(out, want, `${op} over [${dims}] of [${shape}] ${dtype.name}`);
        }
      }
    }
  });

  it("propagates the first NaN and picks the first of tied extremes, along rows and down columns", () => {
    const values = [1, 3, NaN, 3, NaN, 2];
    for (const [shape, dims, strides] of [[[6], [0], [1]], [[6, 1], [0], [1, 1]], [[6, 2], [0], [2, 1]]] as const) {
      for (const op of OPS) {
        const random = rng(23);
        const a = randomView(random, float64, [...shape], { kind: "dense" });
        const data = (a.storage as unknown as { data: Float64Array }).data;
        for (let i = 0; i < 6; i++) for (let j = 0; j < (shape[1] ?? 1); j++) data[a.offset + i * strides[0]! + j] = values[i]!;
        const out = outFor(random, a, dims, isArg(op) ? int64 : float64);
        fastReduce(op, out, a, dims);
        const got = (out.storage as unknown as { data: Float64Array | BigInt64Array }).data[out.offset];
        const want = { sum: NaN, prod: NaN, amax: NaN, amin: NaN, argmax: 2n, argmin: 2n }[op as string];
        expect(Object.is(got, want), `${op} over [${shape}]: ${String(got)}`).toBe(true);
      }
    }
    // Ties without NaN: the first index.
    const random = rng(24);
    const a = randomView(random, float32, [4, 3], { kind: "dense" });
    const data = (a.storage as unknown as { data: Float32Array }).data;
    data.set([5, 1, -0, 5, 1, 0, 2, 1, -0, 5, 0, 0], a.offset);
    const out = outFor(random, a, [0], int64);
    fastReduce("argmax", out, a, [0]);
    expect(Array.from((out.storage as unknown as { data: BigInt64Array }).data.subarray(out.offset, out.offset + 3))).toEqual([0n, 0n, 0n]);
    fastReduce("argmin", out, a, [0]);
    expect(Array.from((out.storage as unknown as { data: BigInt64Array }).data.subarray(out.offset, out.offset + 3))).toEqual([2n, 3n, 0n]);
  });

  it("sums a row or column of -0 to +0, as the reference's accumulator starts at 0", () => {
    for (const [shape, dims] of [[[5], [0]], [[5, 3], [0]], [[3, 5], [1]]] as const) {
      const random = rng(26);
      const a = randomView(random, float32, [...shape], { kind: "dense" });
      const data = (a.storage as unknown as { data: Float32Array }).data;
      data.fill(-0);
      const out = outFor(random, a, dims, float32);
      const want = cloneView(out);
      expect(fastReduce("sum", out, a, dims)).toBe(true);
      reduceReference("sum", want, a, dims);
      expectSameBits(out, want, `sum of -0 over [${dims}] of [${shape}]`);
      expect(Object.is((out.storage as unknown as { data: Float32Array }).data[out.offset], 0)).toBe(true);
    }
  });

  it("declines non-dense inputs, split dim blocks, other dtypes, any and all", () => {
    const random = rng(25);
    for (let trial = 0; trial < 200; trial++) {
      const dtype = pick(random, [float32, float64, int32, int64, bool]);
      const op = pick(random, [...OPS, "any", "all"] as ReduceOp[]);
      const shape = randomShape(random, 4, false).map((s) => Math.max(s, 2));
      const a = randomView(random, dtype, shape, { kind: "strided" });
      const dims = randomDims(random, shape.length);
      const outDtype = op === "any" || op === "all" ? bool : isArg(op) ? int64 : dtype;
      const out = outFor(random, a, dims, outDtype);
      const dense = (() => {
        let expected = 1;
        for (let d = shape.length - 1; d >= 0; d--) {
          if (a.strides[d] !== expected) return false;
          expected *= shape[d]!;
        }
        return true;
      })();
      const expected = dense && (dtype === float32 || dtype === float64) && op !== "any" && op !== "all" && oneBlock(shape, dims);
      const before = cloneView(out);
      const took = fastReduce(op, out, a, dims);
      expect(took, `${op} ${describeView(a)} over [${dims}]`).toBe(expected);
      if (!took) expectSameBits(out, before, "declined: untouched");
    }
    // Two reduced blocks with a kept dim between them.
    const a = randomView(random, float32, [3, 4, 5], { kind: "dense" });
    expect(fastReduce("sum", outFor(random, a, [0, 2], float32), a, [0, 2])).toBe(false);
  });
});
