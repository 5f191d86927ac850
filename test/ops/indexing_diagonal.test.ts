/**
 * diagonal, diag_embed, diag, tril, triu: PyTorch's documented behaviour and float64
 * finite-difference checks of their gradients, beyond the golden fixtures
 * (indexing_golden.test.ts).
 */

import { describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";

// ---- a small float64 gradcheck --------------------------------------------------------------

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

const numelOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function leaf(values: Float64Array, shape: readonly number[], requiresGrad: boolean): Tensor {
  const t = torch.tensor(Float64Array.from(values)).reshape(shape).clone();
  return requiresGrad ? t.requires_grad_(true) : t;
}

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];

/**
 * Checks backward's gradient of L(x) = Σ_k <f(x)_k, v_k> (random v) against central
 * differences, element by element, in float64.
 */
function gradcheck(f: Fn, shapes: readonly (readonly number[])[], seed = 7): void {
  const rand = lcg(seed);
  const values = shapes.map((s) => Float64Array.from({ length: numelOf(s) }, rand));
  const run = (vals: Float64Array[], rg: boolean) => {
    const xs = vals.map((v, i) => leaf(v, shapes[i]!, rg));
    const out = f(...xs);
    return { xs, outs: Array.isArray(out) ? out : [out] };
  };
  const { xs, outs } = run(values, true);
  const vs = outs.map((o) => Float64Array.from({ length: o.numel() }, rand));
  const loss = (os: Tensor[]) =>
    os.reduce((acc, o, k) => acc + Array.from(o._values() as Float64Array).reduce((a, x, j) => a + x * vs[k]![j]!, 0), 0);
  torch.autograd.backward(outs, outs.map((o, k) => leaf(vs[k]!, o.shape, false)));
  const eps = 1e-6;
  values.forEach((v, i) => {
    const grad = xs[i]!.grad ? Array.from(xs[i]!.grad!._values() as Float64Array) : new Array<number>(v.length).fill(0);
    for (let j = 0; j < v.length; j++) {
      const plus = values.map((a) => a.slice());
      const minus = values.map((a) => a.slice());
      plus[i]![j] += eps;
      minus[i]![j] -= eps;
      const numeric = (loss(run(plus, false).outs) - loss(run(minus, false).outs)) / (2 * eps);
      expect(grad[j], `d/d input ${i}[${j}]`).toBeCloseTo(numeric, 6);
    }
  });
}

/**
 * Double backward of an affine f: the gradient of <w, J^T v> with respect to v is J w,
 * which is f(w) - f(0).
 */
function gradgradcheck(f: (x: Tensor) => Tensor, shape: readonly number[], seed = 11): void {
  const rand = lcg(seed);
  const x = leaf(Float64Array.from({ length: numelOf(shape) }, rand), shape, true);
  const out = f(x);
  const v = leaf(Float64Array.from({ length: out.numel() }, rand), out.shape, true);
  const [g] = torch.autograd.grad([out], [x], [v], { create_graph: true });
  const w = leaf(Float64Array.from({ length: x.numel() }, rand), shape, false);
  const [gv] = torch.autograd.grad([g!.mul(w).sum()], [v]);
  const want = f(w).sub(f(torch.zeros(shape, { dtype: torch.float64 })));
  expect(Array.from(gv!._values() as Float64Array)).toEqual(Array.from(want._values() as Float64Array));
}

// ---- tests --------------------------------------------------------------------------------

