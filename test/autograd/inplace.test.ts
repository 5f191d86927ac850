/**
 * In-place ops and autograd against PyTorch (test/golden/core/autograd.json): in-place chains
 * on non-leaf tensors, version counters, the leaf-requires-grad error, the "modified by an
 * inplace operation" error at backward (with and without its "which is output N of ..."
 * clause), in-place dtype-cast errors, and in-place ops whose backward needs the overwritten
 * input (PyTorch keeps the original values).
 */

import { describe, expect, it, vi } from "vitest";

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

describe("memory overlap of in-place writes (TensorIterator's checks)", () => {
  // The cases of scripts/golden/core.py overlap_cases(), by name: each returns the tensor
  // written to (its base where the write goes through a view).
  const F = torch.nn.functional;
  const E = () => torch.zeros(3).expand(2, 3);
  const A = () => torch.arange(6, { dtype: torch.float32 });
  const ones = () => torch.ones(2, 3);
  const expanded = (op: (t: Tensor) => unknown) => () => {
    const t = E();
    op(t);
    return t;
  };
  const onBase = (make: () => Tensor, op: (a: Tensor) => unknown) => () => {
    const base = make();
    op(base);
    return base;
  };
  const head = (a: Tensor) => a.narrow(0, 0, a.shape[0]! - 1); // a[:-1]
  const tail = (a: Tensor) => a.narrow(0, 1, a.shape[0]! - 1); // a[1:]
  const cases: Record<string, () => Tensor> = {
    expanded_add: expanded((t) => t.add_(ones())),
    expanded_add_scalar: expanded((t) => t.add_(1)),
    expanded_sub: expanded((t) => t.sub_(ones())),
    expanded_mul_scalar: expanded((t) => t.mul_(2)),
    expanded_div: expanded((t) => t.div_(ones())),
    expanded_pow: expanded((t) => t.pow_(2)),
    expanded_atan2: expanded((t) => t.atan2_(ones())),
    expanded_clamp: expanded((t) => t.clamp_(0, 1)),
    expanded_clamp_min: expanded((t) => t.clamp_min_(0)),
    expanded_clamp_max: expanded((t) => t.clamp_max_(0)),
    expanded_addcmul: expanded((t) => t.addcmul_(ones(), ones())),
    expanded_addcdiv: expanded((t) => t.addcdiv_(ones(), ones())),
    expanded_lerp: expanded((t) => t.lerp_(ones(), 0.5)),
    expanded_index_add: expanded((t) => t.index_add_(0, torch.tensor([0]), torch.ones(1, 3))),
    expanded_scatter: expanded((t) => t.scatter_(0, torch.zeros([1, 3], { dtype: torch.int64 }), torch.ones(1, 3))),
    expanded_scatter_add: expanded((t) => t.scatter_add_(0, torch.zeros([1, 3], { dtype: torch.int64 }), torch.ones(1, 3))),
    expanded_copy: expanded((t) => t.copy_(ones())),
    expanded_sin: expanded((t) => t.sin_()),
    expanded_exp: expanded((t) => t.exp_()),
    expanded_relu: expanded((t) => t.relu_()),
    expanded_neg: expanded((t) => t.neg_()),
    expanded_uniform: expanded((t) => t.uniform_()),
    expanded_normal: expanded((t) => t.normal_()),
    expanded_bernoulli: expanded((t) => t.bernoulli_(0.5)),
    expanded_F_relu: expanded((t) => F.relu(t, true)),
    expanded_F_leaky_relu: expanded((t) => F.leaky_relu(t, { inplace: true })),
    expanded_F_silu: expanded((t) => F.silu(t, true)),
    expanded_F_dropout: expanded((t) => F.dropout(t, { p: 0.5, inplace: true })),
    expanded_shape_mismatch: expanded((t) => t.add_(torch.ones(4))),
    expanded_zero: expanded((t) => t.zero_()),
    expanded_fill: expanded((t) => t.fill_(2)),
    expanded_fill_tensor: expanded((t) => t.fill_(torch.tensor(2.0))),
    expanded_masked_fill: expanded((t) => t.masked_fill_(ones().bool(), 1.0)),
    expanded_tril: () => torch.zeros(3).expand(3, 3).tril_(),
    expanded_triu: () => torch.zeros(3).expand(3, 3).triu_(),
    expanded_F_dropout_p0: expanded((t) => F.dropout(t, { p: 0, inplace: true })),
    expanded_copy_self: expanded((t) => t.copy_(t)),
    shifted_add: onBase(A, (a) => tail(a).add_(head(a))),
    shifted_add_alpha: onBase(A, (a) => tail(a).add_(head(a), { alpha: -0.5 })),
    shifted_mul: onBase(A, (a) => tail(a).mul_(head(a))),
    shifted_pow: onBase(A, (a) => tail(a).pow_(head(a))),
    shifted_copy: onBase(A, (a) => tail(a).copy_(head(a))),
    shifted_addcmul: onBase(A, (a) => tail(a).addcmul_(head(a), torch.ones(5))),
    shifted_lerp: onBase(A, (a) => tail(a).lerp_(head(a), 0.5)),
    shifted_clamp_min: onBase(A, (a) => tail(a).clamp_(head(a), null)),
    row_of_self_add: onBase(() => A().reshape(2, 3), (a) => a.add_(a.select(0, 0))),
    transpose_of_self_add: onBase(() => torch.arange(4, { dtype: torch.float32 }).reshape(2, 2), (a) => a.add_(a.t())),
    transpose_of_self_copy: onBase(() => torch.arange(4, { dtype: torch.float32 }).reshape(2, 2), (a) => a.copy_(a.t())),
    self_add: onBase(A, (a) => a.add_(a)),
    self_mul_view: onBase(A, (a) => a.mul_(a.view(2, 3).view(6))),
    disjoint_add: onBase(A, (a) => a.narrow(0, 0, 3).add_(a.narrow(0, 3, 3))),
    // a[::2] and a[1::2]: every other element, as columns of a (3, 2) view
    strided_add: onBase(A, (a) => a.view(3, 2).select(1, 0).add_(a.view(3, 2).select(1, 1))),
    shifted_index_add_source: onBase(A, (a) => tail(a).index_add_(0, torch.tensor([0]), a.narrow(0, 0, 1))),
    shifted_scatter_source: onBase(A, (a) => tail(a).scatter_(0, torch.tensor([0]), a.narrow(0, 0, 1))),
  };
  const s = get<Record<string, { error?: PyError; value?: Encoded }>>("memory_overlap");
  const extra = ["leaf_expanded_add", "masked_fill_expanded_warnings"];

  it("covers every PyTorch case", () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(s).filter((k) => !extra.includes(k)).sort());
  });
  // Defined before the cases below, which include masked_fill_ of an expanded tensor: the
  // warning is printed once per process, so this test must see it first.
  it("masked_fill_ of an expanded tensor warns as PyTorch does (once per process), and fills", () => {
    const want = (s as unknown as Record<string, { category: string; message: string }[]>).masked_fill_expanded_warnings!;
    expect(want.length).toBe(1);
    const spy = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const t = E();
      t.masked_fill_(ones().bool(), 1.0);
      E().masked_fill_(ones().bool(), 1.0);
      torch.zeros(2, 3).masked_fill_(ones().bool(), 1.0); // not expanded: no warning
      expect(spy.mock.calls).toEqual([[`${want[0]!.category}: ${want[0]!.message}`]]);
      expect(t.tolist()).toEqual([[1, 1, 1], [1, 1, 1]]);
    } finally {
      spy.mockRestore();
    }
  });
  for (const [name, run] of Object.entries(cases)) {
    it(name, () => {
      const want = s[name]!;
      torch.manual_seed(0);
      if (want.error) expectPyError(run, want.error);
      else expectTensor(run(), want.value!);
    });
  }
  it("the leaf rule comes before the overlap check", () => {
    const x = leaf([1.0, 2.0, 3.0]);
    expectPyError(() => x.expand(2, 3).add_(1), s.leaf_expanded_add!.error!);
  });
  it("a refused write leaves the tensor and its version as they were", () => {
    const a = A();
    const v = a._version;
    expect(() => tail(a).add_(head(a))).toThrow(/some elements of the input tensor/);
    expect(a._version).toBe(v);
    expect(a.tolist()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
