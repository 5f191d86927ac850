/**
 * diagonal, diag_embed, diag, tril, triu: PyTorch's documented behaviour and float64
 * finite-difference checks of their gradients, beyond the golden fixtures
 * (indexing_golden.test.ts).
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import { gradcheckLinear, gradgradcheckAffine } from "../harness/gradcheck.js";

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
    gradcheckLinear((x) => x!.diagonal(), [[3, 4]]);
    gradcheckLinear((x) => x!.diagonal(-1, 2, 1), [[2, 3, 4]]);
    gradcheckLinear((x) => x!.diagonal(2), [[3, 4]]);
    gradcheckLinear((x) => x!.t().diagonal(1), [[4, 3]]);
    gradgradcheckAffine((x) => x.diagonal(1, 0, 2), [3, 2, 4]);
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
    gradcheckLinear((x) => x!.diag_embed(), [[2, 3]]);
    gradcheckLinear((x) => x!.diag_embed(1, 0, 2), [[2, 3]]);
    gradcheckLinear((x) => x!.diag(-1), [[3]]);
    gradcheckLinear((x) => x!.diag(1), [[3, 4]]);
    gradgradcheckAffine((x) => x.diag(), [3]);
    gradgradcheckAffine((x) => x.diag(-1), [3, 3]);
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
    gradcheckLinear((x) => x!.tril(), [[3, 4]]);
    gradcheckLinear((x) => x!.tril(-1), [[2, 3, 3]]);
    gradcheckLinear((x) => x!.triu(1), [[4, 3]]);
    gradcheckLinear((x) => x!.t().triu(), [[3, 2]]);
    gradgradcheckAffine((x) => x.tril(1), [3, 3]);
  });
});
