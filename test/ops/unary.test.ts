/**
 * Unary elementwise ops against PyTorch (test/golden/core/elementwise.json): every op of
 * src/ops/unary.ts on float32 and float64 special and ordinary values (NaN, ±inf, ±0, halves,
 * subnormals, huge values), on int64, int32 and bool inputs, with PyTorch's result dtypes and
 * errors. Exactly rounded ops must match bit for bit; the rest within TOLERANCE[dtype].ulps.
 */

import { describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import type { DTypeName } from "../../src/tensor/dtype.js";
import { decode, expectPyError, expectTensor, golden, type Encoded, type PyError } from "../golden/core/load.js";
import { TOLERANCE } from "../harness/tolerance.js";

const fixtures = golden<{
  unary_inputs: Record<string, Encoded>;
  unary: { op: string; input: DTypeName; result?: Encoded; error?: PyError }[];
}>("elementwise");

/** Ops whose float results are exactly specified (correctly rounded or exact). */
const EXACT = new Set([
  "neg", "abs", "sign", "relu", "floor", "ceil", "round", "trunc", "frac", "reciprocal", "square", "sqrt",
  "logical_not", "bitwise_not", "isnan", "isinf", "isfinite", "signbit",
]);

type Unary = (x: Tensor) => Tensor;

describe("unary ops match PyTorch", () => {
  it("covers every unary op on every dtype", () => {
    const ops = new Set(fixtures.unary.map((c) => c.op));
    expect(ops.size).toBe(41);
    expect(fixtures.unary.length).toBe(41 * 5);
  });

  for (const c of fixtures.unary) {
    it(`${c.op}(${c.input})`, () => {
      const x = decode(fixtures.unary_inputs[c.input]!);
      const run = () => (torch as unknown as Record<string, Unary>)[c.op]!(x);
      if (c.error) {
        expectPyError(run, c.error);
        return;
      }
      const d = c.result!.dtype;
      const ulps = EXACT.has(c.op) || (d !== "float32" && d !== "float64") ? 0
        : c.op === "erfinv" ? TOLERANCE[d].erfinvUlps : TOLERANCE[d].ulps;
      expectTensor(run(), c.result!, { ulps });
      // The method and in-place forms compute the same thing.
      const method = (x as unknown as Record<string, () => Tensor>)[c.op]!.call(x);
      expectTensor(method, c.result!, { ulps });
      if (c.result!.dtype === c.input) {
        const y = x.clone();
        (y as unknown as Record<string, () => Tensor>)[`${c.op}_`]!.call(y);
        expectTensor(y, c.result!, { ulps, label: `${c.op}_` });
      }
    });
  }
});

describe("unary op details", () => {
  it("erf, erfc and erfinv are accurate where PyTorch's reference values are not", () => {
    // Correctly rounded values of erfinv, from 80-digit arithmetic; PyTorch's are 7 and 1 ulps
    // away (see TOLERANCE.float32.erfinvUlps).
    const y = torch.tensor([0.9999, -0.75], { dtype: torch.float64 });
    expect(torch.erfinv(y).tolist()).toEqual([2.75106390571208, -0.8134198475976185]);
    const x = torch.tensor([0.5, 2, 3.2, 6, 27], { dtype: torch.float64 });
    expect(torch.erf(x).add(torch.erfc(x)).tolist()).toEqual([1, 1, 1, 1, 1]);
    expect(torch.erfc(torch.tensor([30], { dtype: torch.float64 })).item()).toBe(0);
  });

  it("round sends halves to the even neighbour", () => {
    const x = torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997], { dtype: torch.float32 });
    const r = torch.round(x).tolist() as number[];
    expect(r.map((v) => (Object.is(v, -0) ? "-0" : v))).toEqual([0, 2, 2, "-0", -2, -2, 0]);
  });

  it("keeps the gradient names of PyTorch", () => {
    const x = torch.tensor([0.5, 2], { requires_grad: true });
    expect(x.exp().grad_fn?.name()).toBe("ExpBackward0");
    expect(x.square().grad_fn?.name()).toBe("PowBackward0");
    expect(x.log1p().grad_fn?.name()).toBe("Log1PBackward0");
    expect(x.sigmoid().grad_fn?.name()).toBe("SigmoidBackward0");
    expect(x.isnan().grad_fn).toBeNull();
  });
});
