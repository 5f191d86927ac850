/**
 * Fast paths of the JS backend's elementwise kernels, for the dtypes and ops a training step
 * runs: float32 and float64 arithmetic, comparisons, common unary functions, same-dtype and
 * to-float copies, fills of dense views, and `where`.
 *
 * Why: the reference kernels in elementwise.ts run every op through one shared loop that calls
 * the op's function per element; that call site sees every op and dtype, so V8 cannot inline
 * it (16 ns per element measured for `w.mul(2)` on 401K float32 elements, about 1 ns here).
 * Here a table gives each op a loop of its own, called once per run of the innermost dimension. The walk over the outer dimensions is the reference's (`forEachRun`), so
 * every layout (broadcast, transposed, offset) takes these paths and elements are visited in
 * the same order.
 *
 * Each returns false where it does not apply, and the caller runs the reference kernel. The
 * expressions are the reference's, evaluated in binary64 and rounded once when stored, so the
 * results are the same bit for bit, NaN and -0 included (test/backend/js_fast_elementwise.test.ts).
 */

import type { BinaryOp, StridedView, UnaryOp } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { dataOf, forEachRun, isDense } from "./storage.js";

type FloatArray = Float32Array | Float64Array;
type NumberArray = Exclude<TypedArray, BigInt64Array>;

function isFloat(a: TypedArray): a is FloatArray {
  return a instanceof Float32Array || a instanceof Float64Array;
}

/**
 * A run of `n` elements: `o[po + i·so] = op(x[pa + i·sa], y[pb + i·sb])`. One small function per
 * op, so that V8 optimizes each loop on its own (one function with a case per op ran 2.5x slower).
 */
type BinaryRow<O> = (o: O, po: number, so: number, x: FloatArray, pa: number, sa: number, y: FloatArray, pb: number, sb: number, n: number) => void;

/** [value, 0]: a branch-free `cond ? 0 : value` indexes it with the comparison (relu and its backward). */
const PICK = new Float64Array(2);

const ARITHMETIC: Partial<Record<BinaryOp, BinaryRow<FloatArray>>> = {
  add: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    if (so === 1 && sa === 1 && sb === 1) {
      for (let i = 0; i < n; i++) o[po + i] = x[pa + i] + y[pb + i];
      return;
    }
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = x[pa] + y[pb];
  },
  sub: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    if (so === 1 && sa === 1 && sb === 1) {
      for (let i = 0; i < n; i++) o[po + i] = x[pa + i] - y[pb + i];
      return;
    }
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = x[pa] - y[pb];
  },
  mul: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    if (so === 1 && sa === 1 && sb === 1) {
      for (let i = 0; i < n; i++) o[po + i] = x[pa + i] * y[pb + i];
      return;
    }
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = x[pa] * y[pb];
  },
  div: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    if (so === 1 && sa === 1 && sb === 1) {
      for (let i = 0; i < n; i++) o[po + i] = x[pa + i] / y[pb + i];
      return;
    }
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = x[pa] / y[pb];
  },
  pow: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = Math.pow(x[pa], y[pb]);
  },
  atan2: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = Math.atan2(x[pa], y[pb]);
  },
  relu_backward: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    // The reference's `y <= 0 ? 0 : x`, picked from [x, 0] by the comparison rather than
    // branched on: the outputs of a relu are zero at random, and the branch mispredicted
    // (16K elements: 101 µs as a branch, 38 µs this way).
    const pick = PICK;
    pick[1] = 0;
    if (so === 1 && sa === 1 && sb === 1) {
      for (let i = 0; i < n; i++) {
        pick[0] = x[pa + i];
        o[po + i] = pick[+(y[pb + i] <= 0)];
      }
      return;
    }
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) {
      pick[0] = x[pa];
      o[po] = pick[+(y[pb] <= 0)];
    }
  },
  maximum: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) {
      const u = x[pa];
      const v = y[pb];
      o[po] = u !== u || v !== v ? NaN : Math.max(u, v);
    }
  },
  minimum: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) {
      const u = x[pa];
      const v = y[pb];
      o[po] = u !== u || v !== v ? NaN : Math.min(u, v);
    }
  },
};

