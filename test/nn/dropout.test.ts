import { afterEach, describe, expect, test } from "vitest";

import torch, { nn, F, Tensor } from "../../src/index.js";
import {
  bitsOf, decode, expectClose, expectExact, expectProbe, expectPyError, f64, golden, type Enc, type Numbers, type PyError,
} from "./layers_golden.js";

const fx = golden<{
  masks: { seed: number; n: number; p: number; mask: string; scale_bits: number | null; probe: number[] }[];
  book: { mask: string };
  values: { seed: number; p: number; x: Enc; y: Enc; probe: number[] };
  values64: { seed: number; p: number; x: Enc; y: Enc; probe: number[] };
  transposed: { seed: number; p: number; mask: string; probe: number[] };
  sliced: { seed: number; p: number; mask: string; probe: number[] };
  grad: { x: Enc; seed: number; p: number; y: Enc; g: Enc; grad: Enc; grad_fn: string };
  module: { seed: number; p: number; train_mask: string; eval_is_input: boolean };
  inplace: { seed: number; same: boolean; grad_fn: string; mask: string; probe: number[] };
  edge: { p1_grad_fn: string; p1: Numbers; p0_is_input: boolean; eval_is_input: boolean };
  bernoulli: { dtype: "float32" | "float64" | "int64" | "bool"; p: number; seed: number; mask: string; probe: number[] }[];
  bernoulli_transposed: { seed: number; p: number; mask: string; probe: number[] };
  errors: Record<string, PyError>;
  reprs: Record<string, string>;
}>("dropout");

function maskOf(t: Tensor): string {
  return Array.from(t.contiguous()._values() as ArrayLike<number | bigint>, (v) => (Number(v) !== 0 ? "1" : "0")).join("");
}

describe("F.dropout draws PyTorch's masks, bit for bit", () => {
  for (const c of fx.masks) {
    test(`seed ${c.seed}, ones(${c.n}), p=${c.p}`, () => {
      torch.manual_seed(c.seed);
      const y = F.dropout(torch.ones(c.n), c.p);
      expect(maskOf(y)).toBe(c.mask);
      if (c.scale_bits !== null) {
        const kept = bitsOf(y).filter((b) => b !== 0);
        expect(new Set(kept)).toEqual(new Set([c.scale_bits]));
      }
      expectProbe(c.probe);
    });
  }

  test("the 6×6 example of rasbt/LLMs-from-scratch#57 (PyTorch without MKL: macOS, Debian)", () => {
    torch.manual_seed(123);
    expect(maskOf(F.dropout(torch.ones(6, 6), 0.5))).toBe(fx.book.mask);
  });

  test("random inputs, float32 and float64: the products are PyTorch's to the bit", () => {
    for (const c of [fx.values, fx.values64]) {
      const x = decode(c.x);
      torch.manual_seed(c.seed);
      expectExact(F.dropout(x, c.p), c.y);
      expectProbe(c.probe);
    }
  });

  test("a transposed input: row-major noise, drawn in logical order", () => {
    const c = fx.transposed;
    torch.manual_seed(c.seed);
    expect(maskOf(F.dropout(torch.ones(4, 6).t(), c.p))).toBe(c.mask);
    expectProbe(c.probe);
  });

  test("a sliced input: contiguous noise in logical order", () => {
    const c = fx.sliced;
    torch.manual_seed(c.seed);
    const sliced = torch.ones(4, 6).reshape(4, 3, 2).select(2, 0);
    expect(maskOf(F.dropout(sliced, c.p))).toBe(c.mask);
    expectProbe(c.probe);
  });
});

describe("the MKL kernel (official x86-64 wheels on Intel CPUs)", () => {
  afterEach(() => torch.set_bernoulli_kernel("default"));

  test("reproduces the Linux output published in pytorch#121595 and rasbt/LLMs-from-scratch#57", () => {
    // torch.manual_seed(123); torch.nn.Dropout(0.5)(torch.ones(6, 6)) on Linux, PyTorch 2.3 (the
    // issue's "My output"): not producible by Debian's PyTorch, which has no MKL.
    const linux = ["111111", "010000", "001010", "110001", "100001", "010000"].join("");
    torch.set_bernoulli_kernel("mkl");
    torch.manual_seed(123);
    expect(maskOf(F.dropout(torch.ones(6, 6), 0.5))).toBe(linux);
  });

  test("draws one 32-bit seed whatever the size", () => {
    torch.set_bernoulli_kernel("mkl");
    const g = new torch.Generator().manual_seed(5);
    const h = new torch.Generator().manual_seed(5);
    torch.empty(1000).bernoulli_(0.5, { generator: g });
    h.nextUint32();
    expect(torch.rand(3, { generator: g }).tolist()).toEqual(torch.rand(3, { generator: h }).tolist());
  });
});

