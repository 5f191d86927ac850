/**
 * index_select, index_add, gather, scatter, scatter_add, take_along_dim, masked_select:
 * PyTorch's documented examples, in-place forms, saved-index checks and float64
 * finite-difference checks of every gradient, beyond the golden fixtures
 * (indexing_golden.test.ts).
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import { gradcheckLinear, gradgradcheckAffine } from "../harness/gradcheck.js";

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
    gradcheckLinear((x) => x!.index_select(0, long([3, 0, 3])), [[4, 3]]);
    gradcheckLinear((x) => x!.index_select(-1, long([1])), [[2, 3]]);
    gradcheckLinear((x) => x!.index_select(0, long([0])), [[]]);
    gradgradcheckAffine((x) => x.index_select(1, long([2, 2, 0])), [2, 3]);
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
    gradcheckLinear((x, s) => x!.index_add(0, long([0, 2, 0]), s!), [[3, 2], [3, 2]]);
    gradcheckLinear((x, s) => x!.index_add(1, long([3, 1]), s!, { alpha: 2.5 }), [[2, 4], [2, 2]]);
    gradcheckLinear((x, s) => x!.index_add(0, long([0]), s!), [[], []]);
    gradgradcheckAffine((s) => torch.zeros([4, 2], { dtype: torch.float64 }).index_add(0, long([1, 1, 3]), s), [3, 2]);
  });

  it("in place on a non-leaf records IndexAddBackward0", () => {
    const x = torch.ones([3], { dtype: torch.float64, requires_grad: true });
    const s = torch.ones([2], { dtype: torch.float64, requires_grad: true });
    const y = x.mul(2).index_add_(0, long([2, 2]), s, { alpha: 3 });
    expect(y.grad_fn!.name()).toBe("IndexAddBackward0");
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
    gradcheckLinear((x) => x!.gather(0, long([[0, 1, 2, 0], [2, 2, 1, 0]])), [[3, 4]]);
    gradcheckLinear((x) => x!.gather(1, long([[3, 3], [0, 1]])), [[3, 4]]);
    gradcheckLinear((x) => x!.t().gather(1, long([[0], [1], [1]])), [[2, 3]]);
    gradcheckLinear((x) => x!.gather(0, long([0, 0])), [[]]);
    gradgradcheckAffine((x) => x.gather(1, long([[2, 0, 2], [1, 1, 1]])), [2, 3]);
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
    gradcheckLinear((x, s) => x!.scatter(0, long([[0, 1, 2, 0]]), s!), [[3, 5], [1, 4]]);
    gradcheckLinear((x, s) => x!.scatter(1, long([[2, 0], [1, 2]]), s!), [[2, 3], [2, 2]]);
    gradcheckLinear((x) => x!.scatter(1, long([[1], [3]]), 2.5), [[2, 4]]);
    gradgradcheckAffine((s) => torch.zeros([2, 3], { dtype: torch.float64 }).scatter(1, long([[2, 0], [1, 2]]), s), [2, 2]);
  });

  it("in place on a non-leaf records ScatterBackward0 and masks the overwritten gradient", () => {
    const x = torch.ones([3], { dtype: torch.float64, requires_grad: true });
    const s = torch.ones([1], { dtype: torch.float64, requires_grad: true });
    const y = x.mul(1).scatter_(0, long([1]), s);
    expect(y.grad_fn!.name()).toBe("ScatterBackward0");
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
    gradcheckLinear((x, s) => x!.scatter_add(0, long([[0, 1, 2], [0, 1, 0]]), s!), [[3, 3], [2, 3]]);
    gradcheckLinear((x, s) => x!.scatter_add(0, long([0, 0, 3, 0]), s!), [[4], [4]]);
    gradcheckLinear((x, s) => x!.scatter_add(0, long([0]), s!), [[], [1]]);
    gradgradcheckAffine((s) => torch.zeros([3], { dtype: torch.float64 }).scatter_add(0, long([2, 2, 0]), s), [3]);
  });
});

describe("torch.take_along_dim", () => {
  it("PyTorch's doc example", () => {
    const t = torch.tensor([[10, 30, 20], [60, 40, 50]]);
    expect(torch.take_along_dim(t, long([3])).tolist()).toEqual([60]);
    expect(torch.take_along_dim(t, long([[0, 2, 1], [1, 2, 0]]), 1).tolist()).toEqual([[10, 20, 30], [40, 50, 60]]);
  });

  it("gradcheck, broadcasting and flattened", () => {
    gradcheckLinear((x) => x!.take_along_dim(long([[0], [2], [1]]), 1), [[3, 4]]);
    gradcheckLinear((x) => x!.take_along_dim(long([[0, 2]]), 0), [[3, 1]]);
    gradcheckLinear((x) => x!.take_along_dim(long([5, 0, 5])), [[2, 3]]);
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
    gradcheckLinear((x) => x!.masked_select(mask), [[2, 3]]);
    gradcheckLinear((x) => x!.masked_select(mask), [[1, 3]]);
    gradcheckLinear((x) => x!.masked_select(torch.tensor(true)), [[2]]);
    gradgradcheckAffine((x) => x.masked_select(mask), [2, 3]);
  });
});
