// The JS backend's elementwise fast paths (src/backend/js/fast_elementwise.ts) against the
// reference kernels (the *Reference functions of elementwise.ts), bit for bit, on random shapes
// and layouts: dense, permuted, stepped, offset, broadcast, size 0 and 1 dims, long odd tails,
// and values with NaN, -0, ±inf and subnormals. Each case also checks that the fast path was
// taken (or declined where it should be), so the comparison is never the reference with itself.

import { describe, expect, it } from "vitest";
import type { BinaryOp, StridedView, UnaryOp } from "../../src/backend/backend.js";
import {
  binary, binaryReference, copy, copyReference, fill, fillReference, unary, unaryReference, where, whereReference,
} from "../../src/backend/js/elementwise.js";
import { fastBinary, fastCopy, fastFill, fastUnary, fastWhere } from "../../src/backend/js/fast_elementwise.js";
import { jsBackend } from "../../src/backend/js/index.js";
import type { JsStorage } from "../../src/backend/js/storage.js";
import {
  bool, cloneView, describeView, expectSameBits, float32, float64, int, int32, int64, outLike, pick, randomShape, randomView,
  rng, value, type DType, type Random,
} from "./js_fast_testing.js";

const FLOATS = [float32, float64];
const ALL = [float32, float64, int64, int32, bool];

/** A random out layout and two (or more) input views of the same shape, some broadcast. */
function operands(random: Random, shape: number[], dtypes: DType[]): StridedView[] {
  return dtypes.map((dtype) => {
    const broadcast = shape.map((_, d) => d).filter(() => random() < 0.25);
    return randomView(random, dtype, shape, { kind: random() < 0.4 ? "dense" : "strided", broadcast });
  });
}

function outView(random: Random, shape: number[], dtype: DType): StridedView {
  return randomView(random, dtype, shape, { kind: random() < 0.5 ? "dense" : "strided" });
}

const ARITHMETIC: BinaryOp[] = ["add", "sub", "mul", "div", "pow", "atan2", "maximum", "minimum", "relu_backward"];
const COMPARISON: BinaryOp[] = ["eq", "ne", "lt", "le", "gt", "ge"];
const OTHER_BINARY: BinaryOp[] = [
  "floor_divide", "remainder", "fmod", "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
];

describe("fastBinary", () => {
  it("matches binaryReference bit for bit on float arithmetic and comparisons", () => {
    const random = rng(1);
    for (let trial = 0; trial < 600; trial++) {
      const op = pick(random, [...ARITHMETIC, ...COMPARISON]);
      const dtype = pick(random, FLOATS);
      const shape = randomShape(random);
      const [a, b] = operands(random, shape, [dtype, dtype]);
      const out = outView(random, shape, COMPARISON.includes(op) ? bool : dtype);
      const want = cloneView(out);
      const viaDispatch = cloneView(out);
      expect(fastBinary(op, out, a!, b!), `${op} ${describeView(a!)}`).toBe(true);
      binaryReference(op, want, a!, b!);
      binary(op, viaDispatch, a!, b!);
      const what = `${op}(${describeView(a!)}, ${describeView(b!)}) -> ${describeView(out)}`;
      expectSameBits(out, want, what);
      expectSameBits(viaDispatch, want, what);
    }
  });

  it("matches when out is one of its inputs (addmm adds the bias into its product)", () => {
    const random = rng(2);
    for (let trial = 0; trial < 60; trial++) {
      const dtype = pick(random, FLOATS);
      const shape = randomShape(random, 3, false);
      const [a, b] = operands(random, shape, [dtype, dtype]);
      const inPlace = randomView(random, dtype, shape, { kind: "dense" });
      const op = pick(random, ARITHMETIC);
      const want = cloneView(inPlace);
      // out = a + out, and out = out + b.
      const first = random() < 0.5;
      fastBinary(op, inPlace, first ? a! : inPlace, first ? inPlace : b!);
      binaryReference(op, want, first ? a! : want, first ? want : b!);
      expectSameBits(inPlace, want, `${op} in place`);
    }
  });

  it("takes exactly the float cases over any dtype mix, and declines the rest writing nothing", () => {
    const random = rng(3);
    let declined = 0;
    for (let trial = 0; trial < 400; trial++) {
      const shape = randomShape(random, 3);
      const op = pick(random, [...ARITHMETIC, ...COMPARISON, ...OTHER_BINARY]);
      const [da, db, dout] = [pick(random, ALL), pick(random, ALL), pick(random, ALL)];
      const [a, b] = operands(random, shape, [da, db]);
      const out = outView(random, shape, dout);
      const want = cloneView(out);
      const fits = (ARITHMETIC.includes(op) && dout === da) || (COMPARISON.includes(op) && dout === bool);
      const expected = FLOATS.includes(da) && da === db && fits;
      const what = `${op} ${da.name} ${db.name} -> ${dout.name}`;
      expect(fastBinary(op, out, a!, b!), what).toBe(expected);
      if (expected) binaryReference(op, want, a!, b!);
      else declined++;
      expectSameBits(out, want, what);
    }
    expect(declined).toBeGreaterThan(100);
  });
});

