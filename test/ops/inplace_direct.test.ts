/**
 * The direct path of in-place elementwise ops (src/ops/common.ts writeInPlace): `add_`, `sub_`,
 * `mul_`, `div_` and the unary `op_` run their kernel straight into the tensor when nothing
 * needs a gradient and the result keeps the tensor's dtype and shape; everything else is
 * computed out of place and copied back. Both must give the bits of the out-of-place op, on
 * every layout, with each backend's kernels (sizes above the wasm and native kernels' minimums
 * as well as below), and the cases the direct path declines must still take the general one:
 * the copy back into the tensor is what tells the two apart here.
 */

import { afterEach, describe, expect, it, vi } from "vitest";

import torch, { Tensor } from "../../src/index.js";

/** Seeded values in [-2, 2), some of them exactly 0 (relu's edge), in `shape`. */
function values(shape: number[], seed: number, dtype = torch.float32): Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = i % 17 === 0 ? 0 : (s / 2 ** 32) * 4 - 2;
  }
  return torch.tensor(Array.from(out), { dtype }).reshape(shape);
}

/** Bit patterns of a tensor's values, in row-major order. */
function bits(t: Tensor): number[] {
  const v = t.detach().contiguous()._values() as Float32Array | Float64Array;
  return Array.from(v instanceof Float32Array ? new Uint32Array(v.buffer, v.byteOffset, v.length) : new Uint32Array(v.buffer, v.byteOffset, v.length * 2));
}