// `+(x < y)` rather than `x < y ? 1 : 0`: V8 compiles the ternary to a branch, which data of
// random sign mispredicts half the time (gt(0) on 16K elements: 86 µs, 18 µs this way).
const COMPARISON: Partial<Record<BinaryOp, BinaryRow<Uint8Array>>> = {
  eq: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = +(x[pa] === y[pb]);
  },
  ne: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = +(x[pa] !== y[pb]);
  },
  lt: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = +(x[pa] < y[pb]);
  },
  le: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = +(x[pa] <= y[pb]);
  },
  gt: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = +(x[pa] > y[pb]);
  },
  ge: (o, po, so, x, pa, sa, y, pb, sb, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa, pb += sb) o[po] = +(x[pa] >= y[pb]);
  },
};

/** `out = op(a, b)` for float a and b of one dtype: arithmetic into that dtype, comparisons into bool. */
export function fastBinary(op: BinaryOp, out: StridedView, a: StridedView, b: StridedView): boolean {
  const o = dataOf(out);
  const x = dataOf(a);
  const y = dataOf(b);
  if (!isFloat(x) || y.constructor !== x.constructor) return false;
  const yy = y as FloatArray;
  const arithmetic = ARITHMETIC[op];
  if (arithmetic && o.constructor === x.constructor) {
    const oo = o as FloatArray;
    if (!binaryRows(arithmetic, oo, out, x, a, yy, b)) binaryWalk(arithmetic, oo, out, x, a, yy, b);
    return true;
  }
  const comparison = COMPARISON[op];
  if (comparison && o instanceof Uint8Array) {
    if (!binaryRows(comparison, o, out, x, a, yy, b)) binaryWalk(comparison, o, out, x, a, yy, b);
    return true;
  }
  return false;
}

/**
 * `row` over views of any rank, run by run (forEachRun). A function of its own rather than a
 * closure in fastBinary: with the closure there (capturing the arrays), the row loop V8
 * inlined into fastBinary through binaryRows ran 4 ns an element, 1.4 without it (a process
 * running mul on a dense 64x256 float32; other callers inline differently).
 */
function binaryWalk<O>(
  row: BinaryRow<O>, o: O, out: StridedView, x: FloatArray, a: StridedView, y: FloatArray, b: StridedView,
): void {
  forEachRun(out.shape, [out.offset, a.offset, b.offset], [out.strides, a.strides, b.strides], (p, n, s) => row(o, p[0], s[0], x, p[1], s[1], y, p[2], s[2], n));
}

/**
 * `row` over views of at most two dims, called row by row (or once, when the rows continue
 * each other in all three views): the runs and order of `forEachRun`, without its arrays and
 * callback. Why: most tensors of a small model have one or two dims, and there the general
 * walk's set-up (0.1-0.3 µs) was most of an op on a dozen elements. False for more dims.
 */
function binaryRows<O>(
  row: BinaryRow<O>, o: O, out: StridedView, x: FloatArray, a: StridedView, y: FloatArray, b: StridedView,
): boolean {
  const nd = out.shape.length;
  if (nd > 2) return false;
  if (nd === 0) {
    row(o, out.offset, 0, x, a.offset, 0, y, b.offset, 0, 1);
    return true;
  }
  const cols = out.shape[nd - 1]!;
  const so = out.strides[nd - 1]!;
  const sa = a.strides[nd - 1]!;
  const sb = b.strides[nd - 1]!;
  if (nd === 1) {
    row(o, out.offset, so, x, a.offset, sa, y, b.offset, sb, cols);
    return true;
  }
  const rows = out.shape[0]!;
  // (Three consts, not `const [ro, ra, rb] = [...]`: with that destructuring here V8 compiled
  // the row loop it inlined into this function ~3x slower, 4.5 against 1.5 ns an element, in a
  // process running one op on a dense 64x256 float32; V8's inlining varies with the callers,
  // so this is a measured case, not a rule.)
  const ro = out.strides[0]!;
  const ra = a.strides[0]!;
  const rb = b.strides[0]!;
  if (ro === so * cols && ra === sa * cols && rb === sb * cols) {
    row(o, out.offset, so, x, a.offset, sa, y, b.offset, sb, rows * cols);
    return true;
  }
  for (let i = 0; i < rows; i++) row(o, out.offset + i * ro, so, x, a.offset + i * ra, sa, y, b.offset + i * rb, sb, cols);
  return true;
}

