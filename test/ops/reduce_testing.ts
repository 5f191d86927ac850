/**
 * Shared by the reduction and einsum tests: the golden fixtures of scripts/golden/reduce.py and
 * their comparison. The tolerance is TOLERANCE[dtype].reduction (test/harness/tolerance.ts);
 * the gradient checks are test/harness/gradcheck.ts.
 */

import { expect } from "vitest";

import torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { readGolden } from "../harness/golden.js";
import { TOLERANCE } from "../harness/tolerance.js";

/** A JSON value: numbers, with NaN and the infinities spelled as strings. */
export type Encoded = number | boolean | "nan" | "inf" | "-inf";

export interface EncodedTensor {
  shape: number[];
  dtype: "float32" | "float64" | "int64" | "bool";
  values: Encoded[];
}

export interface InputSpec extends EncodedTensor {
  permute: number[] | null;
}

export function loadGolden<T>(name: string): { metadata: { torch_version: string; script: string }; cases: T[] } {
  return readGolden("reduce", name);
}

export function decode(v: unknown): unknown {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (Array.isArray(v)) return v.map(decode);
  return v;
}

export function dtypeOf(name: string): torch.dtype {
  return { float32: torch.float32, float64: torch.float64, int64: torch.int64, bool: torch.bool }[name]!;
}

/** The contiguous base tensor of a spec (a leaf), and the view the op is applied to. */
export function inputOf(spec: InputSpec, requiresGrad = false): { base: Tensor; x: Tensor } {
  const values = spec.values.map(decode) as (number | boolean)[];
  const base = torch.tensor(values, { dtype: dtypeOf(spec.dtype) }).reshape(spec.shape);
  if (requiresGrad) base.requires_grad_(true);
  return { base, x: spec.permute ? base.permute(spec.permute) : base };
}

/** The options object of a golden call: dtype names become dtypes, "inf" numbers. */
export function kwargsOf(kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) out[k] = k === "dtype" ? dtypeOf(v as string) : decode(v);
  return out;
}

/**
 * Elementwise `|a - e| <= atol + rtol·|e|` for floats, equality for integers and bools; NaN
 * must meet NaN and infinities be equal.
 */
export function expectValues(actual: ArrayLike<number | bigint | boolean>, expected: Encoded[], dtype: string, what = ""): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  const tol = dtype === "float32" || dtype === "float64" ? TOLERANCE[dtype].reduction : undefined;
  for (let i = 0; i < expected.length; i++) {
    const e = decode(expected[i]) as number | boolean;
    const a = actual[i]!;
    const where = `${what}[${i}]: got ${String(a)}, expected ${String(e)}`;
    if (typeof e === "boolean" || !tol) {
      expect(Number(a), where).toBe(Number(e));
    } else if (Number.isNaN(e)) {
      expect(Number.isNaN(a as number), where).toBe(true);
    } else if (!Number.isFinite(e)) {
      expect(a, where).toBe(e);
    } else {
      expect(Math.abs((a as number) - e) <= tol.atol + tol.rtol * Math.abs(e), where).toBe(true);
    }
  }
}

/** Shape, dtype and values of `t` against an encoded PyTorch tensor. */
export function expectTensor(t: Tensor, expected: EncodedTensor, what = "output"): void {
  expect([...t.shape], `${what} shape`).toEqual(expected.shape);
  expect(t.dtype.name, `${what} dtype`).toBe(expected.dtype);
  expectValues(t._values() as ArrayLike<number>, expected.values, expected.dtype, what);
}
