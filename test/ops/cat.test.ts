/**
 * cat, stack, hstack, vstack: behaviour beyond the golden fixtures (indexing_golden.test.ts)
 * and float64 finite-difference checks of their gradients.
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import { gradcheckLinear, gradgradcheckAffine } from "../harness/gradcheck.js";

describe("torch.cat", () => {
  it("concatenates along dim 0 and -1 (PyTorch's doc example shapes)", () => {
    const x = torch.arange(6).reshape([2, 3]);
    expect(torch.cat([x, x, x], 0).shape).toEqual([6, 3]);
    expect(torch.cat([x, x, x], 1).shape).toEqual([2, 9]);
    expect(torch.cat([x, x], -1).tolist()).toEqual([[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]]);
  });

  it("defaults to dim 0 and has the aliases concat and concatenate", () => {
    const a = torch.tensor([[1, 2]]);
    const b = torch.tensor([[3, 4]]);
    expect(torch.cat([a, b]).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(torch.concat).toBe(torch.cat);
    expect(torch.concatenate).toBe(torch.cat);
  });

  it("returns a new tensor, not a view of an input", () => {
    const a = torch.zeros([2]);
    const out = torch.cat([a]);
    expect(out._storage).not.toBe(a._storage);
    a.fill_(1);
    expect(out.tolist()).toEqual([0, 0]);
  });

  it("records no node when no input requires grad, and skips inputs that do not", () => {
    expect(torch.cat([torch.zeros([2]), torch.ones([2])]).grad_fn).toBeNull();
    const x = torch.zeros([2], { dtype: torch.float64 }).requires_grad_();
    const c = torch.ones([3], { dtype: torch.float64 });
    const out = torch.cat([c, x]);
    expect(out.grad_fn?.name()).toBe("CatBackward0");
    out.backward(torch.tensor([1, 2, 3, 4, 5], { dtype: torch.float64 }));
    expect(x.grad!.tolist()).toEqual([4, 5]);
    expect(c.grad).toBeNull();
  });

  it("hands each input a gradient of its own dtype", () => {
    const a = torch.ones([2], { requires_grad: true });
    const b = torch.ones([1], { dtype: torch.float64, requires_grad: true });
    const out = torch.cat([a, b]);
    expect(out.dtype).toBe(torch.float64);
    out.sum().backward();
    expect(a.grad!.dtype).toBe(torch.float32);
    expect(b.grad!.dtype).toBe(torch.float64);
  });

  it("accumulates when the same tensor appears twice", () => {
    const x = torch.tensor([1, 2], { dtype: torch.float64, requires_grad: true });
    torch.cat([x, x]).backward(torch.tensor([1, 10, 100, 1000], { dtype: torch.float64 }));
    expect(x.grad!.tolist()).toEqual([101, 1010]);
  });

  it("gradcheck: dim 0, dim -1, with a skipped empty input", () => {
    gradcheckLinear((a, b) => torch.cat([a!, b!], 0), [[2, 3], [1, 3]]);
    gradcheckLinear((a, b, c) => torch.cat([a!, b!, c!], -1), [[2, 1], [2, 3], [2, 2]]);
    gradcheckLinear((a, b) => torch.cat([a!, b!, a!], 1), [[2, 0], [2, 2]]);
    gradcheckLinear((a, e, b) => torch.cat([a!, e!, b!]), [[2], [0], [3]]);
    gradcheckLinear((a, b) => torch.cat([a!.t(), b!], 1), [[2, 3], [3, 1]]);
  });

  it("double backward", () => {
    gradgradcheckAffine((x) => torch.cat([x, x.mul(2)], 1), [2, 3]);
  });
});

describe("torch.stack", () => {
  it("inserts the new dim at dim, -1 meaning last", () => {
    const a = torch.tensor([1, 2]);
    const b = torch.tensor([3, 4]);
    expect(torch.stack([a, b]).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(torch.stack([a, b], 1).tolist()).toEqual([[1, 3], [2, 4]]);
    expect(torch.stack([a, b], -1).tolist()).toEqual([[1, 3], [2, 4]]);
  });

  it("gradcheck along every position of the new dim", () => {
    for (const dim of [0, 1, 2, -1, -3]) gradcheckLinear((a, b) => torch.stack([a!, b!], dim), [[2, 3], [2, 3]]);
    gradcheckLinear((a, b, c) => torch.stack([a!, b!, c!]), [[], [], []]);
  });

  it("double backward", () => {
    gradgradcheckAffine((x) => torch.stack([x, x.neg()], 1), [3, 2]);
  });
});

describe("torch.hstack, torch.vstack", () => {
  it("hstack joins 1-D along dim 0 and others along dim 1 (PyTorch's doc examples)", () => {
    expect(torch.hstack([torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6])]).tolist()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(torch.hstack([torch.tensor([[1], [2], [3]]), torch.tensor([[4], [5], [6]])]).tolist()).toEqual([
      [1, 4], [2, 5], [3, 6],
    ]);
  });

  it("vstack turns 1-D inputs into rows (PyTorch's doc examples)", () => {
    expect(torch.vstack([torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6])]).tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(torch.vstack([torch.tensor([[1], [2], [3]]), torch.tensor([[4], [5], [6]])]).tolist()).toEqual([
      [1], [2], [3], [4], [5], [6],
    ]);
    expect(torch.row_stack).toBe(torch.vstack);
  });

  it("0-d inputs count as one element", () => {
    expect(torch.hstack([torch.tensor(1), torch.tensor([2, 3])]).tolist()).toEqual([1, 2, 3]);
    expect(torch.vstack([torch.tensor(1), torch.tensor(2)]).shape).toEqual([2, 1]);
  });

  it("gradcheck", () => {
    gradcheckLinear((a, b) => torch.hstack([a!, b!]), [[2], [3]]);
    gradcheckLinear((a, b) => torch.hstack([a!, b!]), [[2, 1], [2, 3]]);
    gradcheckLinear((a, b) => torch.vstack([a!, b!]), [[3], [2, 3]]);
    gradcheckLinear((a, b) => torch.vstack([a!, b!]), [[], []]);
  });
});
