/**
 * The Tensor class's own surface against PyTorch (test/golden/core/autograd.json): item() and
 * tolist() (int64 beyond 2^53 as bigint, bool as boolean), size() / stride() and their
 * IndexErrors, requires_grad and its three different error texts, and the device property.
 */

import { describe, expect, it } from "vitest";

import torch from "../../src/index.js";
import { expectPyError, golden, type PyError } from "../golden/core/load.js";

const { scenarios } = golden<{ scenarios: Record<string, Record<string, unknown>> }>("autograd");

describe("item() and tolist() match PyTorch", () => {
  const s = scenarios.items_and_lists! as Record<string, unknown> & { item_error_1_13: PyError };

  it("item() gives numbers, bigints beyond 2^53, and booleans", () => {
    expect(torch.tensor(3.25).item()).toBe(s.item_float);
    expect(torch.tensor(-3).item()).toBe(s.item_int);
    const big = torch.tensor(2n ** 60n + 1n).item();
    expect(typeof big).toBe("bigint");
    expect(String(big)).toBe(s.item_big);
    expect(torch.tensor(true).item()).toBe(s.item_bool);
    expect(torch.tensor([[1.5]]).item()).toBe(s.item_one_of_many);
  });

  it("item() of several elements raises 2.x's RuntimeError", () => {
    // PyTorch 1.13 raised ValueError "only one element tensors can be converted to Python
    // scalars" (the fixture keeps it); 2.x raises this RuntimeError, which torch-ts follows.
    expect(s.item_error_1_13.type).toBe("ValueError");
    expectPyError(() => torch.zeros(2).item(), {
      type: "RuntimeError",
      message: "a Tensor with 2 elements cannot be converted to Scalar",
    });
  });

  it("tolist() nests like PyTorch", () => {
    expect(torch.tensor([[1, 2], [3, 4]]).tolist()).toEqual(s.tolist_nested);
    const big = torch.tensor([2n ** 60n + 1n, -(2n ** 62n), 5n]).tolist() as (number | bigint)[];
    expect(big.map(String)).toEqual(s.tolist_big);
    expect(big.map((v) => typeof v)).toEqual(["bigint", "bigint", "number"]);
    expect(torch.tensor([[true, false]]).tolist()).toEqual(s.tolist_bool);
    expect(torch.tensor([1.5, 0.1]).tolist()).toEqual(s.tolist_float);
    expect(torch.tensor(2.5).tolist()).toBe(s.tolist_scalar);
    expect(torch.zeros(2, 0).tolist()).toEqual(s.tolist_empty);
    expect(torch.arange(6).reshape(2, 3).t().tolist()).toEqual(s.tolist_noncontiguous);
  });
});

describe("size() and stride() match PyTorch", () => {
  const s = scenarios.size_errors! as { size: number[]; size_last: number; stride_first: number; errors: PyError[] };

  it("reads dims, negative dims included", () => {
    const t = torch.zeros(2, 3);
    expect([...t.size()]).toEqual(s.size);
    expect(t.size(-1)).toBe(s.size_last);
    expect(t.stride(0)).toBe(s.stride_first);
    expect(String(t.size())).toBe("torch.Size([2, 3])");
  });

  it("raises PyTorch's IndexErrors", () => {
    const t = torch.zeros(2, 3);
    const calls = [() => t.size(2), () => t.size(-3), () => t.stride(2), () => torch.zeros([]).size(0), () => torch.zeros([]).stride(-1)];
    calls.forEach((call, i) => expectPyError(call, s.errors[i]!, `call ${i}`));
    expect(() => t.size(2)).toThrow(torch.IndexError);
  });
});

describe("requires_grad matches PyTorch", () => {
  const s = scenarios.requires_grad_errors! as { errors: PyError[]; requires_grad_true_on_nonleaf_ok: boolean };

  it("refuses integer and bool tensors, each path with its own text", () => {
    const y = torch.tensor([1.5, 2.5], { requires_grad: true }).mul(2);
    const calls = [
      () => torch.tensor([1, 2]).requires_grad_(),
      () => { torch.tensor([1, 2]).requires_grad = true; },
      () => torch.tensor([1, 2], { requires_grad: true }),
      () => torch.zeros(2, { dtype: torch.int64, requires_grad: true }),
      () => torch.tensor([true]).requires_grad_(),
      () => { y.requires_grad = false; },
      () => { y.requires_grad = true; },
      () => y.requires_grad_(false),
    ];
    calls.forEach((call, i) => expectPyError(call, s.errors[i]!, `call ${i}`));
    expect(y.requires_grad_(true) === y).toBe(s.requires_grad_true_on_nonleaf_ok);
  });

  it("a leaf can switch requires_grad off and on", () => {
    const x = torch.zeros(2);
    x.requires_grad = true;
    expect(x.requires_grad).toBe(true);
    x.requires_grad_(false);
    expect(x.requires_grad).toBe(false);
  });
});

describe("device", () => {
  it("every tensor is on the cpu", () => {
    const t = torch.ones(2);
    expect(t.device.type).toBe("cpu");
    expect(t.is_cpu).toBe(true);
    expect(t.cpu()).toBe(t);
    expect(t.to("cpu")).toBe(t);
  });

  it("refuses cuda with a clear RuntimeError", () => {
    expect(() => new torch.device("cuda")).toThrow(torch.RuntimeError);
    expect(() => new torch.device("cuda:1")).toThrow(/supports only the "cpu" device, but got device "cuda:1"/);
  });
});
