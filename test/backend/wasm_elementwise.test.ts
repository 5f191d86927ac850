// The WebAssembly backend's elementwise kernels (src/backend/wasm/elementwise.ts: relu,
// relu_backward, add / sub / mul / div dense or against a bias row, column sums) against the JS
// backend's kernels, bit for bit: random sizes with odd tails, sizes around MIN_ELEMENTS, size 0,
// values with NaN, ±0, ±inf and subnormals, offsets, a bias row on either side, in-place outs.
// Kernels built with a threshold of 1 take every size; each case checks that the kernel ran
// (or declined where it should: strided views, other dtypes, overlaps), so the comparison is
// never JS with itself; the declined cases go through the backend and must still match.

import { describe, expect, it, vi } from "vitest";
import type { BinaryOp, StridedView } from "../../src/backend/backend.js";
import { jsBackend } from "../../src/backend/js/index.js";
import type { JsStorage } from "../../src/backend/js/storage.js";
import { MIN_ELEMENTS, WasmElementwise } from "../../src/backend/wasm/elementwise.js";
import { wasmBackend } from "../../src/backend/wasm/index.js";
import {
  cloneView, describeView, expectSameBits, float32, float64, int, pick, randomShape, randomView, rng, value, type DType,
  type Random,
} from "./js_fast_testing.js";

const OPS: BinaryOp[] = ["add", "sub", "mul", "div", "relu_backward"];

/** A dense view of `shape` at a random offset in a storage of random values (sentinels around it). */
function dense(random: Random, shape: readonly number[], dtype: DType = float32): StridedView {
  const strides = shape.map(() => 0);
  let span = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = span;
    span *= shape[d]!;
  }
  const offset = int(random, 0, 3);
  const storage = jsBackend.allocate(dtype, offset + span + int(random, 0, 2)) as JsStorage;
  const data = storage.data as Float32Array;
  for (let i = 0; i < data.length; i++) data[i] = value(random, dtype) as number;
  return { storage, offset, shape: [...shape], strides };
}

/** A bias row: out's last dim stored once and read with stride 0 along every other dim. */
function row(random: Random, shape: readonly number[]): StridedView {
  const cols = shape[shape.length - 1]!;
  const view = dense(random, [cols]);
  return { ...view, shape: [...shape], strides: shape.map((_, d) => (d === shape.length - 1 ? 1 : 0)) };
}

/** Element counts: odd tails (n % 4 of 1, 2, 3), around MIN_ELEMENTS, and a few long ones. */
function count(random: Random): number {
  const r = random();
  if (r < 0.3) return int(random, 1, 13);
  if (r < 0.6) return MIN_ELEMENTS + int(random, -5, 5);
  return int(random, 14, 3000);
}

/** [rows, cols] of about n elements, or [n], or [a, b, cols] (the op sees only the element order). */
function shapeOf(random: Random, n: number): number[] {
  const cols = int(random, 1, Math.min(n, 70));
  const rows = Math.max(1, Math.round(n / cols));
  const r = random();
  return r < 0.3 ? [n] : r < 0.7 ? [rows, cols] : [1, rows, cols];
}

/** Runs `wasm` (which must take the call) and `js` on copies of one out, and compares every byte. */
function expectSame(what: string, out: StridedView, wasm: (o: StridedView) => boolean, js: (o: StridedView) => void): void {
  const got = cloneView(out);
  const want = cloneView(out);
  expect(wasm(got), `${what}: the kernel declined`).toBe(true);
  js(want);
  expectSameBits(got, want, what);
}

const kernels = wasmBackend === null ? null : new WasmElementwise(1);