/** A run of `n` elements: `o[po + i·so] = op(x[pa + i·sa])`, one function per op as above. */
type UnaryRow = (o: FloatArray, po: number, so: number, x: FloatArray, pa: number, sa: number, n: number) => void;

const r = Math.fround;

const UNARY: Partial<Record<UnaryOp | "sigmoid32", UnaryRow>> = {
  neg: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = -x[pa];
  },
  sign: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) {
      const v = x[pa];
      o[po] = +(v > 0) - +(v < 0);
    }
  },
  rsqrt: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = 1 / Math.sqrt(x[pa]);
  },
  sigmoid: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = 1 / (1 + Math.exp(-x[pa]));
  },
  // float32 sigmoid rounds each step, as the reference's f32 kernel.
  sigmoid32: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = r(1 / r(1 + r(Math.exp(-x[pa]))));
  },
  relu: (o, po, so, x, pa, sa, n) => {
    // The reference's `x < 0 ? 0 : x` (NaN and -0 kept), without a branch: on activations,
    // half of them negative at random, the branch mispredicts every other element (16K
    // elements: 108 µs as a branch, 42 µs picking from [x, 0] by the comparison).
    const pick = PICK;
    pick[1] = 0;
    if (so === 1 && sa === 1) {
      for (let i = 0; i < n; i++) {
        const v = x[pa + i];
        pick[0] = v;
        o[po + i] = pick[+(v < 0)];
      }
      return;
    }
    for (let i = 0; i < n; i++, po += so, pa += sa) {
      const v = x[pa];
      pick[0] = v;
      o[po] = pick[+(v < 0)];
    }
  },
  frac: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) {
      const v = x[pa];
      o[po] = v - Math.trunc(v);
    }
  },
  reciprocal: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = 1 / x[pa];
  },
  square: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) {
      const v = x[pa];
      o[po] = v * v;
    }
  },
  // Math's functions, each in a loop of its own so that V8 inlines it.
  abs: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.abs(x[pa]);
  },
  exp: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.exp(x[pa]);
  },
  expm1: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.expm1(x[pa]);
  },
  log: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.log(x[pa]);
  },
  log2: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.log2(x[pa]);
  },
  log10: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.log10(x[pa]);
  },
  log1p: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.log1p(x[pa]);
  },
  sqrt: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.sqrt(x[pa]);
  },
  sin: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.sin(x[pa]);
  },
  cos: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.cos(x[pa]);
  },
  tanh: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.tanh(x[pa]);
  },
  floor: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.floor(x[pa]);
  },
  ceil: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.ceil(x[pa]);
  },
  trunc: (o, po, so, x, pa, sa, n) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = Math.trunc(x[pa]);
  },
};

/** `out = op(a)` for a float a and an out of its dtype. */
export function fastUnary(op: UnaryOp, out: StridedView, a: StridedView): boolean {
  const o = dataOf(out);
  const x = dataOf(a);
  const row = UNARY[op === "sigmoid" && o instanceof Float32Array ? "sigmoid32" : op];
  if (!row || !isFloat(x) || o.constructor !== x.constructor) return false;
  const oo = o as FloatArray;
  const nd = out.shape.length;
  if (nd <= 1) {
    // (One or no dim: a single run, as forEachRun would make it.)
    row(oo, out.offset, nd === 0 ? 0 : out.strides[0]!, x, a.offset, nd === 0 ? 0 : a.strides[0]!, nd === 0 ? 1 : out.shape[0]!);
    return true;
  }
  if (nd === 2) {
    // Two dims, as binaryRows: forEachRun's runs in its order, without its arrays and callback
    // (a [4, 3] relu spent a fifth of its 0.2 µs there).
    const rows = out.shape[0]!;
    const cols = out.shape[1]!;
    const o0 = out.strides[0]!;
    const o1 = out.strides[1]!;
    const a0 = a.strides[0]!;
    const a1 = a.strides[1]!;
    if (rows === 0 || cols === 0) return true;
    if (rows === 1 || (o0 === o1 * cols && a0 === a1 * cols)) row(oo, out.offset, o1, x, a.offset, a1, rows * cols);
    else if (cols === 1) row(oo, out.offset, o0, x, a.offset, a0, rows);
    else for (let i = 0; i < rows; i++) row(oo, out.offset + i * o0, o1, x, a.offset + i * a0, a1, cols);
    return true;
  }
  forEachRun(out.shape, [out.offset, a.offset], [out.strides, a.strides], (p, n, s) => row(oo, p[0], s[0], x, p[1], s[1], n));
  return true;
}

