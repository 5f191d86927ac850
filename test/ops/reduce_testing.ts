/**
 * Shared by the reduction and einsum tests: the golden fixtures of scripts/golden/reduce.py,
 * the one tolerance they are compared with, and a finite-difference gradient check in float64.
 */

import { readFileSync } from "node:fs";
import { expect } from "vitest";

import torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

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
  return JSON.parse(readFileSync(new URL(`../golden/reduce/${name}`, import.meta.url), "utf8"));
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
 * How close our reductions must come to PyTorch's, per dtype. Reductions are not bit-exact: we
 * accumulate in binary64 in our order, PyTorch in its vectorised order, so float32 results may
 * differ by a few ulps of the largest partial sum; atol covers results near zero after
 * cancellation. Integers and bools are exact.
 */
export const TOLERANCE: Record<string, { rtol: number; atol: number }> = {
  float32: { rtol: 1e-6, atol: 1e-6 },
  float64: { rtol: 1e-12, atol: 1e-12 },
};

/** Elementwise `|a - e| <= atol + rtol·|e|`; NaN must meet NaN and infinities be equal. */
export function expectValues(actual: ArrayLike<number | bigint | boolean>, expected: Encoded[], dtype: string, what = ""): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  const tol = TOLERANCE[dtype];
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

/** A fixed pseudo-random float64 tensor (no RNG dependency): values in [-1.5, 1.5), kept away from 0. */
export function lcgTensor(shape: readonly number[], seed: number): Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    values.push(u < 0.5 ? u * 2.8 - 1.5 : (u - 0.5) * 2.8 + 0.1);
  }
  return torch.tensor(values, { dtype: torch.float64 }).reshape([...shape]);
}

type Fn = (...xs: Tensor[]) => Tensor | readonly Tensor[] | Iterable<Tensor>;

function outputsOf(r: ReturnType<Fn>): Tensor[] {
  return r instanceof torch.Tensor ? [r] : [...(r as Iterable<Tensor>)];
}

/**
 * Checks the vector-Jacobian product of `fn` at `inputs` (float64) against central finite
 * differences: for fixed random cotangents v_k, the autograd gradient of Σ_k ⟨fn(x)_k, v_k⟩
 * must match its numerical derivative in every input element. Outputs that are not floating
 * (indices) are skipped.
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], options: { eps?: number; atol?: number; rtol?: number } = {}): void {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-4 } = options;
  const leaves = inputs.map((t) => t.detach().clone().requires_grad_(true));
  const outs = outputsOf(fn(...leaves)).filter((o) => o.dtype.is_floating_point);
  const cotangents = outs.map((o, k) => lcgTensor(o.shape, 1234 + 7 * k));
  const objective = (os: Tensor[]) => os.reduce((acc: Tensor | null, o, k) => {
    const term = o.mul(cotangents[k]!).sum();
    return acc === null ? term : acc.add(term);
  }, null)!;
  const total = objective(outs);
  // An objective that does not depend on the inputs (a constant gradient) has a zero derivative.
  const analytic = total.requires_grad ? torch.autograd.grad(total, leaves, null, { allow_unused: true }) : leaves.map(() => null);
  leaves.forEach((leaf, i) => {
    const values = Array.from(leaf._values() as Float64Array);
    const got = analytic[i] ? Array.from(analytic[i]!._values() as Float64Array) : values.map(() => 0);
    for (let j = 0; j < values.length; j++) {
      const at = (delta: number) => {
        const shifted = values.slice();
        shifted[j]! += delta;
        const xs = leaves.map((l, k) =>
          k === i ? torch.tensor(shifted, { dtype: torch.float64 }).reshape([...l.shape]).requires_grad_(true) : l,
        );
        return objective(outputsOf(fn(...xs)).filter((o) => o.dtype.is_floating_point)).item() as number;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const msg = `input ${i} element ${j}: autograd ${got[j]}, finite difference ${numeric}`;
      expect(Math.abs(got[j]! - numeric) <= atol + rtol * Math.abs(numeric), msg).toBe(true);
    }
  });
}

/**
 * Checks the second derivative: the gradient of Σ⟨fn(x), v⟩ (built with create_graph) is itself
 * checked with {@link gradcheck}, so every backward formula must be differentiable.
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], options: { eps?: number; atol?: number; rtol?: number } = {}): void {
  const first = (...xs: Tensor[]) => {
    const outs = outputsOf(fn(...xs)).filter((o) => o.dtype.is_floating_point);
    const objective = outs.reduce((acc: Tensor | null, o, k) => {
      const term = o.mul(lcgTensor(o.shape, 99 + k)).sum();
      return acc === null ? term : acc.add(term);
    }, null)!;
    return torch.autograd.grad(objective, xs, null, { create_graph: true, allow_unused: true }).filter((g): g is Tensor => g !== null);
  };
  gradcheck(first, inputs, options);
}
