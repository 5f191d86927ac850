/**
 * Copies and conversions against PyTorch (test/golden/core/elementwise.json, "casts"): Tensor.to
 * between every pair of dtypes, including truncation toward zero, int64 -> int32 wrap-around,
 * NaN as true, and non-finite floats to int64. Also clone, contiguous, detach and copy_.
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import type { DTypeName } from "../../src/tensor/dtype.js";
import { decode, expectTensor, golden, type Encoded } from "../golden/core/load.js";

const fixtures = golden<{ casts: { input: Encoded; dtype: DTypeName; result: Encoded }[] }>("elementwise");

describe("Tensor.to(dtype) matches PyTorch", () => {
  it("covers every pair of dtypes", () => {
    expect(fixtures.casts.length).toBeGreaterThanOrEqual(25);
  });

  fixtures.casts.forEach((c, k) => {
    it(`#${k} ${c.input.dtype} -> ${c.dtype}`, () => {
      const x = decode(c.input);
      const y = x.to(torch[c.dtype]);
      expectTensor(y, c.result);
      if (c.dtype === c.input.dtype) expect(y).toBe(x);
      // A non-contiguous (reversed-stride) view casts element by element the same way.
      const n = x.numel();
      const wide = x.unsqueeze(1).expand(n, 2).t();
      expectTensor(wide.to(torch[c.dtype]).select(0, 1), c.result);
    });
  });
});

describe("copies", () => {
  it("clone copies memory and records CloneBackward0", () => {
    const x = torch.tensor([1.5, 2.5], { requires_grad: true });
    const c = x.clone();
    expect(c._storage).not.toBe(x._storage);
    expect(c.grad_fn?.name()).toBe("CloneBackward0");
    c.sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 1]);
  });

  it("contiguous returns the tensor itself when already contiguous", () => {
    const x = torch.arange(6, { dtype: torch.float32 }).view(2, 3);
    expect(x.contiguous()).toBe(x);
    const t = x.t().contiguous();
    expect(t.is_contiguous()).toBe(true);
    expect(t.stride()).toEqual([2, 1]);
    expect(t.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  it("copy_ broadcasts and casts into the destination", () => {
    const dst = torch.zeros(2, 3, { dtype: torch.int64 });
    dst.copy_(torch.tensor([1.7, -2.7, 3.2]));
    expect(dst.tolist()).toEqual([[1, -2, 3], [1, -2, 3]]);
    expect(dst._version).toBe(1);
    const view = torch.zeros(3, 2).t();
    view.copy_(torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: torch.float32 }));
    expect(view.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it("detach shares memory and leaves the graph", () => {
    const x = torch.tensor([1.5, 2.5], { requires_grad: true });
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requires_grad).toBe(false);
    expect(d.grad_fn).toBeNull();
    d.add_(1);
    expect(y.tolist()).toEqual([4, 6]);
  });
});
