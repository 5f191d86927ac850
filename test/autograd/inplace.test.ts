/**
 * In-place ops and autograd against PyTorch (test/golden/core/autograd.json): in-place chains
 * on non-leaf tensors, version counters, the leaf-requires-grad error, the "modified by an
 * inplace operation" error at backward (with and without its "which is output N of ..."
 * clause), in-place dtype-cast errors, and in-place ops whose backward needs the overwritten
 * input (PyTorch keeps the original values).
 */

import { describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { expectPyError, expectTensor, golden, type Encoded, type PyError } from "../golden/core/load.js";
import { TOLERANCE } from "../harness/tolerance.js";

type Scenario = Record<string, unknown>;
const { scenarios } = golden<{ scenarios: Record<string, Scenario> }>("autograd");

function get<T>(name: string): T {
  const s = scenarios[name];
  expect(s, name).toBeDefined();
  return s as T;
}

const leaf = (values: number[] | number, dtype = torch.float32) => torch.tensor(values, { dtype, requires_grad: true });
const rtol = (e: Encoded) => TOLERANCE[e.dtype as "float32" | "float64"].gradRtol;

describe("in-place ops on non-leaf tensors", () => {
  it("record their nodes, bump the version and backpropagate like PyTorch", () => {
    const s = get<{ versions: number[]; names: string[]; y: Encoded; x_grad: Encoded }>("inplace_chain_on_nonleaf");
    const x = leaf([1.5, -2.0, 3.0]);
    const y = x.mul(2);
    const v0 = y._version;
    y.add_(1);
    const v1 = y._version;
    const afterAdd = y.grad_fn!.name();
    y.mul_(x);
    const afterMul = y.grad_fn!.name();
    y.sub_(0.5, { alpha: 2 });
    y.div_(torch.tensor([2.0, 4.0, 8.0]));
    y.pow_(2);
    y.sum().backward();
    expect([v0, v1, y._version]).toEqual(s.versions);
    expect([afterAdd, afterMul, y.grad_fn!.name()]).toEqual(s.names);
    expectTensor(y, s.y, { rtol: rtol(s.y) });
    expectTensor(x.grad!, s.x_grad, { rtol: rtol(s.x_grad) });
  });

  it("unary in-place ops keep the input their backward needs", () => {
    const s = get<{ y: Encoded; name: string; x_grad: Encoded; version: number }>("inplace_unary_methods");
    const x = leaf([0.3, -0.7, 1.2]);
    const y = x.mul(1);
    y.abs_();
    y.sin_();
    y.add_(1);
    y.sqrt_();
    y.sum().backward();
    expectTensor(y, s.y, { rtol: rtol(s.y) });
    expect(y.grad_fn!.name()).toBe(s.name);
    expect(y._version).toBe(s.version);
    expectTensor(x.grad!, s.x_grad, { rtol: rtol(s.x_grad) });
  });

  it("binary in-place ops keep the input their backward needs", () => {
    const s = get<{ y: Encoded; x_grad: Encoded; w_grad: Encoded }>("inplace_binary_saving_self");
    const x = leaf([1.0, 2.0]);
    const w = leaf([3.0, -4.0]);
    const y = x.mul(1);
    y.mul_(w);
    y.div_(w.exp());
    y.pow_(2);
    y.sum().backward();
    expectTensor(y, s.y, { rtol: rtol(s.y) });
    expectTensor(x.grad!, s.x_grad, { rtol: rtol(s.x_grad) });
    expectTensor(w.grad!, s.w_grad, { rtol: rtol(s.w_grad) });
  });

  it("the kept original stays in the graph, so double backward through an in-place op works", () => {
    // d/dx sin x = cos x and d²/dx² sin x = -sin x, with sin applied in place.
    const xs = [0.3, 1.2];
    const x = leaf(xs, torch.float64);
    const y = x.mul(1);
    y.sin_();
    const [g] = torch.autograd.grad(y.sum(), x, null, { create_graph: true });
    const [g2] = torch.autograd.grad(g!.sum(), x);
    (g!.tolist() as number[]).forEach((v, i) => expect(v).toBeCloseTo(Math.cos(xs[i]!), 14));
    (g2!.tolist() as number[]).forEach((v, i) => expect(v).toBeCloseTo(-Math.sin(xs[i]!), 14));
  });

  it("share one version counter between a tensor, its views and its detached alias", () => {
    const s = get<{ versions: number[]; t: Encoded }>("version_counter");
    const t = torch.zeros(3);
    const versions = [t._version];
    t.add_(1);
    versions.push(t._version);
    t.mul_(2);
    versions.push(t._version);
    t.fill_(5);
    versions.push(t._version);
    t.zero_();
    versions.push(t._version);
    t.copy_(torch.ones(3));
    versions.push(t._version);
    const v = t.narrow(0, 1, 2);
    v.add_(1);
    versions.push(t._version, v._version);
    t.detach().add_(1);
    versions.push(t._version);
    versions.push(t.add(1)._version);
    expect(versions).toEqual(s.versions);
    expectTensor(t, s.t);
  });

  it("saved tensors that no backward reads may change freely", () => {
    const s = get<{ x_grad: Encoded }>("inplace_not_saved_is_fine");
    const x = leaf([1.0, 2.0]);
    const y = x.add(1);
    const z = y.mul(3);
    y.add_(1);
    z.sum().backward();
    expectTensor(x.grad!, s.x_grad);
  });
});

describe("in-place errors match PyTorch", () => {
  it("a leaf that requires grad, or a view of one, refuses in-place ops unless under no_grad", () => {
    const s = get<{ errors: PyError[]; x: Encoded; version: number; requires_grad: boolean; is_leaf: boolean }>("leaf_inplace_error");
    const x = leaf([1.0, 2.0]);
    expectPyError(() => x.add_(1), s.errors[0]!);
    expectPyError(() => x.narrow(0, 0, 1).add_(1), s.errors[1]!);
    expectPyError(() => x.narrow(0, 0, 1).mul_(2), s.errors[2]!);
    torch.no_grad(() => x.add_(1));
    expectTensor(x.detach(), s.x);
    expect([x._version, x.requires_grad, x.is_leaf]).toEqual([s.version, s.requires_grad, s.is_leaf]);
  });

  const modified: [string, () => () => void][] = [
    ["modified_output_error", () => {
      const z = leaf([1.0, 2.0]).exp();
      z.add_(1);
      return () => z.sum().backward();
    }],
    ["modified_input_error", () => {
      const w = leaf([1.0, 2.0]).mul(1);
      const z = w.sin();
      w.mul_(2);
      return () => z.sum().backward();
    }],
    ["modified_input_error_grad_fn_at_backward", () => {
      const w = leaf([1.0, 2.0]).exp();
      const z = w.sin();
      w.mul_(2);
      return () => z.sum().backward();
    }],
    ["modified_leaf_error", () => {
      const x = leaf([1.0, 2.0]);
      const y = x.sin();
      torch.no_grad(() => x.add_(1));
      return () => y.sum().backward();
    }],
    ["modified_constant_error", () => {
      const a = torch.ones(2);
      const y = leaf([1.0, 2.0]).mul(a);
      a.add_(1);
      return () => y.sum().backward();
    }],
    ["modified_double_0d_error", () => {
      const w = leaf(2.0, torch.float64).mul(1);
      const z = w.mul(w);
      w.add_(1);
      return () => z.backward();
    }],
    ["inplace_saved_output_modified", () => {
      const y = leaf([1.0, 2.0]).mul(1);
      y.exp_();
      y.mul_(2);
      return () => y.sum().backward();
    }],
  ];
  for (const [name, setup] of modified) {
    it(`backward after a saved tensor changed: ${name}`, () => {
      expectPyError(setup(), get<{ error: PyError }>(name).error);
    });
  }

  it("an in-place result must fit the tensor's dtype and shape", () => {
    const s = get<{ errors: PyError[] }>("inplace_dtype_errors");
    const calls = [
      () => torch.tensor([1, 2]).add_(1.5),
      () => torch.tensor([1, 2]).mul_(torch.tensor(1.5)),
      () => torch.tensor([true]).add_(1),
      () => torch.tensor([1, 2]).div_(2),
      () => torch.tensor([1, 2], { dtype: torch.int32 }).sub_(torch.tensor([0.5])),
      () => torch.tensor([1.5, 2.5]).add_(torch.ones(2, 2)),
      () => torch.tensor([1.5, 2.5]).add_(torch.ones(3)),
    ];
    calls.forEach((call, i) => expectPyError(call, s.errors[i]!, `call ${i}`));
  });

  it("an in-place result that fits is cast into the tensor", () => {
    const s = get<Record<string, Encoded>>("inplace_dtype_ok");
    const a = torch.tensor([1.5, 2.5]);
    a.add_(torch.tensor([1, 2]));
    const b = torch.tensor([1, 2], { dtype: torch.int32 });
    b.add_(torch.tensor(2n ** 40n + 3n));
    const c = torch.tensor([1, 2], { dtype: torch.float64 });
    c.mul_(torch.tensor([3], { dtype: torch.float32 }));
    const d = torch.tensor([7, -7]);
    d.floor_divide_(2);
    const e = torch.tensor([true, false]);
    e.mul_(true);
    const f = torch.zeros(2, 3);
    f.add_(torch.tensor([1, 2, 3], { dtype: torch.float32 }));
    const got: Record<string, Tensor> = { a, b, c, d, e, f };
    for (const k of Object.keys(got)) expectTensor(got[k]!, s[k]!, { label: k });
  });
});