describe.skipIf(kernels === null)("wasm elementwise kernels", () => {
  const k = kernels!;

  it("relu matches the JS kernel bit for bit (NaN and -0 kept)", () => {
    const random = rng(1);
    for (let trial = 0; trial < 200; trial++) {
      const shape = shapeOf(random, count(random));
      const a = dense(random, shape);
      const what = `relu(${describeView(a)})`;
      expectSame(what, dense(random, shape), (o) => k.unary("relu", o, a), (o) => jsBackend.unary("relu", o, a));
    }
  });

  it("add, sub, mul, div and relu_backward of dense views match the JS kernels bit for bit", () => {
    const random = rng(2);
    for (let trial = 0; trial < 400; trial++) {
      const op = pick(random, OPS);
      const shape = shapeOf(random, count(random));
      const [a, b] = [dense(random, shape), dense(random, shape)];
      const what = `${op}(${describeView(a)}, ${describeView(b)})`;
      expectSame(what, dense(random, shape), (o) => k.binary(op, o, a, b), (o) => jsBackend.binary(op, o, a, b));
    }
  });

  it("relu_backward picks as the JS kernel on every sign of zero, NaN and infinity", () => {
    const special = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 1, -1];
    const n = special.length ** 2;
    const [g, y] = [dense(rng(3), [n]), dense(rng(4), [n])];
    for (let i = 0; i < n; i++) {
      (g.storage as JsStorage).data[g.offset + i] = special[i % special.length]!;
      (y.storage as JsStorage).data[y.offset + i] = special[Math.floor(i / special.length)]!;
    }
    const out = dense(rng(5), [n]);
    expectSame("relu_backward(special, special)", out, (o) => k.binary("relu_backward", o, g, y), (o) => jsBackend.binary("relu_backward", o, g, y));
    expectSame("relu(special)", out, (o) => k.unary("relu", o, y), (o) => jsBackend.unary("relu", o, y));
  });

  it("add, sub, mul and div against a bias row (on either side, or both) match the JS kernels", () => {
    const random = rng(6);
    for (let trial = 0; trial < 200; trial++) {
      const op = pick(random, OPS.slice(0, 4));
      const shape = random() < 0.8 ? [int(random, 1, 70), int(random, 1, 300)] : [int(random, 1, 4), int(random, 1, 9), int(random, 1, 40)];
      const bias = row(random, shape);
      const other = random() < 0.2 ? row(random, shape) : dense(random, shape);
      const [a, b] = random() < 0.5 ? [bias, other] : [other, bias];
      const what = `${op}(${describeView(a)}, ${describeView(b)})`;
      expectSame(what, dense(random, shape), (o) => k.binary(op, o, a, b), (o) => jsBackend.binary(op, o, a, b));
    }
  });

  it("add, sub, mul and div against a scalar (a 0-d tensor broadcast: every stride 0) match the JS kernels", () => {
    const random = rng(13);
    for (let trial = 0; trial < 200; trial++) {
      const op = pick(random, OPS.slice(0, 4));
      const shape = shapeOf(random, count(random));
      const one = dense(random, [1]);
      const scalar: StridedView = { ...one, shape: [...shape], strides: shape.map(() => 0) };
      const other = random() < 0.2 ? row(random, shape) : random() < 0.1 ? scalar : dense(random, shape);
      const [a, b] = random() < 0.5 ? [scalar, other] : [other, scalar];
      const what = `${op}(${describeView(a)}, ${describeView(b)})`;
      expectSame(what, dense(random, shape), (o) => k.binary(op, o, a, b), (o) => jsBackend.binary(op, o, a, b));
    }
    // In place over out, the scalar from another storage (t.mul_(0.5)).
    const out = dense(random, [17, 23]);
    const half: StridedView = { ...dense(random, [1]), shape: [17, 23], strides: [0, 0] };
    const [got, want] = [cloneView(out), cloneView(out)];
    expect(k.binary("mul", got, got, half)).toBe(true);
    jsBackend.binary("mul", want, want, half);
    expectSameBits(got, want, "mul_ by a scalar");
  });

  it("writes in place over an operand that is out itself (the bias add of addmm: out = bias + out)", () => {
    const random = rng(7);
    for (const op of OPS) {
      const shape = [13, 37];
      const out = dense(random, shape);
      const other = op === "relu_backward" ? dense(random, shape) : row(random, shape);
      const [got, want] = [cloneView(out), cloneView(out)];
      expect(k.binary(op, got, other, got)).toBe(true);
      jsBackend.binary(op, want, other, want);
      expectSameBits(got, want, `${op} in place`);
    }
    const out = dense(random, [301]);
    const [got, want] = [cloneView(out), cloneView(out)];
    expect(k.unary("relu", got, got)).toBe(true);
    jsBackend.unary("relu", want, want);
    expectSameBits(got, want, "relu_ in place");
  });

  it("sums over leading dims match the JS kernel bit for bit (binary64, rows in order)", () => {
    const random = rng(8);
    for (let trial = 0; trial < 200; trial++) {
      // [outer, reduced, inner] with size-1 dims among them; at least two rows and two columns (else there is nothing to add up, or nothing beside it).
      const [outer, reduced, inner] = [random() < 0.7 ? 1 : int(random, 2, 5), int(random, 2, 70), int(random, 2, 300)];
      const split = random() < 0.3 && inner % 2 === 0;
      const shape = [outer, 1, reduced, ...(split ? [2, inner / 2] : [inner])];
      const a = dense(random, shape);
      const outShape = shape.map((s, d) => (d === 1 || d === 2 ? 1 : s));
      const dims = [1, 2];
      const what = `sum(${describeView(a)}, ${dims})`;
      expectSame(what, dense(random, outShape), (o) => k.reduce("sum", o, a, dims), (o) => jsBackend.reduce("sum", o, a, dims));
    }
  });

  it("sums where the binary64 order shows: cancellations, infinities, NaN", () => {
    const values = [1e8, 1, -1e8, 3e38, 3e38, -Infinity, Infinity, NaN, 1e-45, -0];
    const a = dense(rng(9), [values.length, 6]);
    for (let i = 0; i < values.length * 6; i++) (a.storage as JsStorage).data[a.offset + i] = values[(i * 7) % values.length]! * (i % 6 === 0 ? 1 : -1);
    expectSame("sum(special, 0)", dense(rng(10), [1, 6]), (o) => k.reduce("sum", o, a, [0]), (o) => jsBackend.reduce("sum", o, a, [0]));
  });

  it("declines what it does not run: strided or broadcast views, other dtypes and ops, overlaps, size 0, row sums", () => {
    const random = rng(11);
    const shape = [9, 33];
    const stepped: StridedView = { ...dense(random, [9, 66]), shape, strides: [66, 2] };
    const swapped: StridedView = { ...dense(random, [33, 9]), shape, strides: [1, 9] };
    const columnBias: StridedView = { ...dense(random, [9]), shape, strides: [1, 0] };
    const full = dense(random, shape);
    const out = dense(random, shape);
    expect(k.binary("add", out, swapped, full)).toBe(false);
    expect(k.binary("mul", out, full, columnBias)).toBe(false);
    expect(k.binary("relu_backward", out, full, row(random, shape))).toBe(false);
    expect(k.binary("maximum", out, full, full)).toBe(false);
    expect(k.binary("add", dense(random, shape, float64), dense(random, shape, float64), dense(random, shape, float64))).toBe(false);
    expect(k.unary("relu", stepped, full)).toBe(false);
    expect(k.unary("neg", out, full)).toBe(false);
    // Out overlapping an input one element along, or reading a bias row out of its own storage.
    const overlap: StridedView = { ...out, offset: out.offset + 1, shape: [8, 33] };
    expect(k.binary("add", { ...out, shape: [8, 33] }, overlap, { ...full, shape: [8, 33] })).toBe(false);
    expect(k.binary("add", out, { ...out, strides: [0, 1] }, full)).toBe(false);
    // A scalar read out of out's own storage: JS's in-place loop would see it change midway.
    expect(k.binary("mul", out, out, { ...out, strides: [0, 0] })).toBe(false);
    expect(k.binary("relu_backward", out, full, { ...dense(random, [1]), shape, strides: [0, 0] })).toBe(false);
    expect(k.unary("relu", dense(random, [0, 5]), dense(random, [0, 5]))).toBe(false);
    expect(k.reduce("sum", dense(random, [9, 1]), full, [1])).toBe(false);
    expect(k.reduce("amax", dense(random, [1, 33]), full, [0])).toBe(false);
    expect(k.reduce("sum", dense(random, [1, 33]), stepped, [0])).toBe(false);
    expect(new WasmElementwise().binary("add", dense(random, [MIN_ELEMENTS - 1]), dense(random, [MIN_ELEMENTS - 1]), dense(random, [MIN_ELEMENTS - 1]))).toBe(false);
    expect(new WasmElementwise().binary("add", dense(random, [MIN_ELEMENTS]), dense(random, [MIN_ELEMENTS]), dense(random, [MIN_ELEMENTS]))).toBe(true);
  });
});

