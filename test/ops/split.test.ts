/**
 * split, split_with_sizes, chunk, unbind, tensor_split: views, gradients with unused pieces,
 * and float64 finite-difference checks, beyond the golden fixtures (indexing_golden.test.ts).
 */

import { describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { gradcheckLinear, gradgradcheckAffine } from "../harness/gradcheck.js";

/** The pieces flattened and joined, so a multi-output op can go through gradgradcheckAffine. */
const joined = (pieces: Tensor[]) => torch.cat(pieces.map((p) => p.reshape([-1])));

describe("views", () => {
  it("split, chunk, unbind and tensor_split pieces share the input's storage", () => {
    const x = torch.arange(10).reshape([5, 2]);
    const pieces = [...x.split(2), ...x.chunk(2, 1), ...x.unbind(0), ...x.tensor_split(3)];
    for (const p of pieces) expect(p._storage).toBe(x._storage);
  });

  it("a write into the input shows in the pieces, and the other way round", () => {
    const x = torch.zeros([4]);
    const [a, b] = x.split(2);
    x.fill_(3);
    expect(a!.tolist()).toEqual([3, 3]);
    b!.fill_(7);
    expect(x.tolist()).toEqual([3, 3, 7, 7]);
    const [r0, r1] = torch.zeros([2, 2]).unbind(1);
    r1!.fill_(1);
    expect(r0!.tolist()).toEqual([0, 0]);
  });
});

describe("torch.split", () => {
  it("by an int, the last piece smaller (PyTorch's doc example)", () => {
    const a = torch.arange(10).reshape([5, 2]);
    expect(torch.split(a, 2).map((t) => t.tolist())).toEqual([[[0, 1], [2, 3]], [[4, 5], [6, 7]], [[8, 9]]]);
    expect(torch.split(a, [1, 4]).map((t) => t.tolist())).toEqual([[[0, 1]], [[2, 3], [4, 5], [6, 7], [8, 9]]]);
  });

  it("by a size larger than the dim gives one piece", () => {
    expect(torch.split(torch.arange(3), 5).map((t) => t.tolist())).toEqual([[0, 1, 2]]);
  });

  it("all pieces share one node, with one output slot each", () => {
    const x = torch.zeros([5], { requires_grad: true });
    const pieces = x.split(2);
    expect(new Set(pieces.map((p) => p.grad_fn)).size).toBe(1);
    expect(pieces.map((p) => p._outputNr)).toEqual([0, 1, 2]);
    expect(pieces[0]!.grad_fn!.name()).toBe("SplitBackward0");
    expect(x.split_with_sizes([1, 4])[1]!.grad_fn!.name()).toBe("SplitWithSizesBackward0");
  });

  it("unused pieces get zero gradient", () => {
    const x = torch.ones([5], { dtype: torch.float64, requires_grad: true });
    const [, b] = x.split(2);
    b!.sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 0, 1, 1, 0]);
  });

  it("gradcheck by size and by sizes, along several dims", () => {
    gradcheckLinear((x) => x!.split(2), [[5, 2]]);
    gradcheckLinear((x) => x!.split(2, -1), [[3, 5]]);
    gradcheckLinear((x) => x!.split([1, 0, 3], 1), [[2, 4]]);
    gradcheckLinear((x) => x!.t().split([2, 1]), [[2, 3]]);
    gradcheckLinear((x) => [x!.split(2)[1]!], [[5]]);
  });

  it("double backward", () => {
    gradgradcheckAffine((x) => joined(x.split(2)), [5, 2]);
    gradgradcheckAffine((x) => joined(x.split([3, 2], 1)), [2, 5]);
  });
});

describe("torch.chunk", () => {
  it("may give fewer chunks than asked for", () => {
    expect(torch.arange(6).chunk(4).map((t) => t.tolist())).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(torch.arange(5).chunk(3).map((t) => t.tolist())).toEqual([[0, 1], [2, 3], [4]]);
    expect(torch.arange(3).chunk(5).map((t) => t.tolist())).toEqual([[0], [1], [2]]);
  });

  it("gradcheck and double backward", () => {
    gradcheckLinear((x) => x!.chunk(3, 1), [[2, 7]]);
    gradcheckLinear((x) => [x!.chunk(4)[2]!], [[6]]);
    gradgradcheckAffine((x) => joined(x.chunk(2)), [5]);
  });
});

describe("torch.unbind", () => {
  it("removes the dim", () => {
    const x = torch.arange(6).reshape([2, 3]);
    expect(x.unbind().map((t) => t.tolist())).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(x.unbind(1).map((t) => t.tolist())).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(torch.unbind(x, -1)[0]!.grad_fn).toBeNull();
  });

  it("gradcheck and double backward", () => {
    gradcheckLinear((x) => x!.unbind(1), [[2, 3]]);
    gradcheckLinear((x) => [x!.unbind(0)[1]!], [[3, 2]]);
    gradcheckLinear((x) => x!.unbind(-1), [[2, 2, 3]]);
    gradgradcheckAffine((x) => joined(x.unbind(1)), [2, 3]);
  });
});

describe("torch.tensor_split", () => {
  it("into sections and at indices (PyTorch's doc examples)", () => {
    const x = torch.arange(8);
    expect(torch.tensor_split(x, 3).map((t) => t.tolist())).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);
    const y = torch.arange(7);
    expect(torch.tensor_split(y, 3).map((t) => t.tolist())).toEqual([[0, 1, 2], [3, 4], [5, 6]]);
    expect(torch.tensor_split(y, [1, 6]).map((t) => t.tolist())).toEqual([[0], [1, 2, 3, 4, 5], [6]]);
    const z = torch.arange(14).reshape([2, 7]);
    expect(torch.tensor_split(z, 3, 1).map((t) => t.tolist())).toEqual([
      [[0, 1, 2], [7, 8, 9]], [[3, 4], [10, 11]], [[5, 6], [12, 13]],
    ]);
    expect(torch.tensor_split(z, [1, 6], 1).map((t) => t.tolist())).toEqual([
      [[0], [7]], [[1, 2, 3, 4, 5], [8, 9, 10, 11, 12]], [[6], [13]],
    ]);
  });

  it("more sections than elements gives empty pieces", () => {
    expect(torch.tensor_split(torch.arange(2), 4).map((t) => t.numel())).toEqual([1, 1, 0, 0]);
  });

  it("gradcheck", () => {
    gradcheckLinear((x) => x!.tensor_split(3), [[7]]);
    gradcheckLinear((x) => x!.tensor_split([-2, 1, 10, 5]), [[7, 2]]);
  });
});