/**
 * `out = src` where no element needs the reference's casts: same dtype (a block copy when both
 * are dense, a tiled walk for a transposed 2-D source), or a float out from any non-int64 src
 * (the typed array's store is the cast: bool and int32 values are exact in float32 and float64).
 */
export function fastCopy(out: StridedView, src: StridedView): boolean {
  const o = dataOf(out);
  const a = dataOf(src);
  const n = numel(out.shape);
  if (n === 0) return true;
  // Views of one storage that overlap are copied in the reference's order (below), not by
  // `set`, which copies as if through a temporary.
  if (o.constructor === a.constructor && o !== a && isDense(out.shape, out.strides) && isDense(src.shape, src.strides)) {
    (o as Float64Array).set((a as Float64Array).subarray(src.offset, src.offset + n), out.offset);
    return true;
  }
  if (!isFloat(o) || a instanceof BigInt64Array) return false;
  const x = a as NumberArray;
  if (o !== a && transposedCopy(o, out, x, src)) return true;
  forEachRun(out.shape, [out.offset, src.offset], [out.strides, src.strides], ([po, pa], n, [so, sa]) => {
    for (let i = 0; i < n; i++, po += so, pa += sa) o[po] = x[pa];
  });
  return true;
}

/** Rows and columns of a tile: 32x32 float32 is 4 KiB, whose source lines stay in L1. */
const TILE = 32;

/**
 * A dense 2-D out from a 2-D source walked across its memory (`w.t().contiguous()`, the
 * gradient of a weight used transposed): the row-major walk reads one element per cache line,
 * so copy tile by tile. The writes leave row-major order, which only views of one storage (not
 * taken here) could see.
 */
function transposedCopy(o: FloatArray, out: StridedView, x: NumberArray, src: StridedView): boolean {
  if (out.shape.length !== 2 || !isDense(out.shape, out.strides)) return false;
  const [rows, cols] = out.shape as [number, number];
  const [sr, sc] = src.strides as [number, number];
  if (rows < TILE || cols < TILE || Math.abs(sc) <= 1) return false;
  const po = out.offset;
  const pa = src.offset;
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(r0 + TILE, rows);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(c0 + TILE, cols);
      for (let r = r0; r < r1; r++) {
        let q = po + r * cols + c0;
        let p = pa + r * sr + c0 * sc;
        for (let c = c0; c < c1; c++, q++, p += sc) o[q] = x[p];
      }
    }
  }
  return true;
}

/** A dense out is one `TypedArray.fill`, which stores `value` as an element store does. */
export function fastFill(out: StridedView, value: number | bigint): boolean {
  if (!isDense(out.shape, out.strides)) return false;
  const o = dataOf(out) as Float64Array;
  o.fill(value as number, out.offset, out.offset + numel(out.shape));
  return true;
}

/** `out = cond ? a : b` for float a, b and out of one dtype. */
export function fastWhere(out: StridedView, cond: StridedView, a: StridedView, b: StridedView): boolean {
  const o = dataOf(out);
  const c = dataOf(cond);
  const x = dataOf(a);
  const y = dataOf(b);
  if (!isFloat(o) || !(c instanceof Uint8Array) || x.constructor !== o.constructor || y.constructor !== o.constructor) return false;
  const xx = x as FloatArray;
  const yy = y as FloatArray;
  forEachRun(
    out.shape,
    [out.offset, cond.offset, a.offset, b.offset],
    [out.strides, cond.strides, a.strides, b.strides],
    ([po, pc, pa, pb], n, [so, sc, sa, sb]) => {
      for (let i = 0; i < n; i++, po += so, pc += sc, pa += sa, pb += sb) o[po] = c[pc] ? xx[pa] : yy[pb];
    },
  );
  return true;
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d]!;
  return n;
}
