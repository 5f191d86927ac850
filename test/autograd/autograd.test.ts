/**
 * Autograd against PyTorch (test/golden/core/autograd.json): gradients through chains of
 * elementwise, view, broadcasting and selection ops; accumulation over two backward calls;
 * the errors of a second backward, of a non-scalar backward and of tensors outside the graph;
 * grad-mode scopes; detach; retain_grad; hooks that replace a gradient; torch.autograd.grad
 * with create_graph (third derivative of x³); and the grad_fn name of every op.
 */

import { describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { expectPyError, expectTensor, golden, type Encoded, type PyError } from "../golden/core/load.js";
import { TOLERANCE } from "../harness/tolerance.js";

const fixtures = golden<{ scenarios: Record<string, Record<string, unknown>>; grad_fns: Record<string, string | null> }>("autograd");

function get<T>(name: string): T {
  const s = fixtures.scenarios[name];
  expect(s, name).toBeDefined();
  return s as T;
}

const f64 = torch.float64;
const leaf = (values: number[] | number[][] | number, dtype = torch.float32) => torch.tensor(values, { dtype, requires_grad: true });
const close = (t: Tensor, e: Encoded, label = "") => expectTensor(t, e, { rtol: TOLERANCE[e.dtype as "float32" | "float64"].gradRtol, label });

describe("gradients through chains of ops match PyTorch", () => {
  it("elementwise (float64 and float32)", () => {
    for (const [name, dtype] of [["chain_elementwise", f64], ["chain_elementwise_float32", torch.float32]] as const) {
      const s = get<{ y: Encoded; x_grad: Encoded }>(name);
      const x = leaf([0.5, -1.25, 2.0, 0.1], dtype);
      const y = x.exp().mul(x.sin()).add(x.pow(2)).sub(x.div(3)).tanh().mul(x.cos().abs().add(1).log());
      y.sum().backward();
      close(y, s.y, `${name} y`);
      close(x.grad!, s.x_grad, `${name} grad`);
    }
  });

  it("views", () => {
    const s = get<{ loss: Encoded; x_grad: Encoded }>("chain_views");
    const x = torch.tensor(Array.from({ length: 12 }, (_, i) => i / 4 - 1), { dtype: f64, requires_grad: true });
    const w = torch.arange(1, 7, { dtype: f64 });
    const v = x.view(3, 4).t().narrow(0, 1, 2).reshape(-1); // (4, 3) -> (2, 3) -> (6,)
    const u = x.view(2, 6).select(0, 1).unsqueeze(0).expand(2, 6); // (6,) -> (2, 6)
    const t = x.view(1, 12, 1).squeeze().flatten().unflatten(0, [3, 4]).permute(1, 0).movedim(0, 1);
    const loss = v.mul(w).sum().add(u.mul(u).sum()).add(t.select(0, 0).mul(t.select(0, 1)).sum()).add(t.transpose(0, 1).mT.sum());
    loss.backward();
    close(loss, s.loss);
    close(x.grad!, s.x_grad);
  });

  it("broadcasting", () => {
    const s = get<Record<string, Encoded>>("chain_broadcast");
    const x = leaf([[0.5, 1.0, -2.0], [3.0, -0.25, 1.5]], f64);
    const b = leaf([0.1, -0.2, 0.3], f64);
    const c = leaf([[2.0], [-1.0]], f64);
    const y = x.add(b).mul(c).sub(b.div(c)).pow(2).sum();
    y.backward();
    close(y, s.y!);
    close(x.grad!, s.x_grad!);
    close(b.grad!, s.b_grad!);
    close(c.grad!, s.c_grad!);
  });

  it("selection and piecewise ops", () => {
    const s = get<Record<string, Encoded>>("chain_selection");
    const x = leaf([-2.0, -0.5, 0.0, 0.5, 2.0, 3.0], f64);
    const y = leaf([1.0, -1.0, 0.0, 0.5, 3.0, -3.0], f64);
    const a = torch.where(x.gt(0), x.mul(y), x.neg());
    const b = torch.clamp(x, -1, 1).add(torch.maximum(x, y)).add(torch.minimum(x, y));
    const c = x.relu().add(x.sigmoid()).add(x.sub(y).abs()).add(x.masked_fill(x.lt(0), 0));
    const d = torch.atan2(x, y.add(5)).add(torch.remainder(x, 1.5)).add(torch.fmod(x, 1.5));
    a.add(b).add(c).add(d).sum().backward();
    close(x.grad!, s.x_grad!);
    close(y.grad!, s.y_grad!);
  });

  it("division, powers and the rest of the unary table", () => {
    const s = get<Record<string, Encoded>>("chain_division_and_powers");
    const x = leaf([0.5, 1.5, 2.0, 3.0], f64);
    const e = leaf([2.0, 0.5, -1.0, 3.0], f64);
    let y = x.pow(e).add(torch.pow(2, x)).add(torch.div(1, x)).add(torch.sub(3, x)).add(x.sqrt().rsqrt())
      .add(x.reciprocal()).add(x.square());
    y = y.add(x.log2()).add(x.log10()).add(x.log1p()).add(x.expm1()).add(x.erf()).add(x.erfc())
      .add(x.div(e).sinh()).add(x.atan());
    y.sum().backward();
    close(y, s.y!);
    close(x.grad!, s.x_grad!);
    close(e.grad!, s.e_grad!);
  });
});

describe("backward calls", () => {
  it("accumulate into .grad across calls", () => {
    const s = get<{ grads: Encoded[] }>("gradient_accumulation");
    const x = leaf([1.0, -2.0, 3.0]);
    const y = x.mul(x).sum();
    y.backward(null, { retain_graph: true });
    close(x.grad!.clone(), s.grads[0]!);
    y.backward();
    close(x.grad!.clone(), s.grads[1]!);
    x.mul(3).sum().backward();
    close(x.grad!, s.grads[2]!);
  });

  it("accumulate in place, so an earlier reference to .grad sees the sum", () => {
    const s = get<{ same_object: boolean; g: Encoded }>("grad_reference_accumulates_in_place");
    const x = leaf([1.0, 2.0]);
    x.mul(2).sum().backward();
    const g = x.grad!;
    x.mul(3).sum().backward();
    expect(g === x.grad).toBe(s.same_object);
    close(g, s.g);
  });

  it("a second backward without retain_graph fails with PyTorch's text", () => {
    const x = leaf([1.0, 2.0]);
    const y = x.mul(x).sum();
    y.backward();
    expectPyError(() => y.backward(), get<{ error: PyError }>("retain_graph_error").error);
  });

  it("refuse what PyTorch refuses", () => {
    const s = get<{ errors: PyError[] }>("backward_errors");
    const x = leaf([1.0, 2.0]);
    const calls = [
      () => x.mul(2).backward(),
      () => torch.tensor([1.5]).backward(),
      () => torch.tensor([1.5, 2.5]).sum().backward(),
      () => x.mul(2).backward(torch.ones(3)),
      () => torch.autograd.grad(x.mul(2).sum(), torch.ones(2)),
      () => torch.autograd.grad(x.mul(2).sum(), [x, torch.ones(2, { requires_grad: true })]),
    ];
    calls.forEach((call, i) => expectPyError(call, s.errors[i]!, `call ${i}`));
  });

  it("take an explicit gradient for a non-scalar output", () => {
    const x = leaf([1.0, 2.0, 3.0]);
    x.mul(x).backward(torch.tensor([1.0, 0.5, -1.0]));
    close(x.grad!, get<{ x_grad: Encoded }>("backward_with_gradient").x_grad);
  });
});

describe("grad mode", () => {
  it("no_grad, enable_grad and set_grad_enabled scope the graph as PyTorch's context managers do", () => {
    const s = get<Record<string, unknown>>("grad_mode_scopes");
    const x = leaf([1.0, 2.0]);
    let b: Tensor | undefined;
    const a = torch.no_grad(() => {
      const r = x.mul(2);
      b = torch.enable_grad(() => x.mul(2));
      return r;
    });
    const c = torch.set_grad_enabled(false, () => x.mul(2))!;
    const d = torch.set_grad_enabled(true, () => x.mul(2))!;
    expect([a.requires_grad, a.grad_fn === null]).toEqual(s.a);
    expect([b!.requires_grad, b!.grad_fn!.name()]).toEqual(s.b);
    expect([c.requires_grad, c.grad_fn === null]).toEqual(s.c);
    expect([d.requires_grad, d.grad_fn!.name()]).toEqual(s.d);
    expect(torch.is_grad_enabled()).toBe(s.enabled_after);
  });

  it("scopes return the callback's value and restore the mode after a throw", () => {
    expect(torch.no_grad(() => 42)).toBe(42);
    expect(torch.enable_grad(() => "x")).toBe("x");
    expect(torch.set_grad_enabled(false, () => [1])).toEqual([1]);
    expect(() => torch.no_grad(() => { throw new Error("boom"); })).toThrow("boom");
    expect(torch.is_grad_enabled()).toBe(true);
  });

  it("detach shares memory and leaves the graph", () => {
    const s = get<{ d: boolean[]; y: Encoded; version: number }>("detach_shares_storage");
    const x = leaf([1.0, 2.0, 3.0]);
    const y = x.mul(2);
    const d = y.detach();
    d.mul_(-1);
    expect([d.requires_grad, d.is_leaf, d.grad_fn === null]).toEqual(s.d);
    expectTensor(y.detach(), s.y);
    expect(y._version).toBe(s.version);
  });
});

describe("retain_grad and hooks", () => {
  it("retain_grad keeps the gradient of non-leaves", () => {
    const s = get<Record<string, Encoded> & { retains: boolean[] }>("retain_grad_values");
    const x = leaf([1.0, 2.0, 3.0]);
    const y = x.mul(x);
    y.retain_grad();
    const z = y.sin();
    z.retain_grad();
    z.sum().backward();
    close(y.grad!, s.y_grad!);
    close(z.grad!, s.z_grad!);
    close(x.grad!, s.x_grad!);
    expect([y.retains_grad, x.retains_grad]).toEqual(s.retains);
  });

  it("hooks see the gradient and a returned tensor replaces it", () => {
    const s = get<{ x_grad: Encoded; seen: Encoded[] }>("hooks_replace_gradient");
    const x = leaf([1.0, 2.0, 3.0]);
    x.register_hook((g) => g.mul(10));
    const y = x.mul(x);
    const seen: Tensor[] = [];
    y.register_hook((g) => void seen.push(g.clone()));
    y.register_hook((g) => g.add(1));
    y.sum().backward();
    close(x.grad!, s.x_grad);
    expect(seen.length).toBe(s.seen.length);
    seen.forEach((g, i) => close(g, s.seen[i]!));
  });

  it("a removed hook no longer runs", () => {
    const x = leaf([1.0, 2.0]);
    const handle = x.register_hook((g) => g.mul(100));
    handle.remove();
    x.mul(3).sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  it("hooks and retain_grad refuse tensors that do not require grad", () => {
    const s = get<{ errors: PyError[] }>("hook_errors");
    expectPyError(() => torch.tensor([1.5, 2.5]).register_hook((g) => g), s.errors[0]!);
    expectPyError(() => torch.tensor([1.5, 2.5]).retain_grad(), s.errors[1]!);
  });
});

describe("torch.autograd.grad", () => {
  it("create_graph gives differentiable gradients: d/dx, d²/dx², d³/dx³ of x³ at 2", () => {
    const s = get<Record<string, unknown>>("double_backward_cube");
    const x = leaf(2.0, f64);
    const y = x.pow(3);
    const [g] = torch.autograd.grad(y, x, null, { create_graph: true });
    const [g2] = torch.autograd.grad(g!, x, null, { create_graph: true });
    const [g3] = torch.autograd.grad(g2!, x);
    close(g!, s.g as Encoded);
    close(g2!, s.g2 as Encoded);
    close(g3!, s.g3 as Encoded);
    expect(g!.requires_grad).toBe(s.g_requires_grad);
    expect(x.grad === null).toBe(s.x_grad_is_none);
  });

  it("backward through a gradient (gradient penalty)", () => {
    const s = get<Record<string, Encoded>>("double_backward_through_backward");
    const x = leaf([0.5, -1.0, 2.0], f64);
    const y = x.sin().mul(x.exp()).sum();
    const [g] = torch.autograd.grad(y, x, null, { create_graph: true });
    g!.mul(g!).sum().backward();
    close(g!, s.g!);
    close(x.grad!, s.x_grad!);
  });

  it("returns one gradient per input and leaves .grad alone", () => {
    const s = get<Record<string, Encoded> & { grads_untouched: boolean[] }>("autograd_grad_multiple");
    const x = leaf([1.0, 2.0], f64);
    const w = leaf([3.0, -1.0], f64);
    const [gx, gw] = torch.autograd.grad(x.mul(w).add(x.exp()).sum(), [x, w]);
    close(gx!, s.gx!);
    close(gw!, s.gw!);
    expect([x.grad === null, w.grad === null]).toEqual(s.grads_untouched);
  });
});

describe("grad_fn names match PyTorch 2.x", () => {
  const x = () => leaf([0.5, 2.0]);
  type F = (x: Tensor, y: Tensor, z: Tensor) => Tensor;
  const calls: Record<string, F> = {
    add: (x, y) => torch.add(x, y), add_scalar: (x) => torch.add(x, 2), add_alpha: (x, y) => torch.add(x, y, { alpha: 2 }),
    sub: (x, y) => torch.sub(x, y), sub_scalar: (x) => torch.sub(x, 2), scalar_sub: (x) => torch.sub(2, x),
    rsub: (x, y) => torch.rsub(x, y), rsub_scalar: (x) => torch.rsub(x, 2),
    mul: (x, y) => torch.mul(x, y), mul_scalar: (x) => torch.mul(x, 2), mul_0d: (x, _y, z) => torch.mul(x, z),
    div: (x, y) => torch.div(x, y), div_scalar: (x) => torch.div(x, 2),
    div_trunc: (x, y) => torch.div(x, y, { rounding_mode: "trunc" }), div_floor: (x, y) => torch.div(x, y, { rounding_mode: "floor" }),
    pow_scalar: (x) => torch.pow(x, 2), pow_tensor: (x, y) => torch.pow(x, y), scalar_pow: (x) => torch.pow(2, x),
    atan2: (x, y) => torch.atan2(x, y), remainder: (x, y) => torch.remainder(x, y), remainder_scalar: (x) => torch.remainder(x, 2),
    fmod: (x, y) => torch.fmod(x, y), fmod_scalar: (x) => torch.fmod(x, 2),
    maximum: (x, y) => torch.maximum(x, y), minimum: (x, y) => torch.minimum(x, y),
    where: (x, y) => torch.where(x.gt(1), x, y), masked_fill: (x) => x.masked_fill(x.gt(1), 0.5),
    clamp: (x) => x.clamp(0, 1), clamp_tensor: (x) => x.clamp(torch.zeros(2)),
    clone: (x) => x.clone(), to_float64: (x) => x.to(torch.float64), contiguous: (x) => x.expand(2, 2).contiguous(),
    eq: (x, y) => torch.eq(x, y), detach: (x) => x.detach(), sum: (x) => x.sum(),
    add_inplace: (x, y) => x.mul(1).add_(y), mul_inplace: (x) => x.mul(1).mul_(2), exp_inplace: (x) => x.mul(1).exp_(),
    clamp_inplace: (x) => x.mul(1).clamp_(0, 1), fill_inplace: (x) => x.mul(1).fill_(2.5), zero_inplace: (x) => x.mul(1).zero_(),
    copy_inplace: (x) => torch.zeros(2).copy_(x),
  };

  for (const [name, expected] of Object.entries(fixtures.grad_fns)) {
    it(name, () => {
      const fn: F = calls[name] ?? ((t) => (torch as unknown as Record<string, (t: Tensor) => Tensor>)[name]!(t));
      const out = fn(x(), leaf([1.5, 3.0]), leaf(2.0));
      // PyTorch's name() of its C++-only nodes carries the namespace; the node's repr (what
      // torch-ts's name is for) does not: <CopyBackwards>.
      const want = expected?.replace(/^torch::autograd::/, "") ?? null;
      expect(out.grad_fn?.name() ?? null).toBe(want);
    });
  }
});
