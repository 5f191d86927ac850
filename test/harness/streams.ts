/**
 * Deterministic pseudo-random streams for test inputs, independent of torch's generator so
 * that a test's inputs do not move when the RNG code does.
 */

import torch, { Tensor } from "../../src/index.js";

/** A linear congruential stream of uint32 values (Numerical Recipes' constants). */
export function lcg32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

/** Values in [-1, 1) from {@link lcg32}. */
export function lcgSigned(seed: number): () => number {
  const next = lcg32(seed);
  return () => next() / 2 ** 31 - 1;
}

/** xorshift128+ over 32-bit halves, returning uint32 values; `s1` is the second state word. */
export function xorshift128plus(seed: number, s1: number): () => number {
  let s0 = seed >>> 0 || 1;
  return () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x;
    return (s0 + s1) >>> 0;
  };
}

/** A fixed pseudo-random float64 tensor from {@link lcg32}: values in [-1.5, 1.5), kept away from 0. */
export function lcgTensor(shape: readonly number[], seed: number): Tensor {
  const next = lcg32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = next() / 2 ** 32;
    values.push(u < 0.5 ? u * 2.8 - 1.5 : (u - 0.5) * 2.8 + 0.1);
  }
  return torch.tensor(values, { dtype: torch.float64 }).reshape([...shape]);
}
