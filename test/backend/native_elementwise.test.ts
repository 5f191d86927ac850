// The native backend's float32 elementwise kernels, copies, fills and sums against the JS
// reference kernels, bit for bit (NaN, ±0, ±inf and subnormals among the values), on random
// shapes in every layout: dense with offsets, transposed, stepped, broadcast (zero strides),
// in place, zero-size and rank 0, and sizes that split over two threads.

import { afterAll, describe, expect, it } from "vitest";
import torch from "../../src/index.js";
import type { BinaryOp, StridedView, UnaryOp } from "../../src/backend/backend.js";
import { jsBackend } from "../../src/backend/js/index.js";
import type { JsStorage } from "../../src/backend/js/storage.js";
import { binaryReference, copyReference, fillReference, unaryReference } from "../../src/backend/js/elementwise.js";
import { reduceReference } from "../../src/backend/js/reduce.js";
import { createNativeBackend, nativeBackend, MIN_ELEMENTS } from "../../src/backend/native/index.js";
import { describeNativeMissing } from "../harness/native_missing.js";
import { float32 } from "../../src/tensor/dtype.js";
import { rng } from "./wasm_testing.js";

type Layout = "dense" | "transposed" | "stepped" | "broadcast";
const LAYOUTS: Layout[] = ["dense", "transposed", "stepped", "broadcast"];

/** Values with the awkward ones mixed in. */
function value(random: () => number): number {
  const u = random();
  if (u < 0.02) return NaN;
  if (u < 0.04) return 0;
  if (u < 0.06) return -0;
  if (u < 0.07) return Infinity;
  if (u < 0.08) return -Infinity;
  if (u < 0.09) return 1e-40 * (random() - 0.5);
  return (random() * 4 - 2) * 2 ** Math.floor(random() * 8 - 4);
}

/** A float32 view of `shape` laid out as `layout`, in a storage with slack around it. */
function view(random: () => number, shape: readonly number[], layout: Layout): StridedView {
  const nd = shape.length;
  const strides = new Array<number>(nd).fill(0);
  let span = 1;
  const order = [...shape.keys()];
  if (layout === "transposed") order.reverse();
  for (let i = nd - 1; i >= 0; i--) {
    const d = order[i]!;
    if (layout === "broadcast" && random() < 0.5) continue; // stride 0: expanded
    const step = layout === "stepped" && i === nd - 1 ? 2 : 1;
    strides[d] = span * step;
    span *= shape[d]! * step;
  }
  const offset = Math.floor(random() * 4);
  const storage = jsBackend.allocate(float32, offset + span + 3);
  const data = (storage as JsStorage).data as Float32Array;
  for (let i = 0; i < data.length; i++) data[i] = value(random);
  return { storage, offset, shape: shape.slice(), strides };
}

/** A second storage holding the same values, so two kernels can write side by side. */
function twin(v: StridedView): StridedView {
  const storage = jsBackend.allocate(float32, v.storage.length);
  ((storage as JsStorage).data as Float32Array).set((v.storage as JsStorage).data as Float32Array);
  return { ...v, storage };
}

/** Equal bit patterns, except that any two NaNs match (their payloads are not specified). */
function expectSameBits(got: StridedView, want: StridedView, what: string): void {
  const g = (got.storage as JsStorage).data as Float32Array;
  const w = (want.storage as JsStorage).data as Float32Array;
  const gb = new Uint32Array(g.buffer, g.byteOffset, g.length);
  const wb = new Uint32Array(w.buffer, w.byteOffset, w.length);
  for (let i = 0; i < g.length; i++) {
    if (gb[i] === wb[i] || (g[i] !== g[i] && w[i] !== w[i])) continue;
    expect.fail(`${what}: element ${i} of the storage: got ${Object.is(g[i], -0) ? "-0" : g[i]}, JS ${Object.is(w[i], -0) ? "-0" : w[i]}`);
  }
}

function randomShape(random: () => number): number[] {
  const nd = Math.floor(random() * 5);
  const shape: number[] = [];
  for (let d = 0; d < nd; d++) shape.push(random() < 0.1 ? Math.floor(random() * 2) : 1 + Math.floor(random() * 13));
  return shape;
}

