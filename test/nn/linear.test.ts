import { afterAll, beforeAll, describe, expect, test } from "vitest";

import torch, { nn, F, Tensor } from "../../src/index.js";
import {
  golden, decode, bitsOf, expectBits, expectClose, expectProbe, expectPyError, type Bits, type Numbers, type PyError,
} from "./golden.js";
import { setCompat } from "../../src/random/compat.js";

interface LinearCase {
  in: number;
  out: number;
  bias: boolean;
  dtype: "float32" | "float64";
  seed: number;
  weight: Bits;
  bias_values: Bits | null;
  probe: number[];
}

const init = golden<{
  linear: LinearCase[];
  bilinear: { seed: number; in1: number; in2: number; out: number; weight: Bits; bias: Bits; probe: number[] }[];
  lazy: {
    seed: number; repr_before: string; repr_after: string; class_after: string; in_features: number;
    weight: Bits; bias: Bits; y: Numbers; probe: number[];
  }[];
}>("linear_init");

const fwd = golden<{
  sequence: {
    seed: number; weight: Bits; bias: Bits; x: Bits; y: Numbers; size_text: string; module_text: string;
    y_text: string; grad_fn: string;
  }[];
  shapes: {
    name: string; x: Bits; w: Bits; b: Bits | null; y: Numbers; grad_fn: string; grad_fn_1_13: string;
    x_grad: Numbers; w_grad: Numbers; b_grad: Numbers | null; x_strides: number[]; note?: string;
  }[];
  errors: Record<string, PyError>;
  bilinear: {
    x1: Bits; x2: Bits; w: Bits; b: Bits; y: Numbers; grads: Numbers[]; grad_fn: string; grad_fn_nobias: string;
    y_1d: Numbers; y_3d: Numbers;
  };
}>("linear_forward");

// The fixtures come from Debian's 1.13: replay its random streams (they differ from 2.x only in
// float64 path-S normals, which these tests do not draw; see src/random/compat.ts).
beforeAll(() => setCompat("1.13"));
afterAll(() => setCompat("2.x"));

describe("nn.Linear init is PyTorch's, bit for bit", () => {
  for (const c of init.linear) {
    const label = `seed ${c.seed}: Linear(${c.in}, ${c.out}, bias=${c.bias}) ${c.dtype}`;
    test(label, () => {
      torch.manual_seed(c.seed);
      const m = new nn.Linear(c.in, c.out, { bias: c.bias, dtype: torch[c.dtype] });
      expectBits(m.weight, c.weight);
      if (c.bias) expectBits(m.bias!, c.bias_values!);
      else expect(m.bias).toBeNull();
      expectProbe(c.probe);
    });
  }

  test("bias given as a plain boolean, and the parameters' layout", () => {
    torch.manual_seed(0);
    const m = new nn.Linear(2, 3, false);
    expect(m.bias).toBeNull();
    expect([...m._parameters.keys()]).toEqual(["weight", "bias"]);
    expect([...m.weight.shape]).toEqual([3, 2]);
    expect(m.weight).toBeInstanceOf(nn.Parameter);
    expect(m.weight.requires_grad).toBe(true);
  });

  for (const c of init.bilinear) {
    test(`seed ${c.seed}: Bilinear(${c.in1}, ${c.in2}, ${c.out})`, () => {
      torch.manual_seed(c.seed);
      const m = new nn.Bilinear(c.in1, c.in2, c.out);
      expectBits(m.weight, c.weight);
      expectBits(m.bias!, c.bias);
      expectProbe(c.probe);
    });
  }
});

describe("nn.LazyLinear", () => {
  for (const c of init.lazy) {
    test(`seed ${c.seed}: materialises on the first call and becomes a Linear`, () => {
      torch.manual_seed(c.seed);
      const m = new nn.LazyLinear(3);
      expect(String(m)).toBe(c.repr_before);
      const y = m(torch.ones(2, 4));
      expect(String(m)).toBe(c.repr_after);
      expect(m.constructor.name).toBe(c.class_after);
      expect(m).toBeInstanceOf(nn.Linear);
      expect(m).not.toBeInstanceOf(nn.LazyLinear);
      expect(m.in_features).toBe(c.in_features);
      expectBits(m.weight, c.weight);
      expectBits(m.bias!, c.bias);
      expect(Object.getPrototypeOf(m.weight)).toBe(nn.Parameter.prototype);
      expectClose(y, c.y);
      expectProbe(c.probe);
      expect(m._forward_pre_hooks.size).toBe(0);
    });
  }

  test("loading a state dict gives the uninitialised parameters their shapes", () => {
    const m = new nn.LazyLinear(3);
    m.load_state_dict({ weight: torch.ones(3, 2), bias: torch.zeros(3) });
    expect([...m.weight.shape]).toEqual([3, 2]);
    expect(m.weight.tolist()).toEqual([[1, 1], [1, 1], [1, 1]]);
  });
});