const FAST_UNARY: UnaryOp[] = [
  "neg", "abs", "sign", "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos", "tanh",
  "sigmoid", "relu", "floor", "ceil", "trunc", "frac", "reciprocal", "square",
];
const OTHER_UNARY: UnaryOp[] = [
  "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "round", "erf", "erfc", "erfinv",
];
const PREDICATES: UnaryOp[] = ["isnan", "isinf", "isfinite", "signbit", "logical_not"];

describe("fastUnary", () => {
  it("matches unaryReference bit for bit (float32 sigmoid rounding each step included)", () => {
    const random = rng(4);
    for (let trial = 0; trial < 500; trial++) {
      const op = pick(random, FAST_UNARY);
      const dtype = pick(random, FLOATS);
      const shape = randomShape(random);
      const [a] = operands(random, shape, [dtype]);
      const out = outView(random, shape, dtype);
      const want = cloneView(out);
      const viaDispatch = cloneView(out);
      expect(fastUnary(op, out, a!), op).toBe(true);
      unaryReference(op, want, a!);
      unary(op, viaDispatch, a!);
      const what = `${op}(${describeView(a!)}) -> ${describeView(out)}`;
      expectSameBits(out, want, what);
      expectSameBits(viaDispatch, want, what);
    }
  });

  it("keeps relu's NaN and -0 and sign's zeros exactly", () => {
    const specials = [NaN, -0, 0, -Infinity, Infinity, -1e-45, 1e-45, -2, 3];
    for (const dtype of FLOATS) {
      const a = jsBackend.allocate(dtype, specials.length) as JsStorage;
      (a.data as Float64Array).set(specials);
      const view = { storage: a, offset: 0, shape: [specials.length], strides: [1] };
      for (const op of ["relu", "sign"] as const) {
        const out = { ...view, storage: jsBackend.allocate(dtype, specials.length) };
        fastUnary(op, out, view);
        const got = Array.from((out.storage as JsStorage).data as Float64Array);
        const want = op === "relu" ? [NaN, -0, 0, 0, Infinity, 0, 1e-45, 0, 3] : [0, 0, 0, -1, 1, -1, 1, -1, 1];
        want.forEach((w, i) => expect(Object.is(got[i], dtype === float32 ? Math.fround(w) : w), `${op}(${specials[i]}) on ${dtype.name}: ${got[i]}`).toBe(true));
      }
    }
  });

  it("declines the ops it has no loop for, predicates and non-float dtypes", () => {
    const random = rng(5);
    for (const op of [...OTHER_UNARY, ...PREDICATES]) {
      const [a] = operands(random, [3, 5], [float32]);
      const out = outView(random, [3, 5], PREDICATES.includes(op) ? bool : float32);
      expect(fastUnary(op, out, a!), op).toBe(false);
    }
    for (const dtype of [int32, int64]) {
      const [a] = operands(random, [4], [dtype]);
      expect(fastUnary("neg", outView(random, [4], dtype), a!)).toBe(false);
    }
  });
});

