// The walk every JS kernel is written with (forEachRun, coalesce, isDense in
// src/backend/js/storage.ts) against a plain odometer over the original shape: the same element
// offsets of every view, in the same order, for random shapes and strides (zero strides and
// size-1 dims included), and callbacks that scribble on the arrays they are given cannot move it.

import { describe, expect, it } from "vitest";
import { forEachRun, isDense } from "../../src/backend/js/storage.js";
import { int, pick, randomShape, rng } from "./js_fast_testing.js";

/** Every index of `shape` in row-major order, as each view's element offset. */
function naiveOffsets(shape: readonly number[], offsets: readonly number[], strides: readonly (readonly number[])[]): number[][] {
  const out: number[][] = [];
  if (shape.some((s) => s === 0)) return out;
  const idx = shape.map(() => 0);
  for (;;) {
    out.push(offsets.map((o, v) => idx.reduce((p, i, d) => p + i * strides[v]![d]!, o)));
    let d = shape.length - 1;
    for (; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
    if (d < 0) return out;
  }
}

describe("forEachRun", () => {
  it("visits the offsets a row-major odometer visits, in its order", () => {
    const random = rng(41);
    for (let trial = 0; trial < 300; trial++) {
      let shape = randomShape(random, 5);
      while (shape.reduce((p, s) => p * s, 1) > 3000) shape = randomShape(random, 5);
      const nv = int(random, 1, 4);
      const offsets = Array.from({ length: nv }, () => int(random, 0, 9));
      const contiguous = (() => {
        const s: number[] = [];
        let span = 1;
        for (let d = shape.length - 1; d >= 0; d--) {
          s[d] = span;
          span *= Math.max(shape[d]!, 1);
        }
        return s;
      })();
      const strides = Array.from({ length: nv }, () =>
        random() < 0.5 ? contiguous.slice() : shape.map(() => pick(random, [0, 1, 2, 3, 7, 40])),
      );
      const got: number[][] = [];
      forEachRun(shape, offsets, strides, (p, n, s) => {
        for (let i = 0; i < n; i++) got.push(p.map((o, v) => o + i * s[v]!));
        // The walk must not depend on what the callback does with its arrays.
        p.fill(-1000);
        s.fill(-1000);
      });
      expect(got, `[${shape}] strides ${JSON.stringify(strides)}`).toEqual(naiveOffsets(shape, offsets, strides));
    }
  });
});

describe("isDense", () => {
  it("is true exactly for row-major contiguous strides, size-1 dims aside", () => {
    expect(isDense([], [])).toBe(true);
    expect(isDense([3, 4], [4, 1])).toBe(true);
    expect(isDense([3, 1, 4], [4, 99, 1])).toBe(true);
    expect(isDense([3, 4], [1, 3])).toBe(false);
    expect(isDense([3, 4], [0, 1])).toBe(false);
    expect(isDense([3, 4], [8, 1])).toBe(false);
    expect(isDense([1, 1], [0, 0])).toBe(true);
  });
});
