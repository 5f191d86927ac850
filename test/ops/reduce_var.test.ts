/**
 * var, std, var_mean, std_mean beyond the golden fixtures: PyTorch 2.x's correction argument,
 * the no-degrees-of-freedom gradient, and float64 finite-difference checks.
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck, gradgradcheck } from "../harness/gradcheck.js";
import { lcgTensor } from "../harness/streams.js";

describe("var and std", () => {
  const x = torch.tensor([1, 2, 3, 4], { dtype: torch.float64 });

  it("use Bessel's correction by default; correction and unbiased change the divisor", () => {
    // Σ (x - 2.5)² = 5
    expect(x.var().item()).toBeCloseTo(5 / 3, 14);
    expect(x.var({ correction: 0 }).item()).toBeCloseTo(5 / 4, 14);
    expect(x.var({ unbiased: false }).item()).toBeCloseTo(5 / 4, 14);
    expect(x.var(false).item()).toBeCloseTo(5 / 4, 14);
    expect(torch.var(x, 0, { correction: 2 }).item()).toBeCloseTo(5 / 2, 14);
    expect(torch.std(x, null, { correction: 0 }).item()).toBeCloseTo(Math.sqrt(5 / 4), 14);
  });

  it("refuse correction and unbiased together", () => {
    expect(() => x.var({ correction: 1, unbiased: true })).toThrow(TypeError);
  });

  it("without degrees of freedom: NaN or inf, and a NaN-or-inf gradient (PyTorch 2.x's var_backward)", () => {
    const one = torch.tensor([1.5], { dtype: torch.float64, requires_grad: true });
    const v = one.var();
    expect(Number.isNaN(v.item() as number)).toBe(true);
    v.backward(torch.tensor(2, { dtype: torch.float64 }));
    // grad · where(x == mean, nan, inf): the only element equals the mean.
    expect(Number.isNaN((one.grad!.tolist() as number[])[0]!)).toBe(true);

    const two = torch.tensor([1, 2], { dtype: torch.float64, requires_grad: true });
    const w = two.var({ correction: 3 });
    expect(w.item()).toBe(Infinity); // 0.5 / max(0, 2 - 3)
    w.backward(torch.tensor(2, { dtype: torch.float64 }));
    expect(two.grad!.tolist()).toEqual([Infinity, Infinity]);
  });

  it("var_mean and std_mean give [spread, mean]", () => {
    const [v, m] = torch.var_mean(x);
    expect(v.item()).toBeCloseTo(5 / 3, 14);
    expect(m.item()).toBe(2.5);
    const [s, m2] = torch.std_mean(x.reshape(2, 2), 1, { keepdim: true });
    expect(s.shape).toEqual([2, 1]);
    expect(m2.tolist()).toEqual([[1.5], [3.5]]);
    expect((s.tolist() as number[][])[0]).toEqual([Math.sqrt(0.5)]);
  });

  it("gradcheck", () => {
    const t = lcgTensor([3, 4, 2], 4);
    gradcheck((u) => u.var(), [t]);
    gradcheck((u) => u.var(1), [t]);
    gradcheck((u) => u.var([0, 2], { correction: 0, keepdim: true }), [t]);
    gradcheck((u) => u.std(), [t]);
    gradcheck((u) => u.std(-1, { correction: 0 }), [t]);
    gradcheck((u) => u.permute(2, 0, 1).std(1), [t]);
    gradcheck((u) => torch.var_mean(u, 1), [t]);
    gradcheck((u) => torch.std_mean(u, [0, 1], { keepdim: true }), [t]);
    gradcheck((u) => torch.var_mean(u)[1], [t]);
  });

  it("gradgradcheck", () => {
    const t = lcgTensor([3, 4], 5);
    gradgradcheck((u) => u.var(1), [t]);
    gradgradcheck((u) => u.std(), [t]);
    gradgradcheck((u: Tensor) => torch.std_mean(u, 0), [t]);
  });
});
