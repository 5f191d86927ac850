/**
 * max, min, amax, amin, argmax, argmin beyond the golden fixtures: the named-tuple result,
 * argument forms, and float64 finite-difference checks.
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import { gradcheck, gradgradcheck } from "../harness/gradcheck.js";
import { lcgTensor } from "../harness/streams.js";

describe("max and min", () => {
  const x = torch.tensor([[1, 5], [7, 2]]);

  it("with a dim give torch.return_types.max: by name, by position, destructured", () => {
    const r = x.max(1);
    expect(r.values.tolist()).toEqual([5, 7]);
    expect(r.indices.tolist()).toEqual([1, 0]);
    expect(r[0]).toBe(r.values);
    expect(r[1]).toBe(r.indices);
    expect(r.length).toBe(2);
    const [values, indices] = torch.min(x, 0);
    expect(values.tolist()).toEqual([1, 2]);
    expect(indices.tolist()).toEqual([0, 1]);
    // PyTorch: print(torch.tensor([[1, 5], [7, 2]]).max(1))
    expect(String(r)).toBe("torch.return_types.max(\nvalues=tensor([5, 7]),\nindices=tensor([1, 0]))");
  });

  it("indices are int64 and carry no gradient; values do", () => {
    const t = lcgTensor([3, 4], 1).requires_grad_(true);
    const { values, indices } = t.max(1, { keepdim: true });
    expect(values.shape).toEqual([3, 1]);
    expect(indices.dtype).toBe(torch.int64);
    expect(indices.requires_grad).toBe(false);
    expect(values.grad_fn!.name()).toBe("MaxBackward0");
  });

  it("against a tensor are maximum and minimum", () => {
    const a = torch.tensor([1, 4], { dtype: torch.float32, requires_grad: true });
    const b = torch.tensor([3, 2], { dtype: torch.float32 });
    const m = torch.max(a, b);
    expect(m.tolist()).toEqual([3, 4]);
    expect(m.grad_fn!.name()).toBe("MaximumBackward0");
    expect(a.min(b).tolist()).toEqual([1, 2]);
  });

  it("gradcheck", () => {
    const t = lcgTensor([3, 4, 2], 2);
    gradcheck((u) => u.max(), [t]);
    gradcheck((u) => u.min(), [t]);
    gradcheck((u) => u.max(1).values, [t]);
    gradcheck((u) => u.min(-1, { keepdim: true }).values, [t]);
    gradcheck((u) => u.permute(2, 0, 1).max(0).values, [t]);
    gradgradcheck((u) => u.max(1).values.mul(u.sum(1)), [t]);
  });
});

describe("amax and amin", () => {
  it("reduce a dim list, all dims by default", () => {
    const t = torch.tensor([[[1, 9], [3, 4]], [[5, 0], [2, 8]]]);
    expect(t.amax().item()).toBe(9);
    expect(torch.amax(t, [0, 2]).tolist()).toEqual([9, 8]);
    expect(t.amin([-1], { keepdim: true }).shape).toEqual([2, 2, 1]);
    expect(t.amin({ keepdim: true }).shape).toEqual([1, 1, 1]);
  });

  it("gradcheck", () => {
    const t = lcgTensor([3, 4, 2], 3);
    gradcheck((u) => u.amax([0, 2]), [t]);
    gradcheck((u) => u.amin(1, { keepdim: true }), [t]);
    gradcheck((u) => u.amax(), [t]);
    gradgradcheck((u) => u.amax(1).mul(u.sum(1)), [t]);
  });
});

describe("argmax and argmin", () => {
  it("flatten without a dim; keepdim keeps every dim as 1", () => {
    const t = torch.tensor([[1, 5], [7, 2]], { dtype: torch.float32, requires_grad: true });
    expect(t.argmax().item()).toBe(2);
    expect(t.argmin().item()).toBe(0);
    expect(t.argmax(null, { keepdim: true }).shape).toEqual([1, 1]);
    expect(t.argmax({ keepdim: true }).shape).toEqual([1, 1]);
    expect(torch.argmin(t, 1).tolist()).toEqual([0, 1]);
    expect(t.argmax(0).grad_fn).toBe(null);
  });
});
