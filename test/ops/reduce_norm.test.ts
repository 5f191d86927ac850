/**
 * norm and logsumexp beyond the golden fixtures: argument forms, stability, and float64
 * finite-difference checks for every order.
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import { gradcheck, gradgradcheck } from "../harness/gradcheck.js";
import { lcgTensor } from "../harness/streams.js";

describe("norm", () => {
  const x = torch.tensor([[3, -4], [0, 1]], { dtype: torch.float64 });

  it("reads p and dim positionally or from the options object", () => {
    expect(x.norm().item()).toBeCloseTo(Math.sqrt(26), 14);
    expect(x.norm(1, 1).tolist()).toEqual([7, 1]);
    expect(x.norm({ p: 1, dim: 1 }).tolist()).toEqual([7, 1]);
    expect(torch.norm(x, Infinity, 0, { keepdim: true }).tolist()).toEqual([[3, 4]]);
    expect(x.norm(0).item()).toBe(3);
    expect(x.norm("fro", [0, 1]).item()).toBeCloseTo(Math.sqrt(26), 14);
    expect(x.norm({ dim: 1 }).tolist()).toEqual([5, 1]);
  });

  it("has no matrix norms", () => {
    expect(() => x.norm("nuc")).toThrow(torch.NotImplementedError);
    expect(() => torch.zeros([2, 2, 2]).norm("fro", [0, 1, 2])).toThrow(torch.NotImplementedError);
  });

  it("p = 0 has no gradient", () => {
    const t = lcgTensor([3], 1).requires_grad_(true);
    t.norm(0).backward();
    expect(t.grad).toBe(null);
  });

  for (const p of [2, 1, 3, 1.5, 0.5, -1, Infinity, -Infinity]) {
    it(`gradcheck p = ${p}`, () => {
      const t = lcgTensor([3, 4], 6);
      gradcheck((u) => u.norm(p), [t]);
      gradcheck((u) => u.norm(p, 1), [t]);
      gradcheck((u) => u.norm(p, [0], { keepdim: true }), [t]);
      if (Number.isFinite(p)) gradgradcheck((u) => u.norm(p, 1), [t]);
    });
  }
});

describe("logsumexp", () => {
  it("does not overflow and handles infinities", () => {
    const t = torch.tensor([[1000, 1000], [-Infinity, -Infinity], [Infinity, 0]], { dtype: torch.float64 });
    const out = t.logsumexp(1).tolist() as number[];
    expect(out[0]).toBeCloseTo(1000 + Math.log(2), 10);
    expect(out[1]).toBe(-Infinity);
    expect(out[2]).toBe(Infinity);
  });

  it("computes integers in the default float dtype", () => {
    const out = torch.logsumexp(torch.tensor([0, 0]), 0);
    expect(out.dtype).toBe(torch.float32);
    expect(out.item()).toBeCloseTo(Math.log(2), 6);
  });

  it("gradcheck", () => {
    const t = lcgTensor([3, 4, 2], 7);
    gradcheck((u) => u.logsumexp(1), [t]);
    gradcheck((u) => u.logsumexp([0, 2], { keepdim: true }), [t]);
    gradcheck((u) => u.permute(1, 0, 2).logsumexp(0), [t]);
    gradgradcheck((u) => u.logsumexp(-1), [t]);
  });
});
