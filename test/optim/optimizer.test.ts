import { afterEach, describe, expect, it, vi } from "vitest";

import torch, { NotImplementedError, RuntimeError, Tensor, ValueError } from "../../src/index.js";
import { freshParams, load, lossOf } from "./golden.js";

const { SGD, Adam, AdamW, Optimizer } = torch.optim;

const reprs = load<{ reprs: { optimizer: "SGD" | "Adam" | "AdamW"; options: Record<string, unknown>; repr: string }[] }>(
  "state_dicts.json",
).reprs;

function leaf(...shape: number[]): Tensor {
  return torch.zeros(shape).requires_grad_(true);
}

afterEach(() => vi.restoreAllMocks());

/** The error's class and PyTorch's exact message. */
function expectError(fn: () => unknown, cls: new (message?: string) => Error, message: string): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(cls);
  expect((thrown as Error).message).toBe(message);
}

describe("Optimizer: parameter groups", () => {
  it("one group from an iterable of tensors (a generator, as model.parameters() is)", () => {
    const [a, b] = [leaf(2), leaf(3)];
    function* parameters() {
      yield a;
      yield b;
    }
    const optimizer = new SGD(parameters(), { lr: 0.1 });
    expect(optimizer.param_groups.length).toBe(1);
    expect(optimizer.param_groups[0]!.params).toEqual([a, b]);
    expect(optimizer.param_groups[0]!.params[0]).toBe(a);
  });

  it("fills every group with PyTorch 2.x's defaults, in PyTorch's order", () => {
    const sgd = new SGD([leaf(1)]);
    expect(sgd.defaults).toEqual({
      lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, foreach: null,
      differentiable: false, fused: null,
    });
    expect(Object.keys(sgd.param_groups[0]!)).toEqual(["params", ...Object.keys(sgd.defaults)]);
    const adam = new Adam([leaf(1)]);
    expect(adam.defaults).toEqual({
      lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, foreach: null,
      capturable: false, differentiable: false, fused: null, decoupled_weight_decay: false,
    });
    const adamw = new AdamW([leaf(1)]);
    expect(adamw).toBeInstanceOf(Adam);
    expect(adamw.defaults["weight_decay"]).toBe(1e-2);
    expect(adamw.defaults["decoupled_weight_decay"]).toBe(true);
    expect(Object.keys(adamw.defaults)).toEqual(Object.keys(adam.defaults));
  });

  it("per-group options override the defaults; the object passed becomes the group", () => {
    const [a, b, c] = [leaf(2), leaf(2), leaf(2)];
    const first = { params: [a, b], lr: 0.1 };
    const optimizer = new SGD([first, { params: c, momentum: 0.5 }], { lr: 0.01, momentum: 0.9 });
    expect(optimizer.param_groups[0]).toBe(first);
    expect(optimizer.param_groups.map((g) => [g.lr, g.momentum])).toEqual([[0.1, 0.9], [0.01, 0.5]]);
    expect(optimizer.param_groups[1]!.params).toEqual([c]);
    // The defaults' arrays are copied into each group, not shared.
    const adam = new Adam([{ params: [a] }, { params: [b] }]);
    expect(adam.param_groups[0]!.betas).not.toBe(adam.param_groups[1]!.betas);
  });

  it("add_param_group adds a group with the defaults", () => {
    const [a, b] = [leaf(2), leaf(2)];
    const optimizer = new Adam([a], { lr: 0.01, amsgrad: true });
    optimizer.add_param_group({ params: b, lr: 0.5 });
    expect(optimizer.param_groups.length).toBe(2);
    expect(optimizer.param_groups[1]!.lr).toBe(0.5);
    expect(optimizer.param_groups[1]!.amsgrad).toBe(true);
    expectError(() => optimizer.add_param_group({ params: [a] }), ValueError, "some parameters appear in more than one parameter group");
  });

  it("refuses what PyTorch refuses, with PyTorch's errors", () => {
    const a = leaf(2);
    expectError(() => new SGD([]), ValueError, "optimizer got an empty parameter list");
    expectError(() => new SGD(a as never), TypeError, "params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.FloatTensor");
    expectError(() => new SGD([{ params: [a] }, { params: [a] }]), ValueError, "some parameters appear in more than one parameter group");
    expectError(() => new SGD([a.mul(2)]), ValueError, "can't optimize a non-leaf Tensor");
    expectError(() => new SGD([a, 3] as never), TypeError, "optimizer can only optimize Tensors, but one of the params is int");
    expect(() => new SGD(new Set([a]) as never)).not.toThrow();
    expectError(
      () => new SGD([{ params: new Set([a]) }] as never),
      TypeError,
      "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets " +
        "will change between runs. Please use a list instead.",
    );
  });

  it("a tensor that retains its grad may be optimized though it is not a leaf", () => {
    const b = leaf(2).mul(2);
    b.retain_grad();
    expect(() => new SGD([b])).not.toThrow();
  });

  it("warns about duplicate parameters in a group", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const a = leaf(2);
    new SGD([a, a]);
    expect(warn).toHaveBeenCalledWith(
      "UserWarning: optimizer contains a parameter group with duplicate parameters; in future, this will cause an " +
        "error; see github.com/pytorch/pytorch/issues/40967 for more information",
    );
  });
});