describe("Linear forward: the article's sequence", () => {
  for (const c of fwd.sequence) {
    test(`seed ${c.seed}: manual_seed; Linear(2, 3); randn(4, 2); m(x)`, () => {
      torch.manual_seed(c.seed);
      const m = new nn.Linear(2, 3);
      const x = torch.randn(4, 2);
      const y = m(x);
      expectBits(m.weight, c.weight);
      expectBits(m.bias!, c.bias);
      expectBits(x, c.x);
      expectClose(y, c.y);
      expect(String(y.size())).toBe(c.size_text);
      expect(String(m)).toBe(c.module_text);
      expect(String(y)).toBe(c.y_text);
      expect(y.grad_fn!.name()).toBe(c.grad_fn);
    });
  }
});

describe("F.linear: values, gradients and grad_fn per dispatch path", () => {
  for (const c of fwd.shapes) {
    test(c.name + (c.note ? ` (${c.note})` : ""), () => {
      const x0 = decode(c.x);
      // The non-contiguous case: same values, PyTorch's strides (a transposed view).
      const x = (c.x_strides[0] === 3 && c.x.shape.length === 3 && c.name === "3d_noncontig"
        ? x0.transpose(0, 1).contiguous().transpose(0, 1)
        : x0
      ).requires_grad_();
      expect(x.stride()).toEqual(c.x_strides);
      const w = decode(c.w).requires_grad_();
      const b = c.b ? decode(c.b).requires_grad_() : null;
      const y = F.linear(x, w, b);
      expectClose(y, c.y);
      expect(y.grad_fn!.name()).toBe(c.grad_fn);
      y.sum().backward();
      expectClose(x.grad!, c.x_grad);
      expectClose(w.grad!, c.w_grad);
      if (b) expectClose(b.grad!, c.b_grad!);
    });
  }

  test("nn.Linear accepts (*, in) including 1-D input", () => {
    const m = new nn.Linear(3, 2);
    expect([...m(torch.ones(3)).shape]).toEqual([2]);
    expect([...m(torch.ones(2, 5, 3)).shape]).toEqual([2, 5, 2]);
    expect([...m(torch.ones(0, 3)).shape]).toEqual([0, 2]);
  });

  const errorCases: [string, () => unknown][] = [
    ["mismatch_2d", () => F.linear(torch.randn(4, 2), torch.randn(3, 3), torch.randn(3))],
    ["mismatch_2d_nobias", () => F.linear(torch.randn(4, 2), torch.randn(3, 3))],
    ["mismatch_3d", () => F.linear(torch.randn(5, 4, 2), torch.randn(3, 3), torch.randn(3))],
    ["weight_1d_bias_0d_3d", () => F.linear(torch.randn(2, 4, 3), torch.randn(3), torch.randn([]))],
    ["scalar_input", () => F.linear(torch.tensor(1.0, { dtype: torch.float32 }), torch.randn(3, 3), torch.randn(3))],
    ["module_mismatch", () => new nn.Linear(3, 3)(torch.randn(4, 2))],
  ];
  for (const [name, fn] of errorCases) test(`error: ${name}`, () => expectPyError(fn, fwd.errors[name]!));

  // F.linear's 2-D case without a graph skips making weight.t(); it must be addmm's in all else.
  test("2-D input without a graph: addmm(bias, x, weight.t())'s bits and errors", () => {
    const messageOf = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      return "no error";
    };
    const expectSameBits = (got: Tensor, want: Tensor): void => {
      expect([...got.shape]).toEqual([...want.shape]);
      expect(got.dtype).toBe(want.dtype);
      expect(bitsOf(got)).toEqual(bitsOf(want));
    };
    for (const [rows, inF, outF] of [[4, 2, 3], [1, 1, 1], [7, 33, 5], [64, 20, 17], [0, 3, 2]] as const) {
      for (const dtype of [torch.float32, torch.float64]) {
        const x = torch.randn(rows, inF, { dtype });
        const w = torch.randn(outF, inF, { dtype });
        const b = torch.randn(outF, { dtype });
        const want = torch.addmm(b, x, w.t());
        const y = F.linear(x, w, b);
        expect(y.grad_fn).toBeNull();
        expectSameBits(y, want);
        // Parameters that require grad, under no_grad: the same path, the same bits.
        const wg = w.clone().requires_grad_();
        torch.no_grad(() => expectSameBits(F.linear(x, wg, b), want));
        // Strided operands: a transposed weight, a column of a wider input, a 2-D bias.
        const wT = torch.randn(inF, outF, { dtype }).t();
        const xs = torch.randn(rows, inF + 3, { dtype }).narrow(1, 1, inF);
        const b2 = torch.randn(rows, outF, { dtype });
        expectSameBits(F.linear(xs, wT, b2), torch.addmm(b2, xs, wT.t()));
      }
    }
    const x = torch.randn(4, 2);
    for (const [w, b] of [
      [torch.randn(3, 3), torch.randn(3)], // shapes cannot be multiplied
      [torch.randn(3, 2, { dtype: torch.float64 }), torch.randn(3)], // mat1 and mat2 dtypes
      [torch.randn(3, 2), torch.randn(3, { dtype: torch.float64 })], // self and mat2 dtypes
      [torch.randn(3, 2), torch.randn(4)], // bias does not broadcast
      [torch.randn(3, 2), torch.randn(2, 3)], // bias broadcasts, but not to (4, 3)
    ] as const) {
      const want = messageOf(() => torch.addmm(b, x, w.t()));
      expect(want).not.toBe("no error");
      expect(messageOf(() => F.linear(x, w, b))).toBe(want);
    }
  });

  test("F is torch.nn.functional", () => {
    expect(F).toBe(torch.nn.functional);
    expect(F.linear).toBe(nn.functional.linear);
  });
});

