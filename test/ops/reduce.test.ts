/**
 * sum, mean, prod and cumsum beyond the golden fixtures: argument forms, dtype rules, and
 * float64 finite-difference checks of first and second derivatives.
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck, gradgradcheck } from "../harness/gradcheck.js";
import { lcgTensor } from "../harness/streams.js";

const f64 = (values: number[][]) => torch.tensor(values, { dtype: torch.float64 });

describe("sum and mean", () => {
  it("take the options object in dim's place", () => {
    const x = torch.tensor([[1, 2], [3, 4]]);
    expect(x.sum({ keepdim: true }).tolist()).toEqual([[10]]);
    expect(x.sum({ dtype: torch.float64 }).dtype).toBe(torch.float64);
    expect(x.mean({ dtype: torch.float32 }).item()).toBe(2.5);
    expect(torch.mean(x.to(torch.float32), [0, 1], { keepdim: true }).tolist()).toEqual([[2.5]]);
  });

  it("mean with a dtype casts before reducing, and its gradient comes back in the input's dtype", () => {
    const x = torch.tensor([1.5, 2.5], { dtype: torch.float32, requires_grad: true });
    const m = x.mean({ dtype: torch.float64 });
    expect(m.dtype).toBe(torch.float64);
    m.backward();
    expect(x.grad!.dtype).toBe(torch.float32);
    expect(x.grad!.tolist()).toEqual([0.5, 0.5]);
  });

  it("gradcheck", () => {
    const x = lcgTensor([3, 4, 2], 1);
    gradcheck((t) => t.sum([0, 2], { keepdim: true }), [x]);
    gradcheck((t) => t.sum(-1), [x]);
    gradcheck((t) => t.mean(), [x]);
    gradcheck((t) => t.mean([1, -1]), [x]);
    gradcheck((t) => t.permute(2, 0, 1).mean(1, { keepdim: true }), [x]);
  });
});

describe("prod", () => {
  it("takes one dim, not a list, like PyTorch", () => {
    const x = torch.ones([2, 2]);
    expect(() => torch.prod(x, [0, 1] as unknown as number)).toThrow(TypeError);
    expect(x.prod(1, { keepdim: true }).shape).toEqual([2, 1]);
  });

  it("multiplies integers and bools in int64", () => {
    expect(torch.tensor([[2, 3], [4, 5]]).prod().item()).toBe(120);
    expect(torch.tensor([true, true]).prod().dtype).toBe(torch.int64);
  });

  it("gradcheck without zeros", () => {
    const x = lcgTensor([3, 4], 2);
    gradcheck((t) => t.prod(), [x]);
    gradcheck((t) => t.prod(1), [x]);
    gradcheck((t) => t.prod(0, { keepdim: true }), [x]);
    gradgradcheck((t) => t.prod(1), [x]);
    gradgradcheck((t) => t.prod(), [x]);
  });

  it("gradcheck with one and with two zeros in a slice", () => {
    const x = f64([[1.5, 0, -2, 0.5], [0, 3, 0, 2], [1.25, -0.5, 2, -1.5]]);
    gradcheck((t) => t.prod(1), [x]);
    gradcheck((t) => t.prod(0), [x]);
    gradcheck((t) => t.prod(), [f64([[1.5, -2], [0, 0.5]])]);
    gradcheck((t) => t.prod(), [x]);
  });

  it("double backward is exact where a slice holds one zero", () => {
    const x = f64([[1.5, 0, -2, 0.5], [0.75, 3, 1.25, 2]]);
    gradgradcheck((t) => t.prod(1), [x]);
    gradgradcheck((t) => t.prod(), [f64([[1.5, -2], [0, 0.5]])]);
  });
});

describe("cumsum", () => {
  it("runs along any dim, integers in int64", () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.cumsum(1).tolist()).toEqual([[1, 3, 6], [4, 9, 15]]);
    expect(torch.cumsum(x, -2).tolist()).toEqual([[1, 2, 3], [5, 7, 9]]);
    expect(x.cumsum(0).dtype).toBe(torch.int64);
    expect(x.cumsum(0, { dtype: torch.float32 }).dtype).toBe(torch.float32);
  });

  it("gradcheck, through a transposed view too", () => {
    const x = lcgTensor([3, 4], 3);
    gradcheck((t) => t.cumsum(1), [x]);
    gradcheck((t) => t.t().cumsum(0), [x]);
    // The backward of the backward is again a running sum.
    gradgradcheck((t: Tensor) => t.cumsum(0).mul(t), [x]);
  });
});

describe("sum_to_size", () => {
  // Values, dtypes and node names from PyTorch 1.13 (worked by hand for arange(24).reshape(2, 4, 3)).
  const y = () => torch.arange(24).to(torch.float32).reshape(2, 4, 3);

  it("sums the broadcast dims away, as PyTorch", () => {
    expect(y().sum_to_size(1, 3).tolist()).toEqual([[84, 92, 100]]);
    expect(y().sum_to_size([4, 1]).tolist()).toEqual([[42], [60], [78], [96]]);
    expect(y().sum_to_size(3).tolist()).toEqual([84, 92, 100]);
    const same = y();
    expect(same.sum_to_size(2, 4, 3)).toBe(same);
    expect(() => y().sum_to_size(5)).toThrow("size {[5]} is not expandable to size {[2, 4, 3]}.");
  });

  it("sums integers into int64, and leaves a tensor of the size alone in its dtype", () => {
    const x = torch.ones([2, 3], { dtype: torch.int32 });
    expect(x.sum_to_size(3).dtype).toBe(torch.int64);
    expect(x.sum_to_size(1, 3).dtype).toBe(torch.int64);
    expect(x.sum_to_size(2, 3).dtype).toBe(torch.int32);
    expect(x.sum_to_size(3).tolist()).toEqual([2, 2, 2]);
  });

  it("gives the same bits with and without a graph, and records ViewBackward0 over SumBackward1", () => {
    const values = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 1e3);
    const bits = (t: Tensor) => Array.from(new Uint32Array((t.contiguous()._values() as Float32Array).buffer));
    for (const size of [[3], [1, 3], [4, 1], [1, 1], [2, 1, 3]]) {
      const plain = torch.tensor(values).reshape(2, 4, 3).sum_to_size(size);
      const leaf = torch.tensor(values).reshape(2, 4, 3).requires_grad_(true);
      const recorded = leaf.sum_to_size(size);
      expect([...plain.shape], `${size}`).toEqual(size);
      expect(bits(plain), `${size}`).toEqual(bits(recorded.detach()));
      expect(plain.grad_fn).toBeNull();
      const names = [recorded.grad_fn?.name(), recorded.grad_fn?.next_functions[0]?.[0].name()];
      expect(names, `${size}`).toEqual(size.length < 3 ? ["ViewBackward0", "SumBackward1"] : ["SumBackward1", "torch::autograd::AccumulateGrad"]);
    }
  });
});