describe("torch.diagonal", () => {
  it("is a view with the diagonal as the last dim", () => {
    const a = torch.arange(9).reshape([3, 3]);
    const d = torch.diagonal(a);
    expect(d.tolist()).toEqual([0, 4, 8]);
    expect(d._storage).toBe(a._storage);
    expect(torch.diagonal(a, 1).tolist()).toEqual([1, 5]);
    expect(torch.diagonal(a, -1).tolist()).toEqual([3, 7]);
    const x = torch.arange(24).reshape([2, 3, 4]);
    expect(x.diagonal({ dim1: -2, dim2: -1 }).tolist()).toEqual([[0, 5, 10], [12, 17, 22]]);
    expect(x.diagonal(0, 0, 2).tolist()).toEqual([[0, 13], [4, 17], [8, 21]]);
  });

  it("a write through the diagonal lands in the input", () => {
    const a = torch.zeros([2, 2]);
    a.diagonal().fill_(1);
    expect(a.tolist()).toEqual([[1, 0], [0, 1]]);
  });

  it("gradcheck and double backward", () => {
    gradcheck((x) => x!.diagonal(), [[3, 4]]);
    gradcheck((x) => x!.diagonal(-1, 2, 1), [[2, 3, 4]]);
    gradcheck((x) => x!.diagonal(2), [[3, 4]]);
    gradcheck((x) => x!.t().diagonal(1), [[4, 3]]);
    gradgradcheck((x) => x.diagonal(1, 0, 2), [3, 2, 4]);
  });
});

describe("torch.diag_embed, torch.diag", () => {
  it("diag_embed puts the last dim on diagonals", () => {
    expect(torch.diag_embed(torch.tensor([[1, 2], [3, 4]])).tolist()).toEqual([[[1, 0], [0, 2]], [[3, 0], [0, 4]]]);
    expect(torch.tensor([1, 2]).diag_embed(1).tolist()).toEqual([[0, 1, 0], [0, 0, 2], [0, 0, 0]]);
  });

  it("diag of 1-D makes a matrix, diag of 2-D takes a copy of a diagonal", () => {
    expect(torch.diag(torch.tensor([1, 2])).tolist()).toEqual([[1, 0], [0, 2]]);
    expect(torch.diag(torch.tensor([1, 2]), -1).tolist()).toEqual([[0, 0, 0], [1, 0, 0], [0, 2, 0]]);
    const m = torch.arange(9).reshape([3, 3]);
    const d = m.diag(1);
    expect(d.tolist()).toEqual([1, 5]);
    expect(d._storage).not.toBe(m._storage);
  });

  it("gradcheck and double backward", () => {
    gradcheck((x) => x!.diag_embed(), [[2, 3]]);
    gradcheck((x) => x!.diag_embed(1, 0, 2), [[2, 3]]);
    gradcheck((x) => x!.diag(-1), [[3]]);
    gradcheck((x) => x!.diag(1), [[3, 4]]);
    gradgradcheck((x) => x.diag(), [3]);
    gradgradcheck((x) => x.diag(-1), [3, 3]);
  });
});

describe("torch.tril, torch.triu", () => {
  it("keep the lower and upper triangles of the last two dims", () => {
    const a = torch.ones([3, 3]);
    expect(torch.tril(a).tolist()).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    expect(torch.tril(a, -1).tolist()).toEqual([[0, 0, 0], [1, 0, 0], [1, 1, 0]]);
    expect(torch.triu(a, 1).tolist()).toEqual([[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
    expect(torch.ones([2, 2, 3]).triu().tolist()).toEqual([[[1, 1, 1], [0, 1, 1]], [[1, 1, 1], [0, 1, 1]]]);
  });

  it("tril_ and triu_ write in place", () => {
    const a = torch.ones([2, 2]);
    expect(a.tril_()).toBe(a);
    expect(a.tolist()).toEqual([[1, 0], [1, 1]]);
    a.triu_(1);
    expect(a.tolist()).toEqual([[0, 0], [0, 0]]);
  });

  it("a fractional diagonal is a TypeError, as in Python", () => {
    expect(() => torch.tril(torch.ones([2, 2]), 0.5)).toThrow(TypeError);
  });

  it("gradcheck and double backward", () => {
    gradcheck((x) => x!.tril(), [[3, 4]]);
    gradcheck((x) => x!.tril(-1), [[2, 3, 3]]);
    gradcheck((x) => x!.triu(1), [[4, 3]]);
    gradcheck((x) => x!.t().triu(), [[3, 2]]);
    gradgradcheck((x) => x.tril(1), [3, 3]);
  });
});
