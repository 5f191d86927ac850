// The JS backend's indexing kernels (src/backend/js/index_ops.ts walk offsets with forEachRun)
// against a plain definition written here index tuple by index tuple, bit for bit: random
// shapes and layouts, every dim, float, int and bool storages (int64 adds wrap), and
// out-of-range indices, which must throw the same error after the same writes.

import { describe, expect, it } from "vitest";
import type { StridedView } from "../../src/backend/backend.js";
import { gather, indexAdd, indexSelect, scatter, scatterAdd } from "../../src/backend/js/index_ops.js";
import type { JsStorage } from "../../src/backend/js/storage.js";
import { IndexError, RuntimeError } from "../../src/errors.js";
import {
  bool, cloneView, describeView, expectSameBits, float32, float64, int, int32, int64, pick, randomView, rng, type Random,
} from "./js_fast_testing.js";

type Elements = { [i: number]: number | bigint; length: number };
const data = (v: StridedView) => (v.storage as JsStorage).data as Elements;

function* indices(shape: readonly number[]): Generator<number[]> {
  if (shape.some((s) => s === 0)) return;
  const idx = shape.map(() => 0);
  for (;;) {
    yield idx.slice();
    let d = shape.length - 1;
    for (; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

const at = (v: StridedView, idx: readonly number[]) => idx.reduce((p, i, d) => p + i * v.strides[d]!, v.offset);
const replace = (idx: readonly number[], dim: number, j: number) => idx.map((i, d) => (d === dim ? j : i));
const plus = (a: number | bigint, b: number | bigint) => (typeof a === "bigint" ? BigInt.asIntN(64, a + (b as bigint)) : (a as number) + (b as number));
const bounds = (j: number, dim: number, size: number) => new RuntimeError(`index ${j} is out of bounds for dimension ${dim} with size ${size}`);

/** The definitions, one index tuple at a time. */
const DEFINITIONS = {
  gather(out: StridedView, a: StridedView, dim: number, index: StridedView): void {
    for (const idx of indices(out.shape)) {
      const j = Number(data(index)[at(index, idx)]);
      if (j < 0 || j >= a.shape[dim]!) throw bounds(j, dim, a.shape[dim]!);
      data(out)[at(out, idx)] = data(a)[at(a, replace(idx, dim, j))]!;
    }
  },
  scatter(out: StridedView, dim: number, index: StridedView, src: StridedView, add: boolean): void {
    for (const idx of indices(index.shape)) {
      const j = Number(data(index)[at(index, idx)]);
      if (j < 0 || j >= out.shape[dim]!) throw bounds(j, dim, out.shape[dim]!);
      const p = at(out, replace(idx, dim, j));
      const v = data(src)[at(src, idx)]!;
      data(out)[p] = add ? plus(data(out)[p]!, v) : v;
    }
  },
  indexSelect(out: StridedView, a: StridedView, dim: number, index: StridedView): void {
    for (const idx of indices(out.shape)) {
      const j = Number(data(index)[index.offset + idx[dim]! * index.strides[0]!]);
      if (j < 0 || j >= a.shape[dim]!) throw new IndexError("index out of range in self");
      data(out)[at(out, idx)] = data(a)[at(a, replace(idx, dim, j))]!;
    }
  },
  indexAdd(out: StridedView, dim: number, index: StridedView, src: StridedView): void {
    for (const idx of indices(src.shape)) {
      const j = Number(data(index)[index.offset + idx[dim]! * index.strides[0]!]);
      if (j < 0 || j >= out.shape[dim]!) throw new IndexError("index out of range in self");
      const p = at(out, replace(idx, dim, j));
      data(out)[p] = plus(data(out)[p]!, data(src)[at(src, idx)]!);
    }
  },
};

const DTYPES = [float32, float64, int32, int64, bool];
const layout = (random: Random) => ({ kind: random() < 0.4 ? ("dense" as const) : ("strided" as const) });

function shapeOf(random: Random, nd: number): number[] {
  return Array.from({ length: nd }, () => (random() < 0.05 ? 0 : int(random, 1, 6)));
}

/** An int64 index view of `shape` with values in [0, size), or now and then one just outside. */
function indexView(random: Random, shape: number[], size: number, bad: boolean): StridedView {
  const v = randomView(random, int64, shape, layout(random));
  const d = (v.storage as JsStorage).data as BigInt64Array;
  for (let i = 0; i < d.length; i++) d[i] = BigInt(int(random, 0, Math.max(size - 1, 0)));
  if (bad) {
    const all = [...indices(shape)];
    if (all.length > 0) d[at(v, pick(random, all))] = BigInt(pick(random, [-1, size, size + 3]));
  }
  return v;
}

/** Runs kernel and definition on copies of `out`; both throw the same error or neither does. */
function compare(what: string, out: StridedView, run: (o: StridedView) => void, define: (o: StridedView) => void): boolean {
  const want = cloneView(out);
  let got: unknown = null;
  let expected: unknown = null;
  try {
    run(out);
  } catch (e) {
    got = e;
  }
  try {
    define(want);
  } catch (e) {
    expected = e;
  }
  if (expected) {
    expect(got, what).toBeInstanceOf((expected as Error).constructor);
    expect((got as Error).message, what).toBe((expected as Error).message);
  } else {
    expect(got, what).toBeNull();
  }
  expectSameBits(out, want, what);
  return expected !== null;
}

describe("indexing kernels", () => {
  it("gather matches its definition", () => {
    const random = rng(31);
    let errors = 0;
    for (let trial = 0; trial < 300; trial++) {
      const dtype = pick(random, DTYPES);
      const nd = int(random, 1, 4);
      const dim = int(random, 0, nd - 1);
      const shape = shapeOf(random, nd);
      // index.size(d) <= input.size(d) for d != dim.
      const aShape = shape.map((s, d) => (d === dim ? int(random, 1, 6) : s + int(random, 0, 2)));
      const a = randomView(random, dtype, aShape, layout(random));
      const index = indexView(random, shape, aShape[dim]!, random() < 0.15);
      const out = randomView(random, dtype, shape, layout(random));
      const what = `gather dim ${dim} ${describeView(a)} by ${describeView(index)}`;
      if (compare(what, out, (o) => gather(o, a, dim, index), (o) => DEFINITIONS.gather(o, a, dim, index))) errors++;
    }
    expect(errors).toBeGreaterThan(10);
  });

  for (const add of [false, true]) {
    it(`${add ? "scatterAdd" : "scatter"} matches its definition (later indices win)`, () => {
      const random = rng(add ? 32 : 33);
      let errors = 0;
      for (let trial = 0; trial < 300; trial++) {
        const dtype = pick(random, DTYPES);
        const nd = int(random, 1, 4);
        const dim = int(random, 0, nd - 1);
        const shape = shapeOf(random, nd);
        const outShape = shape.map((s, d) => (d === dim ? int(random, 1, 4) : s + int(random, 0, 2)));
        const srcShape = shape.map((s) => s + int(random, 0, 1));
        const out = randomView(random, dtype, outShape, layout(random));
        const index = indexView(random, shape, outShape[dim]!, random() < 0.15);
        // A scalar src arrives broadcast: all strides 0.
        const src = random() < 0.2
          ? randomView(random, dtype, srcShape, { kind: "dense", broadcast: srcShape.map((_, d) => d) })
          : randomView(random, dtype, srcShape, layout(random));
        const what = `${add ? "scatterAdd" : "scatter"} dim ${dim} into ${describeView(out)} by ${describeView(index)}`;
        const run = (o: StridedView) => (add ? scatterAdd(o, dim, index, src) : scatter(o, dim, index, src));
        if (compare(what, out, run, (o) => DEFINITIONS.scatter(o, dim, index, src, add))) errors++;
      }
      expect(errors).toBeGreaterThan(10);
    });
  }

  it("indexSelect and indexAdd match their definitions", () => {
    const random = rng(34);
    let errors = 0;
    for (let trial = 0; trial < 400; trial++) {
      const dtype = pick(random, DTYPES);
      const nd = int(random, 1, 4);
      const dim = int(random, 0, nd - 1);
      const shape = shapeOf(random, nd);
      const other = shape.map((s, d) => (d === dim ? int(random, 1, 6) : s));
      const index = indexView(random, [shape[dim]!], other[dim]!, random() < 0.15);
      if (random() < 0.5) {
        const a = randomView(random, dtype, other, layout(random));
        const out = randomView(random, dtype, shape, layout(random));
        const what = `indexSelect dim ${dim} ${describeView(a)} by ${describeView(index)}`;
        if (compare(what, out, (o) => indexSelect(o, a, dim, index), (o) => DEFINITIONS.indexSelect(o, a, dim, index))) errors++;
      } else {
        const src = randomView(random, dtype, shape, layout(random));
        const out = randomView(random, dtype, other, layout(random));
        const what = `indexAdd dim ${dim} into ${describeView(out)} by ${describeView(index)}`;
        if (compare(what, out, (o) => indexAdd(o, dim, index, src), (o) => DEFINITIONS.indexAdd(o, dim, index, src))) errors++;
      }
    }
    expect(errors).toBeGreaterThan(10);
  });
});
