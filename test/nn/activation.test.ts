import { describe, expect, test } from "vitest";

import torch, { nn, F, Tensor } from "../../src/index.js";
import {
  captureWarnings, decode, expectClose, expectPyError, f64, golden, type Enc, type Numbers, type PyError,
} from "./layers_golden.js";
import { firstGrad } from "../harness/gradcheck.js";

interface Call {
  fn: "relu" | "leaky_relu" | "gelu" | "silu" | "sigmoid" | "tanh" | "softmax" | "log_softmax";
  negative_slope?: number;
  approximate?: "none" | "tanh";
  dim?: number;
}

const fx = golden<{
  cases: { name: string; call: Call; x: Enc; y: Numbers; g: Enc; grad: Numbers; grad_fn: string }[];
  softmax_dtype: { x: Enc; y_dtype: string; y: Numbers; grad_fn: string; next: string };
  inplace: Record<"relu" | "leaky_relu" | "silu", { same: boolean; grad_fn: string; y: Numbers; g: Enc; grad: Numbers }>;
  errors: Record<string, PyError>;
  implicit_warnings: string[];
  reprs: Record<string, string>;
  special: Record<string, Numbers | number[]>;
}>("activations");

/** The functional call a fixture case describes. */
function apply(call: Call, x: Tensor): Tensor {
  switch (call.fn) {
    case "relu": return F.relu(x);
    case "leaky_relu": return call.negative_slope === undefined ? F.leaky_relu(x) : F.leaky_relu(x, call.negative_slope);
    case "gelu": return F.gelu(x, { approximate: call.approximate ?? "none" });
    case "silu": return F.silu(x);
    case "sigmoid": return F.sigmoid(x);
    case "tanh": return F.tanh(x);
    case "softmax": return call.dim === undefined ? F.softmax(x) : F.softmax(x, call.dim);
    case "log_softmax": return call.dim === undefined ? F.log_softmax(x) : F.log_softmax(x, call.dim);
  }
}

/** The module a fixture case describes, for the module-equals-functional check. */
function moduleFor(call: Call): nn.Module | null {
  switch (call.fn) {
    case "relu": return new nn.ReLU();
    case "leaky_relu": return new nn.LeakyReLU(call.negative_slope ?? 0.01);
    case "gelu": return new nn.GELU(call.approximate ?? "none");
    case "silu": return new nn.SiLU();
    case "sigmoid": return new nn.Sigmoid();
    case "tanh": return new nn.Tanh();
    case "softmax": return call.dim === undefined ? null : new nn.Softmax(call.dim);
    case "log_softmax": return call.dim === undefined ? null : new nn.LogSoftmax(call.dim);
  }
}

describe("the implicit softmax dim warns as PyTorch does", () => {
  // First in this file: the warning is shown once per message.
  test("F.softmax and F.log_softmax without dim", () => {
    const x = torch.randn(2, 3);
    const seen = captureWarnings(() => {
      F.softmax(x);
      F.log_softmax(x);
    });
    expect(seen).toEqual(fx.implicit_warnings.map((m) => `UserWarning: ${m}`));
  });
});

describe("activations match PyTorch (forward, input gradient, node)", () => {
  for (const c of fx.cases) {
    test(c.name, () => {
      const x = decode(c.x).requires_grad_(true);
      const y = apply(c.call, x);
      expectClose(y, c.y, "y");
      expect(y.grad_fn!.name()).toBe(c.grad_fn);
      const [gx] = torch.autograd.grad(y, x, decode(c.g));
      expectClose(gx!, c.grad, "grad");
      const m = moduleFor(c.call);
      if (m !== null) expectClose((m as unknown as (t: Tensor) => Tensor)(x), c.y, "module");
    });
  }

  test("softmax with dtype casts first (ToCopyBackward0, then SoftmaxBackward0)", () => {
    const c = fx.softmax_dtype;
    const y = F.softmax(decode(c.x).requires_grad_(true), 1, { dtype: torch.float64 });
    expect(`torch.${y.dtype.name}`).toBe(c.y_dtype);
    expectClose(y, c.y);
    expect(y.grad_fn!.name()).toBe(c.grad_fn);
    const method = decode(c.x).softmax(1, { dtype: torch.float64 });
    expectClose(method, c.y);
  });

  test("Tensor.softmax and Tensor.log_softmax", () => {
    const c = fx.cases.find((k) => k.name === "log_softmax_1")!;
    expectClose(decode(c.x).log_softmax(1), c.y);
    const s = fx.cases.find((k) => k.name === "softmax_0")!;
    expectClose(decode(s.x).softmax(0), s.y);
  });

  test("edge values: -inf rows, 0-d inputs, empty inputs", () => {
    const inf = Number.NEGATIVE_INFINITY;
    expectClose(F.softmax(torch.tensor([[inf, inf]]), 1), fx.special.softmax_all_neg_inf as Numbers);
    expectClose(F.log_softmax(torch.tensor([[inf, 0]]), 1), fx.special.log_softmax_neg_inf as Numbers);
    const two = torch.tensor(2, { dtype: torch.float32 });
    expectClose(F.softmax(two, 0), fx.special.softmax_scalar as Numbers);
    expectClose(F.log_softmax(two, -1), fx.special.log_softmax_scalar as Numbers);
    expect([...F.softmax(torch.randn(0, 3), 1).shape]).toEqual(fx.special.softmax_empty_shape);
  });
});

