// A leaf's first .grad may take the engine's own gradient buffer instead of a copy (as
// PyTorch's AccumulateGrad steals it); these tests check that it never takes one that anything
// else can still see, and that relu's one-kernel gradient stays differentiable.
import { describe, expect, it } from "vitest";
import torch from "../../src/index.js";

const values = (t: any) => Array.from(t.contiguous()._values() as Float32Array);

describe("AccumulateGrad and the engine's gradient buffers", () => {
  it("gives two leaves fed by one AddBackward gradient separate .grad storage", () => {
    const a = torch.ones([3], { requires_grad: true });
    const b = torch.ones([3], { requires_grad: true });
    a.add(b).sum().backward();
    expect(a.grad!._storage).not.toBe(b.grad!._storage);
    a.grad!.add_(5);
    expect(values(b.grad)).toEqual([1, 1, 1]);
  });

  it("never takes a gradient the user passed to backward", () => {
    const a = torch.ones([2, 2], { requires_grad: true });
    const g = torch.full([2, 2], 3);
    a.mul(1).backward(g);
    expect(a.grad!._storage).not.toBe(g._storage);
    // a.view(...) hands the user's gradient through ViewBackward unchanged
    const c = torch.ones([4], { requires_grad: true });
    const g2 = torch.full([2, 2], 2);
    c.view([2, 2]).backward(g2);
    // an int64 gradient is cast to the leaf's dtype, as PyTorch's engine does
    expect(c.grad!.dtype).toBe(torch.float32);
    expect(c.grad!._storage).not.toBe(g2._storage);
    g2.fill_(9);
    expect(values(c.grad)).toEqual([2, 2, 2, 2]);
  });

  it("never takes a gradient a hook has seen", () => {
    const a = torch.ones([3], { requires_grad: true });
    let seen: any = null;
    a.register_hook((g: any) => {
      seen = g;
    });
    a.mul(2).sum().backward();
    expect(a.grad!._storage).not.toBe(seen._storage);
    seen.fill_(0);
    expect(values(a.grad)).toEqual([2, 2, 2]);
  });

  it("gives Linear's weight a contiguous [out, in] gradient of its own, equal to gradᵀ·x", () => {
    torch.manual_seed(0);
    const lin = new torch.nn.Linear(5, 3);
    const x = torch.randn([4, 5]);
    const gOut = torch.randn([4, 3]);
    lin.forward(x).backward(gOut);
    const wg = lin.weight.grad!;
    expect(wg._base).toBeNull();
    expect(wg.is_contiguous()).toBe(true);
    expect(wg.shape).toEqual([3, 5]);
    const expected = gOut.t().contiguous().mm(x);
    expect(torch.allclose(wg, expected, { rtol: 1e-6, atol: 1e-6 })).toBe(true);
  });

  it("accumulates later backward passes in place into the first .grad", () => {
    const w = torch.ones([2, 3], { requires_grad: true });
    const x = torch.ones([4, 2]);
    const loss = () => x.mm(w).sum();
    loss().backward();
    const first = w.grad!;
    loss().backward();
    expect(w.grad).toBe(first);
    expect(values(first)).toEqual([8, 8, 8, 8, 8, 8]);
  });

  it("keeps .grad and a retained non-leaf gradient apart", () => {
    const a = torch.ones([3], { requires_grad: true });
    const b = a.mul(1);
    b.retain_grad();
    b.sum().backward();
    expect(a.grad!._storage).not.toBe(b.grad!._storage);
  });
});

describe("relu's gradient in one kernel", () => {
  it("is grad where the result is positive, and lets NaN results through", () => {
    const x = torch.tensor([-1, 0, 2, NaN], { dtype: torch.float32, requires_grad: true });
    x.relu().backward(torch.tensor([10, 20, 30, 40], { dtype: torch.float32 }));
    const g = values(x.grad);
    expect(g.slice(0, 3)).toEqual([0, 0, 30]);
    // relu(NaN) is NaN, and NaN <= 0 is false: threshold_backward passes the gradient
    expect(g[3]).toBe(40);
  });

  it("records ThresholdBackwardBackward0 under create_graph, as PyTorch, and double backward works", () => {
    const x = torch.tensor([-1, 2, 3], { dtype: torch.float64, requires_grad: true });
    const g = torch.ones([3], { dtype: torch.float64, requires_grad: true });
    const [gx] = torch.autograd.grad([x.relu()], [x], [g], { create_graph: true });
    expect(gx!.grad_fn!.name()).toBe("ThresholdBackwardBackward0");
    expect(gx!.grad_fn!.next_functions.map((e: any) => e?.[0].name() ?? null)).toEqual([
      "torch::autograd::AccumulateGrad",
      "ReluBackward0",
    ]);
    gx!.mul(torch.tensor([1, 2, 3], { dtype: torch.float64 })).sum().backward();
    expect(Array.from(g.grad!._values() as Float64Array)).toEqual([0, 2, 3]);
  });
});
