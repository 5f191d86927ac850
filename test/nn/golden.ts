/**
 * Reading the fixtures scripts/golden/nn.py writes with real PyTorch, and the comparisons the
 * nn tests share. Tolerances live here, in one place.
 */

import { readFileSync } from "node:fs";
import { expect } from "vitest";

import torch, { Tensor } from "../../src/index.js";

export interface Bits {
  dtype: "float32" | "float64";
  shape: number[];
  /** float32: uint32 bit patterns; float64: 16 hex digits. */
  bits: (number | string)[];
  /** When set, `bits` holds every `stride`-th element of the flattened tensor. */
  stride?: number;
}

export interface Numbers {
  shape: number[];
  values: number[];
}

export interface PyError {
  type: string;
  message: string;
  message_2x?: string;
}

/** Reads test/golden/nn/<name>.json and checks that nn.py wrote it. */
export function golden<T>(name: string): T {
  const data = JSON.parse(readFileSync(`test/golden/nn/${name}.json`, "utf8")) as T & {
    metadata: { script: string; torch_version: string };
  };
  expect(data.metadata.script).toBe("scripts/golden/nn.py");
  return data;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The bit patterns of a tensor's values, encoded as the fixture encodes them. */
export function bitsOf(t: Tensor, stride = 1): (number | string)[] {
  const values = Array.from(t.contiguous()._values() as Float32Array | Float64Array);
  const picked = values.filter((_, i) => i % stride === 0);
  if (t.dtype === torch.float32) {
    return picked.map((v) => {
      f32[0] = v;
      return u32[0]!;
    });
  }
  return picked.map((v) => {
    f64[0] = v;
    return u64[0]!.toString(16).padStart(16, "0");
  });
}

/** A tensor holding exactly the encoded values (all of them: `stride` must be absent). */
export function decode(e: Bits): Tensor {
  const data =
    e.dtype === "float32"
      ? new Float32Array(Uint32Array.from(e.bits as number[]).buffer)
      : new Float64Array(BigUint64Array.from((e.bits as string[]).map((h) => BigInt("0x" + h))).buffer);
  return torch.tensor(data).reshape(e.shape);
}

/** Bit-exact comparison against an encoded tensor (shape, dtype and every bit pattern). */
export function expectBits(t: Tensor, e: Bits): void {
  expect(t.dtype.name).toBe(e.dtype);
  expect([...t.shape]).toEqual(e.shape);
  expect(bitsOf(t, e.stride ?? 1)).toEqual(e.bits);
}

/** Units in the last place between two float64 values (same sign assumed near each other). */
function ulps64(a: number, b: number): number {
  f64[0] = a;
  const x = u64[0]!;
  f64[0] = b;
  const y = u64[0]!;
  return Number(x > y ? x - y : y - x);
}

/** Like expectBits, allowing float64 values to be `ulps` apart (documented libm cases only). */
export function expectBitsWithin(t: Tensor, e: Bits, ulps: number): void {
  expect(t.dtype.name).toBe(e.dtype);
  expect([...t.shape]).toEqual(e.shape);
  const want = Array.from(decode(e)._values() as Float64Array);
  const got = Array.from(t.contiguous()._values() as Float64Array);
  got.forEach((v, i) => expect(ulps64(v, want[i]!), `element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(ulps));
}

/**
 * Results of matrix products and reductions: PyTorch's BLAS sums in its own order, so they
 * are compared within a relative tolerance of the float32 rounding of a short sum.
 */
export const MATMUL_RTOL = 1e-5;
export const MATMUL_ATOL = 1e-6;

export function expectClose(t: Tensor, e: Numbers, rtol = MATMUL_RTOL, atol = MATMUL_ATOL): void {
  expect([...t.shape]).toEqual(e.shape);
  const actual = Array.from(t.contiguous()._values() as Float32Array | Float64Array);
  expect(actual.length).toBe(e.values.length);
  actual.forEach((v, i) => {
    const want = e.values[i]!;
    if (Math.abs(v - want) > atol + rtol * Math.abs(want)) {
      throw new Error(`element ${i}: got ${v}, expected ${want} (shape [${e.shape.join(", ")}])`);
    }
  });
}

/** Two float32 uniforms after an op: they prove the op consumed PyTorch's number of draws. */
export function expectProbe(probe: number[]): void {
  expect(bitsOf(torch.rand(2))).toEqual(probe);
}

/** Runs `fn` and checks the error's class name and message against PyTorch's. */
export function expectPyError(fn: () => unknown, e: PyError, use2x = true): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${e.type}: ${e.message}`).toBeInstanceOf(Error);
  const err = caught as Error;
  expect(err.name).toBe(e.type);
  expect(err.message).toBe(use2x && e.message_2x !== undefined ? e.message_2x : e.message);
}
