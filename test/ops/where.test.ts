/**
 * Selection ops against PyTorch (test/golden/core/elementwise.json, "selection"): where with
 * broadcasting, scalars and mixed dtypes, masked_fill with scalar and 0-d tensor values, clamp
 * with both, one or inverted bounds, tensor bounds and NaN, and their errors. Promotion of
 * where over every dtype pair is in test/tensor/promotion.test.ts.
 */

import { describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { expectPyError, expectTensor, golden, type Encoded, type PyError } from "../golden/core/load.js";

const fixtures = golden<{ selection: Record<string, { result?: Encoded; error?: PyError }> }>("elementwise");

// The same inputs as core.py's selection(): x float32 (2, 3) with a NaN and a -0.
const x = () => torch.tensor([[-2, NaN, 0.5], [3, -0, 1.5]], { dtype: torch.float32 });
const cond = () => torch.tensor([true, false, true]);
const i = () => torch.tensor([[-3, 0, 7]]);
const f = (v: number) => torch.tensor(v, { dtype: torch.float32 });

const CASES: Record<string, () => Tensor> = {
  where_broadcast: () => torch.where(cond(), x(), torch.tensor([[10], [20]], { dtype: torch.float32 })),
  where_scalars: () => torch.where(cond(), 1.5, -2),
  where_int_float: () => torch.where(cond(), i(), 0.5),
  where_method: () => x().where(cond(), f(-1.5)),
  where_error: () => torch.where(torch.tensor([1, 0]), x(), x()),
  masked_fill_scalar: () => x().masked_fill(cond(), -7.25),
  masked_fill_tensor: () => { const t = x(); return t.masked_fill(t.gt(0), f(9)); },
  masked_fill_int_with_float: () => i().masked_fill(torch.tensor([true, false, true]), 2.7),
  masked_fill_error_value: () => x().masked_fill(cond(), torch.tensor([1, 2], { dtype: torch.float32 })),
  clamp_both: () => torch.clamp(x(), -1, 1),
  clamp_min: () => torch.clamp(x(), 0.25),
  clamp_max: () => torch.clamp(x(), null, 0.25),
  clamp_inverted: () => torch.clamp(x(), 1, -1),
  clamp_tensor_bounds: () => torch.clamp(x(), torch.tensor([0, 0, 1], { dtype: torch.float32 }), torch.tensor([[1], [2]], { dtype: torch.float32 })),
  clamp_int_float_bound: () => torch.clamp(i(), 0.5, 3.5),
  clamp_int: () => torch.clamp(i(), -1, 5),
  clamp_error: () => torch.clamp(x()),
  clip: () => torch.clip(x(), -0.5, 0.5),
};

describe("where, masked_fill and clamp match PyTorch", () => {
  it("has a test for every fixture", () => {
    expect(Object.keys(fixtures.selection).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [name, c] of Object.entries(fixtures.selection)) {
    it(name, () => {
      const run = CASES[name]!;
      if (c.error) expectPyError(run, c.error);
      else expectTensor(run(), c.result!);
    });
  }

  it("in-place forms write into the tensor", () => {
    const t = torch.tensor([-2.5, 0.5, 3.5]);
    expect(t.clamp_(-1, 1)).toBe(t);
    expect(t.tolist()).toEqual([-1, 0.5, 1]);
    t.masked_fill_(torch.tensor([false, true, false]), 7);
    expect(t.tolist()).toEqual([-1, 7, 1]);
    t.clamp_min_(0).clamp_max_(5);
    expect(t.tolist()).toEqual([0, 5, 1]);
  });
});