describe("autograd, modes and in-place", () => {
  test("the gradient is the mask times 1/(1 − p); node MulBackward0", () => {
    const c = fx.grad;
    const x = decode(c.x).requires_grad_(true);
    torch.manual_seed(c.seed);
    const y = F.dropout(x, c.p);
    expectExact(y, c.y);
    expect(y.grad_fn!.name()).toBe(c.grad_fn);
    const [g] = torch.autograd.grad(y, x, decode(c.g));
    expectExact(g!, c.grad);
  });

  test("nn.Dropout: masks in training, identity in eval", () => {
    const c = fx.module;
    torch.manual_seed(c.seed);
    const m = new nn.Dropout(c.p);
    expect(maskOf(m(torch.ones(20)))).toBe(c.train_mask);
    m.eval();
    const x = torch.ones(3);
    expect(m(x) === x).toBe(c.eval_is_input);
  });

  test("inplace: the input itself, masked", () => {
    const c = fx.inplace;
    const t = torch.ones(10, { requires_grad: true }).clone();
    torch.manual_seed(c.seed);
    const y = F.dropout(t, 0.5, { inplace: true });
    expect(y === t).toBe(c.same);
    expect(y.grad_fn!.name()).toBe(c.grad_fn);
    expect(maskOf(y)).toBe(c.mask);
    expectProbe(c.probe);
    const u = torch.ones(10);
    torch.manual_seed(c.seed);
    expect(maskOf(new nn.Dropout({ p: 0.5, inplace: true })(u))).toBe(c.mask);
  });

  test("p = 1 multiplies by zero; p = 0 and eval return the input", () => {
    const x = torch.randn(3, { requires_grad: true });
    const y = F.dropout(x, 1);
    expect(y.grad_fn!.name()).toBe(fx.edge.p1_grad_fn);
    expectClose(y, fx.edge.p1);
    expect(F.dropout(x, 0) === x).toBe(fx.edge.p0_is_input);
    expect(F.dropout(x, { p: 0.5, training: false }) === x).toBe(fx.edge.eval_is_input);
  });

  test("gradcheck with a fixed seed", () => {
    const fn = (t: Tensor) => {
      torch.manual_seed(0);
      return F.dropout(t, 0.3);
    };
    expect(torch.autograd.gradcheck(fn, [f64(torch.randn(3, 4))])).toBe(true);
  });
});

describe("Tensor.bernoulli_", () => {
  for (const c of fx.bernoulli) {
    test(`${c.dtype}, p=${c.p}`, () => {
      torch.manual_seed(c.seed);
      const b = torch.empty([20], { dtype: torch[c.dtype] }).bernoulli_(c.p);
      expect(maskOf(b)).toBe(c.mask);
      expectProbe(c.probe);
    });
  }
});

test("Tensor.bernoulli_ on a transposed tensor fills it in memory order", () => {
  const c = fx.bernoulli_transposed;
  torch.manual_seed(c.seed);
  expect(maskOf(torch.empty(4, 6).t().bernoulli_(c.p))).toBe(c.mask);
  expectProbe(c.probe);
});

describe("errors and reprs", () => {
  const x = torch.randn(2, 2);
  const cases: Record<string, () => unknown> = {
    p_above_1: () => F.dropout(x, 1.5),
    p_negative: () => F.dropout(x, -0.1),
    module_p: () => new nn.Dropout(1.5),
    bernoulli_p: () => torch.empty(3).bernoulli_(1.5),
    inplace_leaf: () => F.dropout(torch.ones(3, { requires_grad: true }), 0.5, { inplace: true }),
  };
  for (const [name, fn] of Object.entries(cases)) {
    test(name, () => expectPyError(fn, fx.errors[name]!));
  }
  test("reprs", () => {
    expect(String(new nn.Dropout())).toBe(fx.reprs["Dropout()"]);
    expect(String(new nn.Dropout(0.2, true))).toBe(fx.reprs["Dropout(0.2, true)"]);
    expect(String(new nn.Dropout({ p: 0.25 }))).toBe(fx.reprs["Dropout(0.25)"]);
  });
});