if (nativeBackend === null) {
  describeNativeMissing("native elementwise kernels");
} else {
  const native = nativeBackend;
  const eager = createNativeBackend(native.addon, "native-eager", { minElements: 0, minWork: 0 });
  const threadsBefore = torch.get_num_threads();
  afterAll(() => torch.set_num_threads(threadsBefore));
  const binaryOps: BinaryOp[] = ["add", "sub", "mul", "div", "maximum", "minimum", "relu_backward"];
  const unaryOps: UnaryOp[] = ["neg", "abs", "relu", "sqrt", "square", "reciprocal"];
  // Shapes large enough to be split over the pool (2^17 elements and up), with odd tails.
  const large = [[513, 257], [3, 70001]];

  describe.each(binaryOps)("native binary %s", (op) => {
    it("matches JS bit for bit on random shapes and layouts", () => {
      const random = rng(op.length * 31 + op.charCodeAt(0));
      for (let t = 0; t < 120; t++) {
        const shape = randomShape(random);
        const out = view(random, shape, random() < 0.8 ? "dense" : LAYOUTS[Math.floor(random() * 3)]!);
        const a = view(random, shape, LAYOUTS[Math.floor(random() * 4)]!);
        const b = view(random, shape, LAYOUTS[Math.floor(random() * 4)]!);
        const want = twin(out);
        eager.binary(op, out, a, b);
        binaryReference(op, want, a, b);
        expectSameBits(out, want, `${op} [${shape}]`);
      }
    });

    it("row-vector and scalar broadcasts, in place, on 1 and 2 threads", () => {
      for (const threads of [1, 2]) {
        torch.set_num_threads(threads);
        const random = rng(threads * 7 + op.length);
        for (const shape of [[64, 512], [7, 33], ...large]) {
          const [rows, cols] = shape as [number, number];
          const x = view(random, shape, "dense");
          const row = { ...view(random, [cols], "dense"), shape, strides: [0, 1] };
          const scalar = { ...view(random, [], "dense"), shape, strides: [0, 0] };
          for (const b of [row, scalar, view(random, shape, "dense")]) {
            const out = view(random, [rows, cols], "dense");
            const want = twin(out);
            eager.binary(op, out, x, b);
            binaryReference(op, want, x, b);
            expectSameBits(out, want, `${op} [${shape}] broadcast`);
            // In place: out is a (x.add_(b)).
            const inPlace = twin(x);
            const inPlaceWant = twin(x);
            eager.binary(op, inPlace, inPlace, b);
            binaryReference(op, inPlaceWant, inPlaceWant, b);
            expectSameBits(inPlace, inPlaceWant, `${op}_ [${shape}]`);
          }
        }
      }
    });
  });

  describe.each(unaryOps)("native unary %s", (op) => {
    it("matches JS bit for bit on random shapes and layouts, in place and split over threads", () => {
      const random = rng(op.length * 17 + op.charCodeAt(1));
      for (let t = 0; t < 80; t++) {
        const shape = randomShape(random);
        const out = view(random, shape, "dense");
        const a = view(random, shape, LAYOUTS[Math.floor(random() * 4)]!);
        const want = twin(out);
        eager.unary(op, out, a);
        unaryReference(op, want, a);
        expectSameBits(out, want, `${op} [${shape}]`);
      }
      for (const threads of [1, 2]) {
        torch.set_num_threads(threads);
        for (const shape of large) {
          const x = view(random, shape, "dense");
          const want = twin(x);
          eager.unary(op, x, x);
          unaryReference(op, want, want);
          expectSameBits(x, want, `${op}_ [${shape}], ${threads} threads`);
        }
      }
    });
  });

  describe("native copy and fill", () => {
    it("copy matches JS on random layouts of both sides, and on transposed tiles", () => {
      const random = rng(41);
      for (let t = 0; t < 120; t++) {
        const shape = randomShape(random);
        const out = view(random, shape, LAYOUTS[Math.floor(random() * 3)]!);
        const src = view(random, shape, LAYOUTS[Math.floor(random() * 4)]!);
        const want = twin(out);
        eager.copy(out, src);
        copyReference(want, src);
        expectSameBits(out, want, `copy [${shape}]`);
      }
      for (const [rows, cols] of [[100, 70], [31, 33], [512, 784]] as const) {
        const src = view(random, [rows, cols], "transposed");
        const out = view(random, [rows, cols], "dense");
        const want = twin(out);
        eager.copy(out, src);
        copyReference(want, src);
        expectSameBits(out, want, `copy of a transposed [${rows}, ${cols}]`);
      }
    });

    it("fill matches JS on dense and strided views, values rounded to float32", () => {
      const random = rng(42);
      for (let t = 0; t < 60; t++) {
        const shape = randomShape(random);
        const out = view(random, shape, LAYOUTS[Math.floor(random() * 3)]!);
        const want = twin(out);
        const v = [0.1, -0, NaN, -Infinity, 3][t % 5]!;
        eager.fill(out, v);
        fillReference(want, v);
        expectSameBits(out, want, `fill [${shape}] with ${v}`);
      }
    });
  });

  describe("native sum", () => {
    it("matches JS bit for bit over leading, trailing and middle blocks of dims", () => {
      const random = rng(43);
      const cases: [number[], number[]][] = [
        [[64, 512], [0]], [[64, 512], [1]], [[64, 512], [0, 1]], [[3, 4, 5, 6], [1, 2]], [[7, 1, 300], [0, 1]],
        [[2, 3, 4], [2]], [[1000], [0]], [[5, 0, 3], [1]], [[], []],
      ];
      for (const [shape, dims] of cases) {
        const a = view(random, shape, "dense");
        const outShape = shape.map((s, d) => (dims.includes(d) ? 1 : s));
        const out = view(random, outShape, "dense");
        // Finite values only: the sum of NaN and inf is NaN in any order, which says nothing.
        const data = (a.storage as JsStorage).data as Float32Array;
        for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) data[i] = 1.5;
        const want = twin(out);
        eager.reduce("sum", out, a, dims);
        reduceReference("sum", want, a, dims);
        expectSameBits(out, want, `sum of [${shape}] over [${dims}]`);
      }
    });
  });

  describe("native elementwise dispatch", () => {
    it("small calls, other dtypes, overlapping views and ops without a kernel give JS's results", () => {
      const random = rng(44);
      // exp is not native (V8's Math.exp is the contract); it must still match.
      const a = view(random, [40, 40], "dense");
      const out = view(random, [40, 40], "dense");
      const want = twin(out);
      native.unary("exp", out, a);
      unaryReference("exp", want, a);
      expectSameBits(out, want, "exp");
      // out overlapping a shifted by one element: JS's element order decides.
      const shifted = twin(a);
      const shiftedWant = twin(a);
      const n = 1000 - 1;
      const s1 = { storage: shifted.storage, offset: 1, shape: [n], strides: [1] };
      const s0 = { storage: shifted.storage, offset: 0, shape: [n], strides: [1] };
      native.binary("add", s1, s0, s0);
      binaryReference("add", { ...s1, storage: shiftedWant.storage }, { ...s0, storage: shiftedWant.storage }, { ...s0, storage: shiftedWant.storage });
      expectSameBits(shifted, shiftedWant, "overlapping add");
      // An out that writes one element many times (a zero stride): the JS loop's last write wins.
      const big = view(random, [300, 500], "dense");
      const expanded = { ...view(random, [500], "dense"), shape: [300, 500], strides: [0, 1] };
      const expandedWant = twin(expanded);
      native.binary("mul", expanded, big, big);
      binaryReference("mul", expandedWant, big, big);
      expectSameBits(expanded, expandedWant, "mul into an expanded out");
      expect(native.supports("binary", float32, [MIN_ELEMENTS])).toBe(true);
      expect(native.supports("binary", float32, [MIN_ELEMENTS - 1])).toBe(false);
    });

    it("a training step's ops on native tensors match the JS backend", () => {
      const x = torch.randn([64, 100]);
      const w = torch.randn([50, 100]).requires_grad_(true);
      const bias = torch.randn([50]).requires_grad_(true);
      const loss = torch.relu(x.matmul(w.t()).add(bias)).mul(2).sum();
      loss.backward();
      const previous = torch.backends.get_backend();
      torch.backends.set_backend("js");
      try {
        const wj = w.detach().clone().requires_grad_(true);
        const bj = bias.detach().clone().requires_grad_(true);
        const lossJs = torch.relu(x.clone().matmul(wj.t()).add(bj)).mul(2).sum();
        lossJs.backward();
        const [got, want] = [Number(loss.item()), Number(lossJs.item())];
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-5);
        expect(torch.allclose(w.grad!, wj.grad!, { rtol: 1e-5, atol: 1e-5 })).toBe(true);
        expect(torch.allclose(bias.grad!, bj.grad!, { rtol: 1e-5, atol: 1e-5 })).toBe(true);
      } finally {
        torch.backends.set_backend(previous);
      }
    });
  });
}
