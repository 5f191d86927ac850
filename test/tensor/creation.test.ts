/**
 * Factories against PyTorch (test/golden/core/creation.json): dtype inference, values, shapes
 * and errors of tensor, zeros, ones, full, empty, arange, linspace, eye, scalar_tensor and the
 * *_like family; linspace and arange bit patterns.
 *
 * JavaScript has one number type: an integer-valued number is a Python int here, so the
 * fixtures only use floats that have a fraction (2.5, not 2.0) where the dtype is inferred.
 */

import { describe, expect, it } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import type { DTypeName } from "../../src/tensor/dtype.js";
import {
  decodeArg, expectPyError, expectTensor, golden, valuesOf, type Encoded, type PyError,
} from "../golden/core/load.js";

interface CreationCase {
  fn: string;
  args: unknown[];
  kwargs: { dtype?: DTypeName };
  input?: { dtype: DTypeName; shape: number[] };
  result?: Encoded | { dtype: DTypeName; shape: number[] };
  error?: PyError;
}

interface RangeCase {
  start: number;
  end: number;
  steps?: number;
  step?: number;
  dtype: "float32" | "float64";
  result: Encoded;
  scalar_from?: number;
}

const fixtures = golden<{ cases: CreationCase[]; linspace: RangeCase[]; arange: RangeCase[] }>("creation");

type Factory = (...args: unknown[]) => Tensor;

function call(c: CreationCase): Tensor {
  const args = decodeArg(c.args) as unknown[];
  const options = c.kwargs.dtype ? { dtype: torch[c.kwargs.dtype] } : undefined;
  const fn = (torch as unknown as Record<string, Factory>)[c.fn]!;
  if (c.input) {
    const input = torch.zeros(c.input.shape, { dtype: torch[c.input.dtype] });
    return fn(input, ...args, ...(options ? [options] : []));
  }
  if (c.fn === "eye" && options && args.length === 1) return fn(args[0], undefined, options);
  return fn(...args, ...(options ? [options] : []));
}

describe("factories match PyTorch", () => {
  it("has the fixture cases", () => {
    expect(fixtures.cases.length).toBeGreaterThan(70);
  });

  for (const c of fixtures.cases) {
    const label = `${c.input ? `${c.fn}(<${c.input.dtype} ${JSON.stringify(c.input.shape)}>, ` : `${c.fn}(`}` +
      `${JSON.stringify(c.args).slice(1, -1)}${c.kwargs.dtype ? `, dtype=${c.kwargs.dtype}` : ""})`;
    it(label, () => {
      if (c.error) {
        expectPyError(() => call(c), c.error);
        return;
      }
      const t = call(c);
      const r = c.result!;
      if ("values" in r) {
        expectTensor(t, r);
      } else {
        // empty(): uninitialised in PyTorch, so only the dtype and shape are compared.
        expect(t.dtype.name).toBe(r.dtype);
        expect([...t.shape]).toEqual(r.shape);
      }
    });
  }
});

describe("linspace matches PyTorch's CPU kernel", () => {
  it("has the fixture cases", () => {
    expect(fixtures.linspace.length).toBeGreaterThan(100);
  });

  for (const c of fixtures.linspace) {
    it(`linspace(${c.start}, ${c.end}, ${c.steps}, ${c.dtype})`, () => {
      const t = torch.linspace(c.start, c.end, c.steps!, { dtype: torch[c.dtype] });
      // 2.x computes every element with the scalar formula; PyTorch 1.13, which wrote the
      // fixture, did so from `scalar_from` on (before that it vectorized). Those elements are
      // bit-exact; the vectorized ones differ by rounding only.
      expectTensor(t, c.result, { from: c.scalar_from });
      const got = t.tolist() as number[];
      const want = valuesOf(c.result) as number[];
      // 1.13's vectorized elements carry the error of base + k·step: a few ulps of the range.
      const eps = c.dtype === "float32" ? 2 ** -23 : 2 ** -52;
      const tol = 8 * eps * Math.max(Math.abs(c.start), Math.abs(c.end));
      for (let i = 0; i < c.scalar_from!; i++) {
        expect(Math.abs(got[i]! - want[i]!), `[${i}] ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol);
      }
    });
  }

  it("hits both ends exactly", () => {
    const t = torch.linspace(-0.3, 0.7, 37).tolist() as number[];
    expect(t[0]).toBe(Math.fround(-0.3));
    expect(t[36]).toBe(Math.fround(0.7));
  });
});

describe("arange matches PyTorch's CPU kernel bit for bit", () => {
  it("has the fixture cases", () => {
    expect(fixtures.arange.length).toBeGreaterThan(80);
  });

  for (const c of fixtures.arange) {
    it(`arange(${c.start}, ${c.end}, ${c.step}, ${c.dtype})`, () => {
      expectTensor(torch.arange(c.start, c.end, c.step!, { dtype: torch[c.dtype] }), c.result);
    });
  }
});

describe("factory options", () => {
  it("variadic and array shapes agree", () => {
    expect([...torch.zeros(2, 3).shape]).toEqual([2, 3]);
    expect([...torch.ones([2, 3]).shape]).toEqual([2, 3]);
    expect([...torch.empty(torch.zeros(4, 1).shape).shape]).toEqual([4, 1]);
  });

  it("requires_grad option makes a leaf that requires grad", () => {
    const t = torch.ones(2, { requires_grad: true });
    expect(t.requires_grad).toBe(true);
    expect(t.is_leaf).toBe(true);
    expect(torch.tensor([1.5], { requires_grad: true }).grad_fn).toBeNull();
  });

  it("accepts the cpu device and refuses others with a clear error", () => {
    expect(torch.zeros(2, { device: "cpu" }).device.type).toBe("cpu");
    expect(torch.tensor([1, 2], { device: "cpu:0" }).device.type).toBe("cpu");
    expect(torch.arange(3, { device: new torch.device("cpu") }).numel()).toBe(3);
    for (const d of ["cuda", "cuda:0", "mps"]) {
      const make = () => torch.zeros(2, { device: d });
      expect(make).toThrow(torch.RuntimeError);
      expect(make).toThrow(/supports only the "cpu" device/);
    }
    expect(() => torch.ones(2).to("cuda")).toThrow(/supports only the "cpu" device/);
  });

  it("tensor() copies its input", () => {
    const data = new Float32Array([1, 2]);
    const t = torch.tensor(data);
    data[0] = 9;
    expect(t.tolist()).toEqual([1, 2]);
    const u = torch.tensor(t);
    t.add_(1);
    expect(u.tolist()).toEqual([1, 2]);
  });
});