describe("F.bilinear / nn.Bilinear", () => {
  test("values, gradients and grad_fn", () => {
    const b = fwd.bilinear;
    const [x1, x2, w, bias] = [b.x1, b.x2, b.w, b.b].map((e) => decode(e).requires_grad_()) as Tensor[];
    const y = F.bilinear(x1!, x2!, w!, bias!);
    expectClose(y, b.y);
    expect(y.grad_fn!.name()).toBe(b.grad_fn);
    expect(F.bilinear(x1!, x2!, w!).grad_fn!.name()).toBe(b.grad_fn_nobias);
    y.sum().backward();
    [x1, x2, w, bias].forEach((t, i) => expectClose(t!.grad!, b.grads[i]!));
    expectClose(F.bilinear(x1!.select(0, 0), x2!.select(0, 0), w!, bias!), b.y_1d);
    expectClose(F.bilinear(x1!.view(2, 2, 3), x2!.view(2, 2, 2), w!, bias!), b.y_3d);
  });

  const errorCases: [string, () => unknown][] = [
    ["bilinear_dims", () => F.bilinear(torch.randn(4, 3), torch.randn(2), torch.randn(5, 3, 2))],
    ["bilinear_batch", () => F.bilinear(torch.randn(4, 3), torch.randn(5, 2), torch.randn(5, 3, 2))],
    ["bilinear_in1", () => F.bilinear(torch.randn(4, 2), torch.randn(4, 2), torch.randn(5, 3, 2))],
    ["bilinear_in2", () => F.bilinear(torch.randn(4, 3), torch.randn(4, 3), torch.randn(5, 3, 2))],
    ["bilinear_bias", () => F.bilinear(torch.randn(4, 3), torch.randn(4, 2), torch.randn(5, 3, 2), torch.randn(4))],
  ];
  for (const [name, fn] of errorCases) test(`error: ${name}`, () => expectPyError(fn, fwd.errors[name]!));

  test("the module calls F.bilinear with its parameters", () => {
    const m = new nn.Bilinear(3, 2, 4);
    const [a, b] = [torch.randn(5, 3), torch.randn(5, 2)];
    expect(m(a, b).equal(F.bilinear(a, b, m.weight, m.bias))).toBe(true);
  });
});

describe("gradients pass gradcheck (float64), double backward included", () => {
  const f64 = (...shape: number[]) => torch.randn(shape, { dtype: torch.float64, requires_grad: true });

  test("F.linear on each dispatch path", () => {
    torch.manual_seed(0);
    const { gradcheck } = torch.autograd;
    const [w, b] = [f64(3, 4), f64(3)];
    for (const x of [f64(2, 4), f64(4), f64(2, 2, 4), f64(2, 2, 2, 4), f64(4, 2).t()]) {
      expect(gradcheck((x, w, b) => F.linear(x, w, b), [x, w, b])).toBe(true);
      expect(gradcheck((x, w) => F.linear(x, w), [x, w])).toBe(true);
    }
    // Double backward: the gradient of a gradient, through the same composite.
    const x = f64(2, 4);
    // gradcheck evaluates its finite differences under no_grad; the inner grad needs a graph.
    const gradW = (x: Tensor) =>
      torch.enable_grad(() => torch.autograd.grad(F.linear(x, w, b).pow(2).sum(), w, null, { create_graph: true })[0]!);
    const gw = gradW(x);
    expect(gradcheck(gradW, [x])).toBe(true);
    expect(gw!.requires_grad).toBe(true);
  });

  test("F.bilinear", () => {
    torch.manual_seed(1);
    const [x1, x2, w, b] = [f64(3, 2), f64(3, 4), f64(5, 2, 4), f64(5)];
    expect(torch.autograd.gradcheck((a, c, w, b) => F.bilinear(a, c, w, b), [x1, x2, w, b])).toBe(true);
  });
});

describe("nn.Identity", () => {
  test("ignores its arguments and returns its input itself", () => {
    const m = new nn.Identity(54, { unused: 0.1 });
    const x = torch.zeros(2, 3);
    expect(m(x)).toBe(x);
    expect([...m.parameters()]).toEqual([]);
  });
});