describe("hyperparameter validation", () => {
  const a = () => [leaf(2)];
  it("SGD", () => {
    expectError(() => new SGD(a(), { lr: -1 }), ValueError, "Invalid learning rate: -1");
    expectError(() => new SGD(a(), { lr: -0.01 }), ValueError, "Invalid learning rate: -0.01");
    expectError(() => new SGD(a(), { momentum: -0.5 }), ValueError, "Invalid momentum value: -0.5");
    expectError(() => new SGD(a(), { weight_decay: -1e-5 }), ValueError, "Invalid weight_decay value: -1e-05");
    expectError(() => new SGD(a(), { nesterov: true }), ValueError, "Nesterov momentum requires a momentum and zero dampening");
    expectError(() => new SGD(a(), { nesterov: true, momentum: 0.9, dampening: 0.1 }), ValueError, "Nesterov momentum requires a momentum and zero dampening");
    expectError(() => new SGD(a(), { fused: true, foreach: true }), RuntimeError, "`fused` and `foreach` cannot be `True` together.");
  });

  it("Adam and AdamW", () => {
    for (const Ctor of [Adam, AdamW]) {
      expectError(() => new Ctor(a(), { lr: -1 }), ValueError, "Invalid learning rate: -1");
      expectError(() => new Ctor(a(), { eps: -1e-8 }), ValueError, "Invalid epsilon value: -1e-08");
      expectError(() => new Ctor(a(), { betas: [1.5, 0.999] }), ValueError, "Invalid beta parameter at index 0: 1.5");
      expectError(() => new Ctor(a(), { betas: [0.9, -0.25] }), ValueError, "Invalid beta parameter at index 1: -0.25");
      expectError(() => new Ctor(a(), { weight_decay: -0.5 }), ValueError, "Invalid weight_decay value: -0.5");
    }
  });

  it("differentiable=True is refused: the update runs under no_grad here", () => {
    expect(() => new SGD(a(), { differentiable: true })).toThrow(NotImplementedError);
    expect(() => new AdamW(a(), { differentiable: true })).toThrow(/AdamW\(differentiable=True\)/);
  });
});

