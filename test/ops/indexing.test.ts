/**
 * index_select, index_add, gather, scatter, scatter_add, take_along_dim, masked_select:
 * PyTorch's documented examples, in-place forms, saved-index checks and float64
 * finite-difference checks of every gradient, beyond the golden fixtures
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

const long = (data: number[] | number[][]) => torch.tensor(data, { dtype: torch.int64 });
const float = (data: number[] | number[][]) => torch.tensor(data, { dtype: torch.float32 });

describe("torch.index_select", () => {
  it("selects along a dim; the result has its own memory", () => {
    const x = torch.arange(12).reshape([3, 4]);
    const indices = long([0, 2]);
    expect(torch.index_select(x, 0, indices).tolist()).toEqual([[0, 1, 2, 3], [8, 9, 10, 11]]);
    const cols = x.index_select(1, indices);
    expect(cols.tolist()).toEqual([[0, 2], [4, 6], [8, 10]]);
    expect(cols._storage).not.toBe(x._storage);
  });

  it("takes int32 indices too", () => {
    expect(torch.arange(5).index_select(0, torch.tensor([4, 1], { dtype: torch.int32 })).tolist()).toEqual([4, 1]);
  });

  it("gradcheck and double backward", () => {
    gradcheck((x) => x!.index_select(0, long([3, 0, 3])), [[4, 3]]);
    gradcheck((x) => x!.index_select(-1, long([1])), [[2, 3]]);
    gradcheck((x) => x!.index_select(0, long([0])), [[]]);
    gradgradcheck((x) => x.index_select(1, long([2, 2, 0])), [2, 3]);
  });

  it("refuses to backward through an index modified in place", () => {
    const x = torch.ones([3], { requires_grad: true });
    const index = long([0, 1]);
    const y = x.index_select(0, index);
    index.add_(1);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });
});

describe("torch.index_add", () => {
  it("PyTorch's doc example, with and without alpha", () => {
    const t = float([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const index = long([0, 4, 2]);
    expect(torch.ones([5, 3]).index_add(0, index, t).tolist()).toEqual([
      [2, 3, 4], [1, 1, 1], [8, 9, 10], [1, 1, 1], [5, 6, 7],
    ]);
    expect(torch.ones([5, 3]).index_add(0, index, t, { alpha: -1 }).tolist()).toEqual([
      [0, -1, -2], [1, 1, 1], [-6, -7, -8], [1, 1, 1], [-3, -4, -5],
    ]);
  });

  it("index_add_ writes in place and returns its input", () => {
    const x = torch.ones([5, 3]);
    const version = x._version;
    const r = x.index_add_(0, long([0, 4, 2]), float([[1, 2, 3], [4, 5, 6], [7, 8, 9]]));
    expect(r).toBe(x);
    expect(x._version).toBeGreaterThan(version);
    expect((x.tolist() as number[][])[4]).toEqual([5, 6, 7]);
  });

  it("gradcheck for both inputs, with repeats and alpha", () => {
    gradcheck((x, s) => x!.index_add(0, long([0, 2, 0]), s!), [[3, 2], [3, 2]]);
    gradcheck((x, s) => x!.index_add(1, long([3, 1]), s!, { alpha: 2.5 }), [[2, 4], [2, 2]]);
    gradcheck((x, s) => x!.index_add(0, long([0]), s!), [[], []]);
    gradgradcheck((s) => torch.zeros([4, 2], { dtype: torch.float64 }).index_add(0, long([1, 1, 3]), s), [3, 2]);
  });

  it("in place on a non-leaf records IndexAddBackward0", () => {
    const x = torch.ones([3], { dtype: torch.float64, requires_grad: true });
    const s = torch.ones([2], { dtype: torch.float64, requires_grad: true });
    const y = x.mul(2).index_add_(0, long([2, 2]), s, { alpha: 3 });
    expect(y.grad_fn!.name).toBe("IndexAddBackward0");
    y.backward(torch.tensor([1, 10, 100], { dtype: torch.float64 }));
    expect(x.grad!.tolist()).toEqual([2, 20, 200]);
    expect(s.grad!.tolist()).toEqual([300, 300]);
  });
});

describe("torch.gather", () => {
  it("PyTorch's doc example", () => {
    const t = torch.tensor([[1, 2], [3, 4]]);
    expect(torch.gather(t, 1, long([[0, 0], [1, 0]])).tolist()).toEqual([[1, 1], [4, 3]]);
  });

  it("gradcheck and double backward", () => {
    gradcheck((x) => x!.gather(0, long([[0, 1, 2, 0], [2, 2, 1, 0]])), [[3, 4]]);
    gradcheck((x) => x!.gather(1, long([[3, 3], [0, 1]])), [[3, 4]]);
    gradcheck((x) => x!.t().gather(1, long([[0], [1], [1]])), [[2, 3]]);
    gradcheck((x) => x!.gather(0, long([0, 0])), [[]]);
    gradgradcheck((x) => x.gather(1, long([[2, 0, 2], [1, 1, 1]])), [2, 3]);
  });
});

describe("torch.scatter", () => {
  it("PyTorch's doc examples", () => {
    const src = torch.arange(1, 11).reshape([2, 5]);
    const z = () => torch.zeros([3, 5], { dtype: src.dtype });
    expect(z().scatter_(0, long([[0, 1, 2, 0]]), src).tolist()).toEqual([
      [1, 0, 0, 4, 0], [0, 2, 0, 0, 0], [0, 0, 3, 0, 0],
    ]);
    expect(z().scatter_(1, long([[0, 1, 2], [0, 1, 4]]), src).tolist()).toEqual([
      [1, 2, 3, 0, 0], [6, 7, 0, 0, 8], [0, 0, 0, 0, 0],
    ]);
    const filled = torch.full([2, 4], 2).float().scatter_(1, long([[2], [3]]), 1.23).tolist() as number[][];
    const want = [[2, 2, 1.23, 2], [2, 2, 2, 1.23]];
    filled.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, 6)));
  });

  it("the out-of-place form leaves its input alone", () => {
    const x = torch.zeros([3]);
    const y = x.scatter(0, long([1]), 5);
    expect(x.tolist()).toEqual([0, 0, 0]);
    expect(y.tolist()).toEqual([0, 5, 0]);
  });

  it("an empty index is not checked and changes nothing", () => {
    const x = torch.ones([2, 2]);
    expect(x.scatter(0, torch.zeros([0, 5], { dtype: torch.int64 }), 3).tolist()).toEqual([[1, 1], [1, 1]]);
  });

  it("in place on a leaf that requires grad is refused", () => {
    const x = torch.zeros([3], { requires_grad: true });
    expect(() => x.scatter_(0, long([1]), 1)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
  });

  it("gradcheck with a tensor src (distinct positions) and with a value", () => {
    gradcheck((x, s) => x!.scatter(0, long([[0, 1, 2, 0]]), s!), [[3, 5], [1, 4]]);
    gradcheck((x, s) => x!.scatter(1, long([[2, 0], [1, 2]]), s!), [[2, 3], [2, 2]]);
    gradcheck((x) => x!.scatter(1, long([[1], [3]]), 2.5), [[2, 4]]);
    gradgradcheck((s) => torch.zeros([2, 3], { dtype: torch.float64 }).scatter(1, long([[2, 0], [1, 2]]), s), [2, 2]);
  });

  it("in place on a non-leaf records ScatterBackward0 and masks the overwritten gradient", () => {
    const x = torch.ones([3], { dtype: torch.float64, requires_grad: true });
    const s = torch.ones([1], { dtype: torch.float64, requires_grad: true });
    const y = x.mul(1).scatter_(0, long([1]), s);
    expect(y.grad_fn!.name).toBe("ScatterBackward0");
    y.backward(torch.tensor([1, 2, 3], { dtype: torch.float64 }));
    expect(x.grad!.tolist()).toEqual([1, 0, 3]);
    expect(s.grad!.tolist()).toEqual([2]);
  });
});

describe("torch.scatter_add", () => {
  it("PyTorch's doc examples", () => {
    const src = torch.ones([2, 5]);
    expect(torch.zeros([3, 5]).scatter_add_(0, long([[0, 1, 2, 0, 0]]), src).tolist()).toEqual([
      [1, 0, 0, 1, 1], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0],
    ]);
    expect(torch.zeros([3, 5]).scatter_add_(0, long([[0, 1, 2, 0, 0], [0, 1, 2, 2, 2]]), src).tolist()).toEqual([
      [2, 0, 0, 1, 1], [0, 2, 0, 0, 0], [0, 0, 2, 1, 1],
    ]);
  });

  it("gradcheck with repeated positions, and double backward", () => {
    gradcheck((x, s) => x!.scatter_add(0, long([[0, 1, 2], [0, 1, 0]]), s!), [[3, 3], [2, 3]]);
    gradcheck((x, s) => x!.scatter_add(0, long([0, 0, 3, 0]), s!), [[4], [4]]);
    gradcheck((x, s) => x!.scatter_add(0, long([0]), s!), [[], [1]]);
    gradgradcheck((s) => torch.zeros([3], { dtype: torch.float64 }).scatter_add(0, long([2, 2, 0]), s), [3]);
  });
});

describe("torch.take_along_dim", () => {
  it("PyTorch's doc example", () => {
    const t = torch.tensor([[10, 30, 20], [60, 40, 50]]);
    expect(torch.take_along_dim(t, long([3])).tolist()).toEqual([60]);
    expect(torch.take_along_dim(t, long([[0, 2, 1], [1, 2, 0]]), 1).tolist()).toEqual([[10, 20, 30], [40, 50, 60]]);
  });

  it("gradcheck, broadcasting and flattened", () => {
    gradcheck((x) => x!.take_along_dim(long([[0], [2], [1]]), 1), [[3, 4]]);
    gradcheck((x) => x!.take_along_dim(long([[0, 2]]), 0), [[3, 1]]);
    gradcheck((x) => x!.take_along_dim(long([5, 0, 5])), [[2, 3]]);
  });
});

describe("torch.masked_select", () => {
  it("selects in row-major order, broadcasting mask and input", () => {
    const x = torch.tensor([[1, -2], [-3, 4]]);
    expect(torch.masked_select(x, x.gt(0)).tolist()).toEqual([1, 4]);
    expect(x.masked_select(torch.tensor([true, false])).tolist()).toEqual([1, -3]);
    expect(torch.tensor([1, 2]).masked_select(torch.tensor([[true], [false], [true]])).tolist()).toEqual([1, 2, 1, 2]);
  });

  it("gradcheck and double backward", () => {
    const mask = torch.tensor([[true, false, true], [false, true, true]]);
    gradcheck((x) => x!.masked_select(mask), [[2, 3]]);
    gradcheck((x) => x!.masked_select(mask), [[1, 3]]);
    gradcheck((x) => x!.masked_select(torch.tensor(true)), [[2]]);
    gradgradcheck((x) => x.masked_select(mask), [2, 3]);
  });
});
