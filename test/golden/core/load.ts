/**
 * Reading the tensor-core fixtures that scripts/golden/core.py writes with real PyTorch, and
 * comparing our tensors against them. The float tolerances live here, in one place.
 */

import { readFileSync } from "node:fs";
import { expect } from "vitest";

import torch, { Tensor } from "../../../src/index.js";
import type { DTypeName } from "../../../src/tensor/dtype.js";

export interface Encoded {
  dtype: DTypeName;
  shape: number[];
  values: (number | string | boolean)[];
}

export interface PyError {
  type: string;
  message: string;
}

export interface Metadata {
  torch_version: string;
  script: string;
}

/** Reads test/golden/core/<name>.json and checks that core.py wrote it. */
export function golden<T>(name: string): T & { metadata: Metadata } {
  const data = JSON.parse(readFileSync(`test/golden/core/${name}.json`, "utf8")) as T & { metadata: Metadata };
  expect(data.metadata.script).toBe("scripts/golden/core.py");
  return data;
}

/**
 * Allowed distance from PyTorch in units in the last place, per dtype, for results that are
 * not exactly specified (transcendentals, pow, atan2, composed gradients). PyTorch's SLEEF
 * kernels are within 1 ulp of the true value and ours are too, so two such results may sit
 * 1 ulp apart on each side. Exactly rounded ops (+ - * / sqrt, rounding, comparisons, views)
 * and every integer and bool result are compared with 0.
 */
export const TOLERANCE_ULPS: Record<"float32" | "float64", number> = { float32: 2, float64: 2 };

/**
 * erfinv is the one op where PyTorch itself is several ulps from the true value: at 0.9999 its
 * float32 result is 4 ulps and its float64 result 7 ulps from the correctly rounded one (checked
 * with 80-digit arithmetic), which torch-ts returns; its Newton steps on erf lose precision
 * where erf is flat. The allowance covers PyTorch's error, not ours.
 */
export const ERFINV_TOLERANCE_ULPS: Record<"float32" | "float64", number> = { float32: 8, float64: 16 };

/** Gradients are sums of several rounded terms, so they get a relative tolerance instead. */
export const GRAD_RTOL: Record<"float32" | "float64", number> = { float32: 1e-5, float64: 1e-12 };

export function dtypeOf(name: DTypeName) {
  return torch[name];
}

/** The expected values as JS numbers (floats), bigints (int64) or booleans. */
export function valuesOf(e: Encoded): (number | bigint | boolean)[] {
  switch (e.dtype) {
    case "float32":
      return Array.from(new Float32Array(Uint32Array.from(e.values as number[]).buffer));
    case "float64":
      return Array.from(
        new Float64Array(BigUint64Array.from((e.values as string[]).map((h) => BigInt("0x" + h))).buffer),
      );
    case "int64":
      return (e.values as string[]).map((s) => BigInt(s));
    case "int32":
      return e.values as number[];
    case "bool":
      return e.values as boolean[];
  }
}

/** A tensor holding exactly the encoded values. */
export function decode(e: Encoded): Tensor {
  let data: ArrayBufferView;
  switch (e.dtype) {
    case "float32":
      data = new Float32Array(Uint32Array.from(e.values as number[]).buffer);
      break;
    case "float64":
      data = new Float64Array(BigUint64Array.from((e.values as string[]).map((h) => BigInt("0x" + h))).buffer);
      break;
    case "int64":
      data = BigInt64Array.from((e.values as string[]).map((s) => BigInt(s)));
      break;
    case "int32":
      data = Int32Array.from(e.values as number[]);
      break;
    case "bool":
      return torch.tensor(e.values as boolean[], { dtype: torch.bool }).reshape(e.shape);
  }
  return torch.tensor(data).reshape(e.shape);
}

/** Arguments as core.py writes them: {"bigint": "..."} and {"float": "inf"} spelled out. */
export function decodeArg(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeArg);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.bigint === "string") return BigInt(o.bigint);
    if (typeof o.float === "string") return ({ inf: Infinity, "-inf": -Infinity, nan: NaN } as Record<string, number>)[o.float];
  }
  return v;
}

/** Row-major values of a tensor in the same representation as valuesOf. */
export function actualValues(t: Tensor): (number | bigint | boolean)[] {
  if (t.dtype === torch.bool) return Array.from(t._values() as Uint8Array, (v) => v !== 0);
  return Array.from(t._values() as ArrayLike<number | bigint>);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** Ordered integer for a float, so that neighbours differ by 1 (and -0 sits 1 below +0). */
function ordered32(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  return b >= 0x80000000 ? -(b - 0x80000000) - 1 : b;
}

function ordered64(x: number): bigint {
  f64[0] = x;
  const b = i64[0]!;
  return b < 0n ? -(b & 0x7fffffffffffffffn) - 1n : b;
}

/** Units in the last place between a and b in `dtype` (NaN matches NaN only). */
export function ulpDistance(a: number, b: number, dtype: "float32" | "float64"): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (dtype === "float32") return Math.abs(ordered32(a) - ordered32(b));
  const d = ordered64(a) - ordered64(b);
  return Number(d < 0n ? -d : d);
}

export interface CompareOptions {
  /** Allowed ulps for floats; 0 (bit-exact up to NaN payloads) unless given. */
  ulps?: number;
  /** Relative tolerance for floats instead of ulps (gradients). */
  rtol?: number;
  /** Compare only elements from this flat index on. */
  from?: number;
  /** Shown in failure messages. */
  label?: string;
}

/** Asserts that `actual` has the expected dtype, shape and values. */
export function expectTensor(actual: Tensor, expected: Encoded, options: CompareOptions = {}): void {
  const label = options.label ?? "";
  expect(actual.dtype.name, `${label} dtype`).toBe(expected.dtype);
  expect([...actual.shape], `${label} shape`).toEqual(expected.shape);
  const got = actualValues(actual);
  const want = valuesOf(expected);
  expect(got.length, `${label} numel`).toBe(want.length);
  const bad: string[] = [];
  for (let i = options.from ?? 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (expected.dtype === "float32" || expected.dtype === "float64") {
      const [gn, wn] = [g as number, w as number];
      let ok: boolean;
      if (options.rtol !== undefined) {
        ok = (Number.isNaN(gn) && Number.isNaN(wn)) || gn === wn || Math.abs(gn - wn) <= options.rtol * Math.max(Math.abs(wn), 1e-300);
      } else {
        ok = ulpDistance(gn, wn, expected.dtype) <= (options.ulps ?? 0);
      }
      if (!ok) bad.push(`[${i}] got ${Object.is(gn, -0) ? "-0" : gn} want ${Object.is(wn, -0) ? "-0" : wn}`);
    } else if (g !== w) {
      bad.push(`[${i}] got ${String(g)} want ${String(w)}`);
    }
  }
  expect(bad, `${label} values`).toEqual([]);
}

/** Runs fn and returns the error it throws (or fails). */
export function thrown(fn: () => unknown, label = ""): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${label}: expected an error, but none was thrown`);
}

/** Asserts that fn throws PyTorch's error class (by name) and exact message. */
export function expectPyError(fn: () => unknown, expected: PyError, label = ""): void {
  const e = thrown(fn, label);
  expect({ type: e.name, message: e.message }, label).toEqual({ type: expected.type, message: expected.message });
}