describe("zero_grad", () => {
  function withGrads() {
    const p = freshParams();
    const optimizer = new SGD(Object.values(p), { lr: 0.1 });
    lossOf(p).backward();
    return { p, optimizer };
  }

  it("sets gradients to null by default (PyTorch 2.x)", () => {
    const { p, optimizer } = withGrads();
    expect(p.W1.grad).not.toBeNull();
    optimizer.zero_grad();
    for (const t of Object.values(p)) expect(t.grad).toBeNull();
  });

  it("zeroes them in place with { set_to_none: false }", () => {
    const { p, optimizer } = withGrads();
    const grad = p.W1.grad!;
    optimizer.zero_grad({ set_to_none: false });
    expect(p.W1.grad).toBe(grad);
    expect(grad.abs().sum().item()).toBe(0);
    expect(grad.requires_grad).toBe(false);
  });
});

describe("step", () => {
  it("updates under no_grad and runs the closure with grad mode on, returning its value", () => {
    const p = freshParams();
    const optimizer = new Adam(Object.values(p), { lr: 0.01 });
    let enabledInClosure = false;
    const loss = torch.no_grad(() =>
      optimizer.step(() => {
        enabledInClosure = torch.is_grad_enabled();
        optimizer.zero_grad();
        const l = lossOf(p);
        l.backward();
        return l;
      }),
    );
    expect(enabledInClosure).toBe(true);
    expect(loss).toBeInstanceOf(Tensor);
    expect(p.W1.grad_fn).toBeNull();
    expect(p.W1.is_leaf).toBe(true);
  });

  it("keeps per-parameter state in a Map keyed by the tensor", () => {
    const p = freshParams();
    const optimizer = new SGD(Object.values(p), { lr: 0.1, momentum: 0.9 });
    expect(optimizer.state.size).toBe(0);
    lossOf(p).backward();
    optimizer.step();
    expect(optimizer.state).toBeInstanceOf(Map);
    expect(optimizer.state.get(p.W1)!.momentum_buffer).toBeInstanceOf(Tensor);
    expect([...optimizer.state.get(p.W1)!.momentum_buffer!.shape]).toEqual([16, 8]);
    // Without momentum PyTorch 2.x keeps no state at all.
    const plain = new SGD(Object.values(p), { lr: 0.1 });
    plain.step();
    expect(plain.state.size).toBe(0);
  });

  it("Adam's state: step as a 0-d float32 tensor, the moments shaped like the parameter", () => {
    const p = freshParams();
    const optimizer = new Adam([p.W1], { amsgrad: true });
    lossOf(p).backward();
    optimizer.step();
    optimizer.step();
    const s = optimizer.state.get(p.W1)!;
    expect(Object.keys(s)).toEqual(["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]);
    expect(s.step!.ndim).toBe(0);
    expect(s.step!.dtype).toBe(torch.float32);
    expect(s.step!.item()).toBe(2);
  });

  it("the base class leaves step to subclasses", () => {
    class Nothing extends Optimizer {
      constructor(params: Tensor[]) {
        super(params, { lr: 1 });
      }
    }
    expect(() => new Nothing([leaf(1)]).step()).toThrow(NotImplementedError);
  });
});

describe("repr", () => {
  // Each line of PyTorch 1.13's repr, with what PyTorch 2.x adds or changes (see state_dict.test.ts).
  const ADDED: Record<string, string[]> = {
    SGD: ["    fused: None"],
    Adam: ["    decoupled_weight_decay: False"],
    AdamW: ["    decoupled_weight_decay: True", "    differentiable: False", "    fused: None"],
  };
  const CHANGED: Record<string, Record<string, string>> = { Adam: { "    fused: False": "    fused: None" } };
  for (const r of reprs) {
    it(`${r.optimizer}(${JSON.stringify(r.options)}) prints as PyTorch prints it`, () => {
      const optimizer = new torch.optim[r.optimizer]([leaf(1)], r.options as never);
      const lines = r.repr.split("\n");
      const body = lines.slice(2, -1).map((l) => CHANGED[r.optimizer]?.[l] ?? l);
      const expected = [...lines.slice(0, 2), ...[...body, ...ADDED[r.optimizer]!].sort(), lines[lines.length - 1]!];
      expect(optimizer.toString()).toBe(expected.join("\n"));
    });
  }
});