describe.skipIf(wasmBackend === null)("the wasm backend's unary, binary and reduce", () => {
  const backend = wasmBackend!;

  it("match the JS backend bit for bit on random layouts and sizes, taken or declined", () => {
    const random = rng(12);
    const calls = (["unary", "binary", "reduce"] as const).map((m) => vi.spyOn(WasmElementwise.prototype, m));
    for (let trial = 0; trial < 300; trial++) {
      const kind = random() < 0.5 ? "dense" : "strided";
      const dtype = random() < 0.8 ? float32 : float64;
      const shape = random() < 0.5 ? randomShape(random) : shapeOf(random, MIN_ELEMENTS + int(random, -3, 600));
      const out = randomView(random, dtype, shape, { kind: random() < 0.8 ? "dense" : "strided" });
      const [a, b] = [0, 1].map(() => {
        const broadcast = shape.map((_, d) => d).filter(() => random() < 0.2);
        return randomView(random, dtype, shape, { kind, broadcast });
      }) as [StridedView, StridedView];
      const what = `${describeView(a)}, ${describeView(b)} -> ${describeView(out)}`;
      const [got, want] = [cloneView(out), cloneView(out)];
      if (random() < 0.2) {
        backend.unary("relu", got, a);
        jsBackend.unary("relu", want, a);
      } else {
        const op = pick(random, OPS);
        backend.binary(op, got, a, b);
        jsBackend.binary(op, want, a, b);
      }
      expectSameBits(got, want, what);
      if (shape.length > 0 && !shape.includes(0)) {
        const dims = shape.map((_, d) => d).filter((d) => d < shape.length - 1 && random() < 0.6);
        const sumShape = shape.map((s, d) => (dims.includes(d) ? 1 : s));
        const sum = randomView(random, dtype, sumShape, { kind: "dense" });
        const [gotSum, wantSum] = [cloneView(sum), cloneView(sum)];
        backend.reduce("sum", gotSum, a, dims);
        jsBackend.reduce("sum", wantSum, a, dims);
        expectSameBits(gotSum, wantSum, `sum(${describeView(a)}, ${dims})`);
      }
    }
    // Both ways were tried: some calls ran in the kernels, some were declined to JS.
    const results = calls.flatMap((c) => c.mock.results.map((r) => r.value as boolean));
    calls.forEach((c) => c.mockRestore());
    expect(results.filter((r) => r).length).toBeGreaterThan(50);
    expect(results.filter((r) => !r).length).toBeGreaterThan(50);
  });
});