describe("in-place forms", () => {
  const calls: Record<"relu" | "leaky_relu" | "silu", (t: Tensor) => Tensor> = {
    relu: (t) => F.relu(t, { inplace: true }),
    leaky_relu: (t) => F.leaky_relu(t, 0.1, { inplace: true }),
    silu: (t) => F.silu(t, { inplace: true }),
  };
  const x = decode(fx.cases[0]!.x);
  for (const [name, fn] of Object.entries(calls) as [keyof typeof calls, (t: Tensor) => Tensor][]) {
    test(`${name}: writes into its input, node and gradient as PyTorch`, () => {
      const e = fx.inplace[name];
      const leaf = x.clone().requires_grad_(true);
      const t = leaf.clone();
      const y = fn(t);
      expect(y === t).toBe(e.same);
      expect(y.grad_fn!.name()).toBe(e.grad_fn);
      expectClose(y, e.y);
      const [g] = torch.autograd.grad(y, leaf, decode(e.g));
      expectClose(g!, e.grad);
    });
  }

  test("modules with inplace write into the input", () => {
    const t = torch.tensor([-1, 2], { dtype: torch.float32 });
    expect(new nn.ReLU(true)(t)).toBe(t);
    expect(t.tolist()).toEqual([0, 2]);
    const u = torch.tensor([-1, 2], { dtype: torch.float32 });
    expect(new nn.LeakyReLU({ negative_slope: 0.5, inplace: true })(u)).toBe(u);
    expect(u.tolist()).toEqual([-0.5, 2]);
  });
});

describe("errors as PyTorch words them", () => {
  const x = decode(fx.cases[0]!.x);
  const cases: Record<string, () => unknown> = {
    gelu_approximate: () => F.gelu(x, { approximate: "foo" as "none" }),
    gelu_module_approximate: () => new nn.GELU("foo" as "none")(x),
    softmax_long: () => F.softmax(torch.tensor([1, 2]), 0),
    softmax_long_dim0: () => F.softmax(torch.tensor([[1, 2]]), 0),
    log_softmax_long: () => F.log_softmax(torch.tensor([1, 2]), 0),
    softmax_dim: () => F.softmax(x, 2),
    relu_inplace_leaf: () => F.relu(x.clone().requires_grad_(true), { inplace: true }),
    leaky_relu_inplace_negative_slope: () => {
      const t = torch.randn(3, { requires_grad: true }).clone();
      F.leaky_relu(t, -0.1, { inplace: true }).sum().backward();
    },
  };
  for (const [name, fn] of Object.entries(cases)) {
    test(name, () => expectPyError(fn, fx.errors[name]!));
  }
});

describe("reprs", () => {
  const modules: Record<string, () => nn.Module> = {
    "ReLU()": () => new nn.ReLU(),
    "ReLU(true)": () => new nn.ReLU(true),
    "LeakyReLU()": () => new nn.LeakyReLU(),
    "LeakyReLU(0.2, true)": () => new nn.LeakyReLU(0.2, true),
    "GELU()": () => new nn.GELU(),
    "GELU('tanh')": () => new nn.GELU("tanh"),
    "SiLU()": () => new nn.SiLU(),
    "SiLU(true)": () => new nn.SiLU({ inplace: true }),
    "Sigmoid()": () => new nn.Sigmoid(),
    "Tanh()": () => new nn.Tanh(),
    "Softmax()": () => new nn.Softmax(),
    "Softmax(1)": () => new nn.Softmax(1),
    "LogSoftmax(-1)": () => new nn.LogSoftmax({ dim: -1 }),
    Sequential: () => new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(3, 1), new nn.Softmax(1)),
  };
  for (const [key, make] of Object.entries(modules)) {
    test(key, () => expect(String(make())).toBe(fx.reprs[key]));
  }
});

describe("gradcheck (float64 finite differences)", () => {
  // Inputs away from the kinks of relu and leaky_relu, where the derivative is not defined.
  const x = torch.tensor([[-1.3, 0.4, 2.1], [0.7, -0.2, -2.5]], { dtype: torch.float64 });
  const fns: Record<string, (t: Tensor) => Tensor> = {
    relu: (t) => F.relu(t),
    leaky_relu: (t) => F.leaky_relu(t, 0.2),
    leaky_relu_inplace: (t) => F.leaky_relu(t.clone(), 0.2, { inplace: true }),
    gelu: (t) => F.gelu(t),
    gelu_tanh: (t) => F.gelu(t, "tanh"),
    silu: (t) => F.silu(t),
    silu_inplace: (t) => F.silu(t.mul(1), { inplace: true }),
    sigmoid: (t) => F.sigmoid(t),
    tanh: (t) => F.tanh(t),
    softmax_0: (t) => F.softmax(t, 0),
    softmax_1: (t) => F.softmax(t, 1),
    log_softmax_0: (t) => F.log_softmax(t, 0),
    log_softmax_1: (t) => F.log_softmax(t, -1),
  };
  for (const [name, fn] of Object.entries(fns)) {
    test(name, () => expect(torch.autograd.gradcheck(fn, [f64(x)])).toBe(true));
  }

  test("double backward of softmax, log_softmax and gelu", () => {
    for (const fn of [(t: Tensor) => F.softmax(t, 1), (t: Tensor) => F.log_softmax(t, 1), (t: Tensor) => F.gelu(t)]) {
      const w = torch.tensor([[0.3, -1.2, 0.8], [1.1, 0.5, -0.4]], { dtype: torch.float64 });
      expect(torch.autograd.gradcheck(firstGrad((t) => fn(t).mul(w).sum()), [f64(x)])).toBe(true);
    }
  });
});
