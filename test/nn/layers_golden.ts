/**
 * Reading the fixtures scripts/golden/layers.py writes with real PyTorch (test/golden/layers),
 * and the comparisons the layer and loss tests share. The tolerances live here, once.
 */

import { readFileSync } from "node:fs";
import { expect } from "vitest";

import torch, { Tensor } from "../../src/index.js";

/** A tensor exactly: float32 as uint32 bit patterns, float64 as hex, integers as values. */
export interface Enc {
  dtype: "float32" | "float64" | "int64" | "int32" | "bool";
  shape: number[];
  bits?: (number | string)[];
  values?: (number | boolean)[];
}

/** Computed values; non-finite ones are the strings "nan", "inf" and "-inf". */
export interface Numbers {
  shape: number[];
  values: (number | string)[];
}

export interface PyError {
  type: string;
  message: string;
}

/** Reads test/golden/layers/<name>.json and checks that layers.py wrote it. */
export function golden<T>(name: string): T {
  const data = JSON.parse(readFileSync(`test/golden/layers/${name}.json`, "utf8")) as T & {
    metadata: { script: string; torch_version: string };
  };
  expect(data.metadata.script).toBe("scripts/golden/layers.py");
  return data;
}

/** The tensor a fixture encodes, bit for bit. */
export function decode(e: Enc): Tensor {
  if (e.dtype === "float32" || e.dtype === "float64") {
    const data =
      e.dtype === "float32"
        ? new Float32Array(Uint32Array.from(e.bits as number[]).buffer)
        : new Float64Array(BigUint64Array.from((e.bits as string[]).map((h) => BigInt("0x" + h))).buffer);
    return torch.tensor(data).reshape(e.shape);
  }
  return torch.tensor(e.values as number[], { dtype: torch[e.dtype] }).reshape(e.shape);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Float32 bit patterns of a tensor's values, row-major. */
export function bitsOf(t: Tensor): number[] {
  return Array.from(t.contiguous()._values() as Float32Array, (v) => {
    f32[0] = v;
    return u32[0]!;
  });
}

/** Bit-exact comparison with an encoded tensor (dtype, shape, every value's bits). */
export function expectExact(t: Tensor, e: Enc): void {
  expect(t.dtype.name).toBe(e.dtype);
  expect([...t.shape]).toEqual(e.shape);
  const expected = decode(e);
  const a = Array.from(t.contiguous()._values() as ArrayLike<number>);
  const b = Array.from(expected._values() as ArrayLike<number>);
  if (t.dtype === torch.float32) expect(bitsOf(t)).toEqual(bitsOf(expected));
  else expect(a.map((v) => (Object.is(v, -0) ? "-0" : String(v)))).toEqual(b.map((v) => (Object.is(v, -0) ? "-0" : String(v))));
}

/**
 * The one tolerance for computed float32 values (activations, losses, normalisation and their
 * gradients): relative 1e-5, plus 1e-6 absolute for values near zero. PyTorch's kernels sum and
 * fuse in their own order (cascade sums, FMA, reciprocal multiplies), ours in binary64 or a plain
 * order, so agreement is to a few float32 ulps, not to the bit.
 */
export const RTOL = 1e-5;
export const ATOL = 1e-6;

/** Compares with a fixture's numbers within RTOL/ATOL; NaN matches NaN, infinities exactly. */
export function expectClose(t: Tensor | null, e: Numbers | null, what = ""): void {
  if (e === null) {
    expect(t, what).toBeNull();
    return;
  }
  expect(t, what).not.toBeNull();
  expect([...t!.shape], what).toEqual(e.shape);
  const actual = Array.from(t!.contiguous()._values() as ArrayLike<number>, Number);
  expect(actual.length).toBe(e.values.length);
  actual.forEach((v, i) => {
    const raw = e.values[i]!;
    const want = typeof raw === "number" ? raw : raw === "nan" ? NaN : raw === "inf" ? Infinity : -Infinity;
    const ok = Number.isNaN(want) ? Number.isNaN(v) : !Number.isFinite(want) ? v === want : Math.abs(v - want) <= ATOL + RTOL * Math.abs(want);
    if (!ok) throw new Error(`${what} element ${i}: got ${v}, expected ${want} (shape [${e.shape.join(", ")}])`);
  });
}

/** Runs `fn` and checks the error's class name and message against PyTorch's. */
export function expectPyError(fn: () => unknown, e: PyError): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${e.type}: ${e.message}`).toBeInstanceOf(Error);
  const err = caught as Error;
  expect(err.name).toBe(e.type);
  expect(err.message).toBe(e.message);
}

/** Two float32 uniforms after an op: they prove the op consumed PyTorch's number of draws. */
export function expectProbe(probe: number[]): void {
  expect(bitsOf(torch.rand(2))).toEqual(probe);
}

/** A float64 leaf copy of `t` that requires grad, for gradcheck. */
export function f64(t: Tensor): Tensor {
  return t.detach().to(torch.float64).requires_grad_(true);
}

/** Captures console.warn output while `fn` runs. */
export function captureWarnings(fn: () => void): string[] {
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    seen.push(args.map(String).join(" "));
  };
  try {
    fn();
  } finally {
    console.warn = original;
  }
  return seen;
}

/**
 * `t ↦ ∂loss(t)/∂t` computed with create_graph, as a function gradcheck can differentiate: its
 * gradcheck checks the double backward. gradcheck evaluates it under no_grad on detached
 * copies too, so the first gradient is taken under enable_grad on a fresh leaf then.
 */
export function firstGrad(loss: (t: Tensor) => Tensor): (t: Tensor) => Tensor {
  return (t: Tensor) =>
    torch.enable_grad(() => {
      const leaf = t.requires_grad ? t : t.detach().requires_grad_(true);
      return torch.autograd.grad(loss(leaf), leaf, null, { create_graph: true })[0]!;
    });
}