/** Counts the backend copies an in-place call makes: the general path copies its result back. */
function copiesDuring(t: Tensor, run: () => void): number {
  const backend = t._storage.backend;
  const spy = vi.spyOn(backend, "copy");
  try {
    run();
    return spy.mock.calls.filter(([out]) => out.storage === t._storage).length;
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

type Op = "add" | "sub" | "mul" | "div";
const OPS: Op[] = ["add", "sub", "mul", "div"];

describe("in-place binary ops write straight into the tensor where they can", () => {
  // [t's shape, a transform of t (a view), other's shape or a scalar]
  const layouts: [string, number[], (t: Tensor) => Tensor, number[] | number][] = [
    ["dense, same shape", [48, 64], (t) => t, [48, 64]],
    ["dense, bias row", [48, 64], (t) => t, [64]],
    ["dense, column", [48, 64], (t) => t, [48, 1]],
    ["dense, scalar", [48, 64], (t) => t, 0.75],
    ["dense, 0-d tensor", [48, 64], (t) => t, []],
    ["transposed", [64, 48], (t) => t.t(), [48, 64]],
    ["strided slice", [48, 128], (t) => t.narrow(1, 3, 64), [64]],
    ["small", [3, 5], (t) => t, [5]],
  ];
  for (const op of OPS) {
    for (const [name, shape, view, otherShape] of layouts) {
      it(`${op}_: ${name}`, () => {
        const base = values(shape, 7 + shape[0]!);
        const t = view(base.clone());
        const other = typeof otherShape === "number" ? otherShape : values(otherShape, 99).add(op === "div" ? 3 : 0);
        const want = bits((t[op] as (o: unknown) => Tensor).call(t, other));
        const version = t._version;
        const copies = copiesDuring(t, () => expect((t[`${op}_`] as (o: unknown) => Tensor).call(t, other)).toBe(t));
        expect(bits(t)).toEqual(want);
        expect(t._version).toBe(version + 1);
        expect(copies).toBe(0);
      });
    }
  }

  it("add_ and sub_ with alpha scale the other first, as add and sub do, then write in place", () => {
    for (const op of ["add", "sub"] as const) {
      for (const [t, other] of [
        [values([20, 30], 14), values([30], 15)],
        [values([30, 20], 16).t(), values([20, 30], 17)],
        [values([20, 30], 18), 0.3],
        [values([20, 30], 19, torch.float64), torch.arange(30)],
      ] as [Tensor, Tensor | number][]) {
        const want = bits(t[op](other, { alpha: -2.5 }));
        expect(copiesDuring(t, () => t[`${op}_`](other, { alpha: -2.5 }))).toBe(0);
        expect(bits(t)).toEqual(want);
      }
      // t.add_(t, alpha): the scaled copy is made before t is written.
      const x = values([10, 10], 20);
      const wantSelf = bits(x[op](x, { alpha: 3 }));
      expect(copiesDuring(x, () => x[`${op}_`](x, { alpha: 3 }))).toBe(0);
      expect(bits(x)).toEqual(wantSelf);
    }
  });

  it("x.op_(x) reads each element before writing it", () => {
    for (const op of OPS) {
      const t = values([40, 50], 3).add(op === "div" ? 5 : 0);
      const want = bits((t[op] as (o: unknown) => Tensor).call(t, t));
      expect(copiesDuring(t, () => (t[`${op}_`] as (o: unknown) => Tensor).call(t, t))).toBe(0);
      expect(bits(t)).toEqual(want);
    }
  });

  it("float64 tensors, and an integer or float32 other promoted to them", () => {
    const t = values([30, 40], 5, torch.float64);
    const i = torch.arange(40).sub(20);
    const want = bits(t.mul(i).add(values([40], 8)));
    expect(copiesDuring(t, () => t.mul_(i).add_(values([40], 8)))).toBe(0);
    expect(bits(t)).toEqual(want);
  });

  it("declines, and the general path gives the same values: another view of the storage, a cast, rounding", () => {
    const base = values([32, 64], 11);
    // other overlaps t without being t's view: computed out of place first, as before.
    const t = base.narrow(1, 0, 32);
    const other = base.narrow(1, 32, 32).clone();
    const sameStorage = base.narrow(1, 32, 32);
    const want = bits(t.add(other));
    expect(copiesDuring(t, () => t.add_(sameStorage))).toBe(1);
    expect(bits(t)).toEqual(want);

    // float32 t with a float64 other: computed in float64, then rounded into t.
    const f = values([20, 30], 12);
    const d = values([30], 13, torch.float64);
    const wantCast = bits(f.mul(d).to(torch.float32));
    expect(copiesDuring(f, () => f.mul_(d))).toBe(1);
    expect(bits(f)).toEqual(wantCast);

    // An integer tensor with alpha: the general path, as without.
    const n = torch.tensor([1, 2, 3]);
    expect(copiesDuring(n, () => n.add_(torch.tensor([4, 5, 6]), { alpha: 2 }))).toBe(1);
    expect(n.tolist()).toEqual([9, 12, 15]);

    const h = values([20, 30], 16);
    const wantFloor = bits(h.div(0.3, { rounding_mode: "floor" }));
    expect(copiesDuring(h, () => h.div_(0.3, { rounding_mode: "floor" }))).toBe(1);
    expect(bits(h)).toEqual(wantFloor);
  });

  it("records the op when a gradient is needed, and writes directly under no_grad", () => {
    const w = values([10, 20], 17).requires_grad_(true);
    const y = w.mul(2);
    y.add_(values([20], 18));
    expect(y.grad_fn?.name()).toBe("AddBackward0");
    y.sum().backward();
    expect(Array.from(w.grad!.contiguous()._values() as Float32Array).every((v) => v === 2)).toBe(true);

    const p = values([10, 20], 19).requires_grad_(true);
    const want = bits(p.detach().mul(0.5));
    torch.no_grad(() => {
      expect(copiesDuring(p, () => p.mul_(0.5))).toBe(0);
    });
    expect(bits(p)).toEqual(want);
    expect(p.grad_fn).toBeNull();
  });

  it("checks the leaf rule before the overlap, as the general path and PyTorch do", () => {
    const leaf = torch.zeros(1, 3).requires_grad_(true);
    const v = torch.no_grad(() => leaf.expand(2, 3));
    const message = "a view of a leaf Variable that requires grad is being used in an in-place operation.";
    expect(() => v.add_(1)).toThrow(message);
    expect(() => v.relu_()).toThrow(message);
    expect(() => v.add_(1, { alpha: 2 })).toThrow(message);
  });

  it("a tensor whose elements share memory without a zero stride takes the general path", () => {
    for (const run of [(t: Tensor) => t.add_(1), (t: Tensor) => t.exp_(), (t: Tensor) => t.mul_(torch.ones(2))]) {
      const base = torch.zeros(3);
      const t = new torch.Tensor(base._storage, [2, 2], [1, 1], 0);
      const want = run(new torch.Tensor(torch.zeros(3)._storage, [2, 2], [1, 1], 0).clone());
      expect(copiesDuring(t, () => run(t))).toBe(1);
      // Out of place, then each element written back: the last write of a shared location wins.
      const w = want.contiguous()._values() as Float32Array;
      expect(base.tolist()).toEqual([w[0], w[2], w[3]]);
    }
  });

  it("keeps PyTorch's errors", () => {
    const leaf = values([4, 5], 20).requires_grad_(true);
    expect(() => leaf.add_(1)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    const ints = torch.tensor([1, 2, 3]);
    expect(() => ints.mul_(0.5)).toThrow("result type Float can't be cast to the desired output type Long");
    expect(() => values([4, 5], 21).add_(values([4, 6], 22))).toThrow();
    expect(() => values([1, 5], 23).add_(values([4, 5], 24))).toThrow(
      "output with shape [1, 5] doesn't match the broadcast shape [4, 5]",
    );
    const expanded = values([1, 5], 25).expand(4, 5);
    expect(() => expanded.mul_(2)).toThrow("more than one element of the written-to tensor refers to a single memory location");
    const f = values([3, 4], 26);
    expect(() => f.sub_(torch.tensor([true, false, true, false]))).toThrow("Subtraction, the `-` operator, with a bool tensor is not supported");
  });
});

describe("in-place unary ops write straight into the tensor where they can", () => {
  const ops = ["relu", "neg", "exp", "sigmoid", "tanh", "abs", "sqrt", "floor", "reciprocal"] as const;
  for (const op of ops) {
    it(`${op}_ on dense, transposed and small tensors`, () => {
      for (const t of [values([48, 64], 30), values([64, 48], 31).t(), values([3, 4], 32), values([40, 30], 33, torch.float64)]) {
        const x = op === "sqrt" ? t.abs() : t;
        const want = bits((x[op] as () => Tensor).call(x));
        const copies = copiesDuring(x, () => expect((x[`${op}_`] as () => Tensor).call(x)).toBe(x));
        expect(bits(x)).toEqual(want);
        expect(copies).toBe(0);
      }
    });
  }

  it("an integer tensor takes the general path (its errors and casts are the op's)", () => {
    expect(() => torch.tensor([1, 2]).exp_()).toThrow("result type Float can't be cast to the desired output type Long");
    const i = torch.tensor([-3, 4]);
    expect(i.neg_().tolist()).toEqual([3, -4]);
    expect(() => torch.tensor([1.5]).bitwise_not_()).toThrow("\"bitwise_not_cpu\" not implemented for 'Float'");
  });

  it("relu_ under autograd still records ReluBackward0 and its gradient", () => {
    const w = values([6, 7], 40).requires_grad_(true);
    const h = w.mul(1);
    h.relu_();
    expect(h.grad_fn?.name()).toBe("ReluBackward0");
    h.sum().backward();
    const wv = w.detach().contiguous()._values() as Float32Array;
    const gv = w.grad!.contiguous()._values() as Float32Array;
    for (let i = 0; i < wv.length; i++) expect(gv[i]).toBe(wv[i]! > 0 ? 1 : 0);
  });
});

/**
 * `run(t, true)` (the in-place op) on a dense, a transposed and a float64 t: no copy back, the
 * bits of `run(t, false)` (the out-of-place op), one version bump.
 */
function expectWritesInPlace(run: (t: Tensor, inPlace: boolean) => Tensor, seed: number): void {
  for (const make of [() => values([48, 64], seed), () => values([64, 48], seed + 1).t(), () => values([48, 64], seed + 2, torch.float64)]) {
    const t = make();
    const want = bits(run(t, false));
    const version = t._version;
    expect(copiesDuring(t, () => expect(run(t, true)).toBe(t))).toBe(0);
    expect(bits(t)).toEqual(want);
    expect(t._version).toBe(version + 1);
  }
}

describe("addcmul_, addcdiv_ and lerp_ add their term straight into the tensor where they can", () => {
  // Each case: the op with t's operands made in t's dtype (lerp wants one dtype throughout).
  type Case = (t: Tensor, inPlace: boolean) => Tensor;
  const v = (t: Tensor, shape: number[], seed: number): Tensor => values(shape, seed, t.dtype);
  const cases: [string, Case][] = [
    ["addcmul_, value", (t, ip) => t[ip ? "addcmul_" : "addcmul"](v(t, [48, 64], 50), v(t, [64], 51), { value: 0.001 })],
    ["addcmul_, value 1, float32 operands", (t, ip) => t[ip ? "addcmul_" : "addcmul"](values([48, 1], 52), values([48, 64], 53))],
    ["addcdiv_", (t, ip) => t[ip ? "addcdiv_" : "addcdiv"](v(t, [48, 64], 54), v(t, [48, 64], 55).abs().add(0.5), { value: -0.01 })],
    ["lerp_, small weight", (t, ip) => t[ip ? "lerp_" : "lerp"](v(t, [48, 64], 56), 0.1)],
    ["lerp_, negative weight, bias row", (t, ip) => t[ip ? "lerp_" : "lerp"](v(t, [64], 57), -0.3)],
  ];
  for (const [name, run] of cases) it(name, () => expectWritesInPlace(run, 58));

  it("declines where the op casts, takes lerp's other side, a tensor weight, or needs a gradient; values as before", () => {
    const runs: [Tensor, (t: Tensor) => Tensor][] = [
      [values([20, 30], 61), (t) => t.addcmul(values([30], 62, torch.float64), values([30], 63))],
      [values([20, 30], 64), (t) => t.lerp(values([20, 30], 65), 0.7)],
      [values([20, 30], 66), (t) => t.lerp(values([20, 30], 67), values([30], 68).abs().mul(0.4))],
    ];
    const inPlace = [
      (t: Tensor) => t.addcmul_(values([30], 62, torch.float64), values([30], 63)),
      (t: Tensor) => t.lerp_(values([20, 30], 65), 0.7),
      (t: Tensor) => t.lerp_(values([20, 30], 67), values([30], 68).abs().mul(0.4)),
    ];
    runs.forEach(([t, outOfPlace], i) => {
      const want = bits(outOfPlace(t).to(t.dtype));
      expect(copiesDuring(t, () => inPlace[i]!(t))).toBe(1);
      expect(bits(t)).toEqual(want);
    });
    const w = values([10, 20], 69).requires_grad_(true);
    const y = w.mul(1);
    y.addcmul_(values([20], 70), values([20], 71), { value: 2 });
    expect(y.grad_fn?.name()).toBe("AddcmulBackward0");
  });

  it("keeps PyTorch's errors: overlap, dtypes, integer addcdiv, the leaf rule", () => {
    // Dense views that overlap in part (PyTorch passes strided ones as "too hard").
    const base = values([20], 72);
    expect(() => base.narrow(0, 0, 10).addcmul_(values([10], 78), base.narrow(0, 5, 10))).toThrow(
      "some elements of the input tensor and the written-to tensor refer to a single memory location",
    );
    // An expanded t: the overlap error, before the operands' shape error (as TensorIterator).
    const overlap = "more than one element of the written-to tensor refers to a single memory location";
    expect(() => torch.zeros([1]).expand([3]).addcmul_(torch.ones([2]), torch.ones([3]))).toThrow(overlap);
    expect(() => torch.zeros([1]).expand([3]).addcdiv_(torch.ones([2]), torch.ones([3]))).toThrow(overlap);
    expect(() => torch.zeros([1]).expand([3]).lerp_(torch.ones([2]), 0.1)).toThrow(overlap);
    expect(() => values([3], 73).lerp_(values([3], 74, torch.float64), 0.1)).toThrow("expected dtype float for `end` but got dtype double");
    expect(() => values([3], 75).addcdiv_(torch.tensor([1, 2, 3]), torch.tensor([1, 1, 1]))).toThrow("Integer division with addcdiv is no longer supported");
    expect(() => values([3], 76).requires_grad_(true).lerp_(values([3], 77), 0.1)).toThrow(
      "a leaf Variable that requires grad is being used in an in-place operation.",
    );
  });
});

describe("clamp_ runs its compare-and-select passes on the tensor itself where it can", () => {
  const runs: [string, (t: Tensor, inPlace: boolean) => Tensor][] = [
    ["min and max numbers", (t, ip) => t[ip ? "clamp_" : "clamp"](-0.5, 0.75)],
    ["min only", (t, ip) => (ip ? t.clamp_min_(0.1) : t.clamp_min(0.1))],
    ["max only", (t, ip) => (ip ? t.clamp_max_(-0.2) : t.clamp_max(-0.2))],
    ["tensor bounds, a row and a column", (t, ip) => t[ip ? "clamp_" : "clamp"](values([64], 80, t.dtype).sub(1), values([48, 1], 81, t.dtype).add(1))],
  ];
  for (const [name, run] of runs) it(name, () => expectWritesInPlace(run, 82));

  it("the one-pass loop over dense values agrees with the two passes over a strided view", () => {
    // NaN, ±0, ±inf, values at the float32 rounding of the bounds, and lo > hi (hi wins).
    const special = [NaN, 0, -0, Infinity, -Infinity, Math.fround(0.1), Math.fround(-0.3), 0.1, -0.3, 5, -5];
    for (const dtype of [torch.float32, torch.float64]) {
      const flat = torch.tensor([...special, ...special.map((v) => v / 3)], { dtype });
      const n = flat.shape[0]!;
      const dense = flat.reshape([2, n / 2]);
      const strided = flat.reshape([n / 2, 2]).t(); // other values, so compare against its own dense copy
      for (const [min, max] of [[-0.3, 0.1], [0.1, -0.3], [0, null], [null, -0], [-0.3, undefined]] as [number | null, number | null | undefined][]) {
        const viaLoop = bits(strided.contiguous().clamp(min, max));
        const viaPasses = bits(strided.clamp(min, max));
        expect(viaLoop).toEqual(viaPasses);
        const inPlace = strided.contiguous();
        inPlace.clamp_(min, max);
        expect(bits(inPlace)).toEqual(viaPasses);
        expect(bits(dense.clamp(min, max))).toEqual(bits(dense.t().contiguous().t().clamp(min, max)));
      }
    }
  });

  it("declines where it must, with the general path's values and errors", () => {
    const i = torch.tensor([-3, 0, 5]);
    expect(copiesDuring(i, () => i.clamp_(-1, 2))).toBe(1);
    expect(i.tolist()).toEqual([-1, 0, 2]);
    const f = values([10, 20], 85);
    const d = values([20], 86, torch.float64);
    const want = bits(f.clamp(d).to(torch.float32));
    expect(copiesDuring(f, () => f.clamp_(d))).toBe(1);
    expect(bits(f)).toEqual(want);
    expect(() => values([3], 87).clamp_()).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
    expect(() => torch.zeros([1]).expand([3]).clamp_(0, 1)).toThrow("more than one element of the written-to tensor refers to a single memory location");
    expect(() => values([3], 88).requires_grad_(true).clamp_(0, 1)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    const w = values([4, 5], 89).requires_grad_(true);
    const y = w.mul(1);
    y.clamp_(-0.5, 0.5);
    expect(y.grad_fn?.name()).toBe("ClampBackward1");
  });
});
