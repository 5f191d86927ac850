/**
 * Reading the tensor-core fixtures that scripts/golden/core.py writes with real PyTorch, and
 * comparing our tensors against them. The tolerances are test/harness/tolerance.ts's.
 */

import { expect } from "vitest";

import torch, { Tensor } from "../../../src/index.js";
import type { DTypeName } from "../../../src/tensor/dtype.js";
import { readGolden, tensorFromBits, typedValues, ulpDistance } from "../../harness/golden.js";

export { expectPyError, type PyError } from "../../harness/golden.js";

export interface Encoded {
  dtype: DTypeName;
  shape: number[];
  values: (number | string | boolean)[];
}

export interface Metadata {
  torch_version: string;
  script: string;
}

/** Reads test/golden/core/<name>.json and checks that core.py wrote it. */
export function golden<T>(name: string): T & { metadata: Metadata } {
  return readGolden<T & { metadata: Metadata }>("core", name, "scripts/golden/core.py");
}

export function dtypeOf(name: DTypeName) {
  return torch[name];
}

/** The expected values as JS numbers (floats), bigints (int64) or booleans. */
export function valuesOf(e: Encoded): (number | bigint | boolean)[] {
  return Array.from(typedValues(e.dtype, e.values) as ArrayLike<number | bigint | boolean>);
}

/** A tensor holding exactly the encoded values. */
export function decode(e: Encoded): Tensor {
  return tensorFromBits(e.dtype, e.shape, e.values);
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
