/**
 * torch.Size's own array methods (src/tensor/size.ts: index loops instead of V8's generic path
 * for Array subclasses) give what Array.prototype's give on the same dims: results (plain
 * arrays), callback arguments, thisArg, start and end arguments, NaN and empty cases, errors.
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import { makeSize, Size } from "../../src/tensor/size.js";

const A = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;

/** Runs `method` with `args` on a Size and on a plain array of the same dims; both results and every callback call must agree. */
function same(dims: number[], method: string, ...args: unknown[]): void {
  const size = makeSize(dims);
  const plain = [...dims];
  const calls: { size: unknown[][]; plain: unknown[][] } = { size: [], plain: [] };
  const wrap = (log: unknown[][], self: unknown[]) => (a: unknown) =>
    typeof a === "function"
      ? function (this: unknown, ...cb: unknown[]) {
          // The array argument is the receiver itself; record it as which one it was.
          log.push([this, ...cb.map((v) => (v === self ? "<array>" : v))]);
          return (a as (...x: unknown[]) => unknown).apply(this, cb);
        }
      : a;
  let got: unknown;
  let want: unknown;
  let gotError: unknown = null;
  let wantError: unknown = null;
  try {
    got = (size as unknown as Record<string, (...x: unknown[]) => unknown>)[method]!(...args.map(wrap(calls.size, size)));
  } catch (e) {
    gotError = e;
  }
  try {
    want = A[method]!.apply(plain, args.map(wrap(calls.plain, plain)));
  } catch (e) {
    wantError = e;
  }
  const what = `${method}(${args.map(String).join(", ")}) on [${dims.join(", ")}]`;
  if (wantError) {
    expect(gotError, what).toBeInstanceOf((wantError as Error).constructor);
    expect((gotError as Error).message, what).toBe((wantError as Error).message);
    return;
  }
  expect(gotError, what).toBeNull();
  expect(got, what).toEqual(want);
  if (Array.isArray(want)) {
    expect(Object.getPrototypeOf(got), `${what}: a plain array`).toBe(Array.prototype);
  }
  expect(calls.size, `${what}: callback calls`).toEqual(calls.plain);
}

describe("torch.Size's array methods", () => {
  const shapes = [[], [5], [4, 3], [2, 1, 7], [3, 0, 2]];
  const self = { scale: 3 };

  it("map, some, every, forEach and filter: results, callback arguments and thisArg", () => {
    for (const dims of shapes) {
      same(dims, "map", (v: number, i: number) => v * 2 + i);
      same(dims, "map", function (this: typeof self, v: number) { return v * this.scale; }, self);
      same(dims, "some", (v: number) => v === 1);
      same(dims, "some", (v: number) => v > 100);
      same(dims, "every", (v: number) => v > 0);
      same(dims, "every", (v: number, i: number) => i < 2);
      same(dims, "forEach", (v: number) => v);
      same(dims, "forEach", function (this: typeof self) { return this.scale; }, self);
      same(dims, "filter", (v: number) => v % 2 === 1);
    }
  });

  it("reduce with and without an initial value, and on an empty Size", () => {
    for (const dims of shapes) {
      same(dims, "reduce", (a: number, b: number) => a * b, 1);
      same(dims, "reduce", (a: number, b: number, i: number) => a + b * i);
      same(dims, "reduce", (a: unknown[], b: number) => [...a, b], []);
      same(dims, "reduce", (a: number, b: number) => a + b, undefined);
    }
  });

  it("slice, indexOf and includes with every kind of start and end", () => {
    const bounds = [undefined, 0, 1, 2, -1, -2, -10, 10, 1.7, -1.2, NaN, Infinity, -Infinity];
    for (const dims of shapes) {
      for (const a of bounds) {
        same(dims, "indexOf", 1, a);
        same(dims, "includes", 2, a);
        for (const b of bounds) same(dims, "slice", a, b);
      }
      same(dims, "slice");
      same(dims, "indexOf", 7);
      same(dims, "includes", NaN);
      same(dims, "indexOf", NaN);
    }
  });

  it("hands what the loops do not cover to Array's methods: a callback that is not a function, BigInt bounds, a Size not from makeSize", () => {
    for (const dims of [[], [4, 3]]) {
      for (const method of ["map", "some", "every", "forEach", "filter"]) {
        same(dims, method, undefined);
        same(dims, method, { call: () => 7 });
      }
      same(dims, "reduce", undefined, 1);
      same(dims, "slice", 1n);
      same(dims, "indexOf", 3, 1n);
      same(dims, "includes", 3, 1n);
    }
    const holey = new Size(3);
    expect(holey.some((v) => v === undefined)).toBe(false);
    expect(holey.indexOf(undefined as unknown as number)).toBe(-1);
    const growing = Size.from([1, 2]) as Size;
    expect(growing.map((v, i, a) => (i === 0 && (a as number[]).push(9), v))).toEqual([1, 2]);
  });

  it("a tensor's shape is such a Size, and the built-in methods still behave as Array's", () => {
    const shape = torch.zeros(2, 3, 4).shape;
    expect(shape).toBeInstanceOf(Size);
    expect(shape.map((d) => d * 10)).toEqual([20, 30, 40]);
    expect(shape.slice(1)).toEqual([3, 4]);
    expect(shape.reduce((a, b) => a * b, 1)).toBe(24);
    expect([...shape]).toEqual([2, 3, 4]);
    expect(shape.join("x")).toBe("2x3x4");
    expect(String(shape)).toBe("torch.Size([2, 3, 4])");
    expect(Object.keys(shape)).toEqual(["0", "1", "2"]);
  });

  it("cannot be changed through a tensor: shape and size() are frozen, and the tensors of that shape keep theirs", () => {
    const a = torch.zeros(2, 3);
    const b = torch.ones(2, 3);
    for (const shape of [a.shape, a.size(), b.t().t().shape]) {
      expect(Object.isFrozen(shape)).toBe(true);
      expect(() => ((shape as unknown as number[])[0] = 5)).toThrow(TypeError);
      expect(() => (shape as unknown as number[]).push(1)).toThrow(TypeError);
    }
    expect([...a.shape, ...b.shape, a.numel(), b.sum().item()]).toEqual([2, 3, 2, 3, 6, 6]);
    expect(a.shape).toBe(b.shape); // shared, which is why it must not change
    // A tensor made from another's shape (or from that Size) has the same dims.
    expect(torch.empty(a.shape).add(b).shape).toEqual([2, 3]);
    expect(a.view(a.size()).stride()).toEqual([3, 1]);
  });

  it("keeps each shape's own dims when shapes of one or two dims share a slot of the recent-shapes cache", () => {
    // Pairs chosen to collide: (a·31) xor b and a alone agree mod 64 within each group.
    const groups = [[[1], [65], [129]], [[0, 0], [2, 62], [64, 0]], [[3, 5], [67, 5], [131, 5]]];
    for (let round = 0; round < 3; round++) {
      for (const group of groups) {
        for (const dims of group) {
          const t = torch.zeros(dims);
          expect([...t.shape]).toEqual(dims);
          expect(t.stride()).toEqual(dims.length === 2 ? [Math.max(dims[1]!, 1), 1] : [1]); // PyTorch counts a 0 as 1 here
          expect(torch.ones(dims).shape).toBe(t.shape); // interned: one Size per shape
        }
      }
    }
  });
});
