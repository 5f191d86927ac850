import { afterEach, describe, expect, it } from "vitest";

import {
  formatTensor,
  get_printoptions,
  set_printoptions,
  type PrintOptions,
  type TensorPrintInfo,
} from "../../src/tensor/print.js";
import { readGolden, typedValues } from "../harness/golden.js";

interface GoldenCase {
  name: string;
  shape: number[];
  dtype: TensorPrintInfo["dtype"];
  values: (number | string | boolean)[];
  requires_grad: boolean;
  grad_fn: string | null;
  options: (Partial<PrintOptions> & { profile?: "default" | "short" | "full" }) | null;
  repr: string;
}

const golden = readGolden<{
  metadata: { torch_version: string; script: string };
  cases: GoldenCase[];
}>("print", "cases");

function info(c: GoldenCase): TensorPrintInfo {
  return {
    shape: c.shape,
    dtype: c.dtype,
    values: typedValues(c.dtype, c.values),
    requiresGrad: c.requires_grad,
    gradFn: c.grad_fn,
  };
}

afterEach(() => set_printoptions({ profile: "default" }));

describe("formatTensor matches PyTorch's repr", () => {
  it("has golden cases from PyTorch", () => {
    expect(golden.metadata.script).toBe("scripts/golden/print.py");
    expect(golden.cases.length).toBeGreaterThanOrEqual(150);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    if (c.options) set_printoptions(c.options);
    expect(formatTensor(info(c))).toBe(c.repr);
  });
});

describe("set_printoptions / get_printoptions", () => {
  it("starts at PyTorch's defaults", () => {
    expect(get_printoptions()).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sci_mode: null });
  });

  it("applies a profile, then the explicit options", () => {
    set_printoptions({ profile: "short", linewidth: 100 });
    expect(get_printoptions()).toEqual({ precision: 2, threshold: 1000, edgeitems: 2, linewidth: 100, sci_mode: null });
    set_printoptions({ profile: "full" });
    expect(get_printoptions().threshold).toBe(Infinity);
  });

  it("resets sci_mode on every call, as PyTorch does", () => {
    set_printoptions({ sci_mode: true });
    expect(get_printoptions().sci_mode).toBe(true);
    set_printoptions({ precision: 3 });
    expect(get_printoptions()).toMatchObject({ precision: 3, sci_mode: null });
  });

  it("returns a copy", () => {
    const o = get_printoptions();
    o.precision = 9;
    expect(get_printoptions().precision).toBe(4);
  });

  it("changes what formatTensor prints", () => {
    const t: TensorPrintInfo = { shape: [1], dtype: "float32", values: [1.12345], requiresGrad: false, gradFn: null };
    expect(formatTensor(t)).toBe("tensor([1.1235])");
    set_printoptions({ precision: 2 });
    expect(formatTensor(t)).toBe("tensor([1.12])");
    set_printoptions({ profile: "default" });
    expect(formatTensor(t)).toBe("tensor([1.1235])");
  });
});

describe("formatTensor inputs", () => {
  const base = { requiresGrad: false, gradFn: null } as const;

  it("rounds plain numbers to float32 for float32 tensors", () => {
    // 0.1 as a double prints 0.1000000000; the float32 nearest it prints 0.1000000015.
    set_printoptions({ precision: 10 });
    expect(formatTensor({ ...base, shape: [1], dtype: "float32", values: [0.1] })).toBe("tensor([0.1000000015])");
    expect(formatTensor({ ...base, shape: [1], dtype: "float64", values: [0.1] })).toBe(
      "tensor([0.1000000000], dtype=torch.float64)",
    );
  });

  it("accepts int64 as plain numbers and bools as 0/1", () => {
    expect(formatTensor({ ...base, shape: [3], dtype: "int64", values: [1, -20, 300] })).toBe("tensor([  1, -20, 300])");
    expect(formatTensor({ ...base, shape: [2], dtype: "bool", values: new Uint8Array([1, 0]) })).toBe(
      "tensor([ True, False])",
    );
  });

  it("prints grad_fn instead of requires_grad", () => {
    const t = { shape: [], dtype: "float32", values: [2], requiresGrad: true } as const;
    expect(formatTensor({ ...t, gradFn: null })).toBe("tensor(2., requires_grad=True)");
    expect(formatTensor({ ...t, gradFn: "SumBackward0" })).toBe("tensor(2., grad_fn=<SumBackward0>)");
  });

  it("rejects a value count that does not match the shape", () => {
    expect(() => formatTensor({ ...base, shape: [2, 3], dtype: "float32", values: [1, 2] })).toThrow(
      "shape (2, 3) has 6 elements but 2 values were given",
    );
  });

  it("fails like PyTorch when summarizing a matrix with edgeitems 0", () => {
    set_printoptions({ edgeitems: 0, threshold: 2 });
    expect(() => formatTensor({ ...base, shape: [2, 2], dtype: "float32", values: [1, 2, 3, 4] })).toThrow(
      "stack expects a non-empty TensorList",
    );
  });
});