describe("fastCopy", () => {
  it("matches copyReference bit for bit for every dtype pair it takes, and declines the rest", () => {
    const random = rng(6);
    let taken = 0;
    for (let trial = 0; trial < 700; trial++) {
      const dst = pick(random, ALL);
      const src = pick(random, ALL);
      const shape = randomShape(random);
      const [a] = operands(random, shape, [src]);
      const out = outView(random, shape, dst);
      const want = cloneView(out);
      const took = fastCopy(out, a!);
      const numel = shape.reduce((p, s) => p * s, 1);
      const expected = numel === 0 || (FLOATS.includes(dst) && src !== int64) || (dst === src && isDenseView(out) && isDenseView(a!));
      expect(took, `${src.name} -> ${dst.name} ${describeView(a!)} -> ${describeView(out)}`).toBe(expected);
      if (!took) {
        expectSameBits(out, want, "declined: untouched");
        continue;
      }
      taken++;
      copyReference(want, a!);
      expectSameBits(out, want, `copy ${describeView(a!)} -> ${describeView(out)}`);
      const viaDispatch = outLike(random, out, dst);
      const viaWant = cloneView(viaDispatch);
      copy(viaDispatch, a!);
      copyReference(viaWant, a!);
      expectSameBits(viaDispatch, viaWant, "copy()");
    }
    expect(taken).toBeGreaterThan(200);
  });

  it("copies transposed 2-D sources tile by tile, any size and offset", () => {
    const random = rng(7);
    for (const [rows, cols] of [[32, 32], [33, 70], [64, 31], [100, 129], [256, 40]] as const) {
      for (const dtype of FLOATS) {
        const offset = int(random, 0, 5);
        const storage = jsBackend.allocate(dtype, offset + rows * cols + 3) as JsStorage;
        for (let i = 0; i < storage.length; i++) (storage.data as Float64Array)[i] = value(random, dtype) as number;
        // The (rows, cols) transpose of a (cols, rows) row-major matrix.
        const src = { storage, offset, shape: [rows, cols], strides: [1, rows] };
        const out = randomView(random, dtype, [rows, cols], { kind: "dense" });
        const want = cloneView(out);
        expect(fastCopy(out, src)).toBe(true);
        copyReference(want, src);
        expectSameBits(out, want, `transposed ${rows}x${cols} ${dtype.name}`);
      }
    }
  });

  it("copies between overlapping views of one storage in the reference's order", () => {
    const random = rng(8);
    for (const dtype of FLOATS) {
      for (const shift of [1, -1, 5]) {
        for (const shape of [[40], [7, 9], [40, 40]]) {
          const n = shape.reduce((p, s) => p * s, 1);
          const storage = jsBackend.allocate(dtype, n + 10) as JsStorage;
          for (let i = 0; i < storage.length; i++) (storage.data as Float64Array)[i] = value(random, dtype) as number;
          const strides = shape.length === 1 ? [1] : [shape[1]!, 1];
          const transposedStrides = shape.length === 1 ? [1] : [1, shape[0]!];
          for (const srcStrides of [strides, transposedStrides]) {
            const make = (s: JsStorage) => ({
              out: { storage: s, offset: 5 + shift, shape, strides },
              src: { storage: s, offset: 5, shape, strides: srcStrides },
            });
            const fast = make(storage);
            const ref = make(cloneView(fast.out).storage as JsStorage);
            fastCopy(fast.out, fast.src);
            copyReference(ref.out, ref.src);
            expectSameBits(fast.out, ref.out, `overlap shift ${shift} [${shape}] src strides [${srcStrides}]`);
          }
        }
      }
    }
  });
});

function isDenseView(v: StridedView): boolean {
  let expected = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    if (v.shape[d] === 1) continue;
    if (v.strides[d] !== expected) return false;
    expected *= v.shape[d]!;
  }
  return true;
}

describe("fastFill", () => {
  it("fills dense views like fillReference, and declines the others", () => {
    const random = rng(9);
    for (let trial = 0; trial < 300; trial++) {
      const dtype = pick(random, ALL);
      const shape = randomShape(random);
      const out = outView(random, shape, dtype);
      const v = value(random, dtype);
      const want = cloneView(out);
      const took = fastFill(out, v);
      expect(took).toBe(isDenseView(out));
      if (!took) continue;
      fillReference(want, v);
      expectSameBits(out, want, `fill ${String(v)} ${describeView(out)}`);
      const viaDispatch = outLike(random, out, dtype);
      const viaWant = cloneView(viaDispatch);
      fill(viaDispatch, v);
      fillReference(viaWant, v);
      expectSameBits(viaDispatch, viaWant, "fill()");
    }
  });
});

describe("fastWhere", () => {
  it("matches whereReference bit for bit on float operands, broadcast included", () => {
    const random = rng(10);
    for (let trial = 0; trial < 300; trial++) {
      const dtype = pick(random, FLOATS);
      const shape = randomShape(random);
      const [c, a, b] = operands(random, shape, [bool, dtype, dtype]);
      const out = outView(random, shape, dtype);
      const want = cloneView(out);
      const viaDispatch = cloneView(out);
      expect(fastWhere(out, c!, a!, b!)).toBe(true);
      whereReference(want, c!, a!, b!);
      where(viaDispatch, c!, a!, b!);
      expectSameBits(out, want, `where ${describeView(c!)} ${describeView(a!)} ${describeView(b!)}`);
      expectSameBits(viaDispatch, want, "where()");
    }
  });

  it("declines non-float operands", () => {
    const random = rng(11);
    for (const dtype of [int32, int64, bool]) {
      const [c, a, b] = operands(random, [3, 4], [bool, dtype, dtype]);
      expect(fastWhere(outView(random, [3, 4], dtype), c!, a!, b!)).toBe(false);
    }
  });
});
