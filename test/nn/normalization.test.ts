import { describe, expect, test } from "vitest";

import torch, { nn, F, Tensor } from "../../src/index.js";
import {
  decode, expectClose, expectExact, expectPyError, f64, golden, type Enc, type Numbers, type PyError,
} from "./layers_golden.js";
import { firstGrad } from "../harness/gradcheck.js";

const fx = golden<{
  cases: {
    name: string; shape: number[]; eps: number; x: Enc; weight: Enc | null; bias: Enc | null; y: Numbers; g: Enc;
    grad_input: Numbers; grad_weight: Numbers | null; grad_bias: Numbers | null; grad_fn: string;
  }[];
  module: { weight: Enc; bias: Enc; x: Enc; y: Numbers; params: string[]; state_dict: string[] };
  errors: Record<string, PyError>;
  reprs: Record<string, string>;
  no_affine_state_dict: string[];
}>("layer_norm");

describe("F.layer_norm matches PyTorch (output; input, weight and bias gradients)", () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const x = decode(c.x).requires_grad_(true);
      const w = c.weight ? decode(c.weight).requires_grad_(true) : null;
      const b = c.bias ? decode(c.bias).requires_grad_(true) : null;
      const y = F.layer_norm(x, c.shape, w, b, c.eps);
      expectClose(y, c.y, "y");
      expect(y.grad_fn!.name()).toBe(c.grad_fn);
      const inputs = [x, w, b].filter((t): t is Tensor => t !== null);
      const grads = torch.autograd.grad(y, inputs, decode(c.g));
      expectClose(grads[0]!, c.grad_input, "grad_input");
      if (w) expectClose(grads[1]!, c.grad_weight, "grad_weight");
      if (b) expectClose(grads[2]!, c.grad_bias, "grad_bias");
      // The options-object form gives the same.
      expectClose(F.layer_norm(x, c.shape, { weight: w, bias: b, eps: c.eps }), c.y, "options form");
    });
  }
});

describe("nn.LayerNorm", () => {
  test("weight ones, bias zeros; forward; parameters", () => {
    const e = fx.module;
    const m = new nn.LayerNorm(10);
    expectExact(m.weight!, e.weight);
    expectExact(m.bias!, e.bias);
    expectClose(m(decode(e.x)), e.y);
    expect([...m.named_parameters()].map(([k]) => k)).toEqual(e.params);
    expect(Object.keys(m.state_dict())).toEqual(e.state_dict);
    expect(Object.keys(new nn.LayerNorm(4, { elementwise_affine: false }).state_dict())).toEqual(fx.no_affine_state_dict);
  });

  test("bias=false (2.x): weight only, as F.layer_norm with bias None", () => {
    const c = fx.cases.find((k) => k.name === "weight_only")!;
    const m = new nn.LayerNorm(6, { bias: false });
    expect(m.bias).toBeNull();
    expect([...m.named_parameters()].map(([k]) => k)).toEqual(["weight"]);
    m.weight!.data = decode(c.weight!);
    expectClose(m(decode(c.x)), c.y);
  });

  test("float64 parameters with dtype", () => {
    const m = new nn.LayerNorm([3, 4], { dtype: torch.float64 });
    expect(m.weight!.dtype).toBe(torch.float64);
    expect([...m.weight!.shape]).toEqual([3, 4]);
  });

  test("reprs", () => {
    expect(String(new nn.LayerNorm(10))).toBe(fx.reprs["LayerNorm(10)"]);
    expect(String(new nn.LayerNorm([3, 4], { eps: 1e-6, elementwise_affine: false }))).toBe(
      fx.reprs["LayerNorm([3, 4], eps=1e-6, affine=false)"],
    );
    expect(String(new nn.LayerNorm(5, { eps: 0.001 }))).toBe(fx.reprs["LayerNorm(5, eps=0.001)"]);
  });
});

describe("errors as PyTorch words them", () => {
  const x = torch.randn(2, 3);
  const cases: Record<string, () => unknown> = {
    shape_mismatch: () => F.layer_norm(x, [4]),
    shape_mismatch_2: () => F.layer_norm(x, [2, 4]),
    weight_shape: () => F.layer_norm(x, [3], torch.ones(4)),
    bias_shape: () => F.layer_norm(x, [3], torch.ones(3), torch.ones(2)),
    empty_shape: () => F.layer_norm(x, []),
  };
  for (const [name, fn] of Object.entries(cases)) {
    test(name, () => expectPyError(fn, fx.errors[name]!));
  }
});

describe("gradcheck (float64 finite differences)", () => {
  const x = f64(torch.tensor([[0.3, -1.2, 0.8, 0.1], [1.1, 0.5, -0.4, -2.0], [0.0, 0.7, 0.2, -0.6]]));
  const w = f64(torch.tensor([0.5, 1.5, -1.0, 2.0]));
  const b = f64(torch.tensor([0.1, -0.2, 0.3, 0.0]));
  test("input, weight and bias", () => {
    expect(torch.autograd.gradcheck((a, ww, bb) => F.layer_norm(a!, [4], ww!, bb!), [x, w, b])).toBe(true);
  });
  test("two normalised dims, no affine", () => {
    expect(torch.autograd.gradcheck((a) => F.layer_norm(a!, [3, 4], null, null, 1e-3), [x])).toBe(true);
  });
  test("double backward", () => {
    const c = torch.tensor([[1.0, -2.0, 0.5, 3.0], [0.2, 0.4, -1.0, 1.0], [2.0, 0.0, 1.0, -1.0]], { dtype: torch.float64 });
    expect(torch.autograd.gradcheck(firstGrad((a) => F.layer_norm(a, [4], w.detach()).mul(c).sum()), [x])).toBe(true);
  });
});
