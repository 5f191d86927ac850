/**
 * Reading the fixtures scripts/golden/nn.py writes with real PyTorch, and the comparisons the
 * nn tests share. Decoding, comparisons and tolerances are test/harness's.
 */

import { expect } from "vitest";

import type { Tensor } from "../../src/index.js";
import { bitDistance64, floatsFromBits, hexOfF64, readGolden, tensorFromBits } from "../harness/golden.js";

export { bitsOf, expectBits, expectClose, expectProbe, expectPyError, type Numbers, type PyError } from "../harness/golden.js";

export interface Bits {
  dtype: "float32" | "float64";
  shape: number[];
  /** float32: uint32 bit patterns; float64: 16 hex digits. */
  bits: (number | string)[];
  /** When set, `bits` holds every `stride`-th element of the flattened tensor. */
  stride?: number;
}

/** Reads test/golden/nn/<name>.json and checks that nn.py wrote it. */
export function golden<T>(name: string): T {
  return readGolden<T>("nn", name, "scripts/golden/nn.py");
}

/** A tensor holding exactly the encoded values (all of them: `stride` must be absent). */
export function decode(e: Bits): Tensor {
  return tensorFromBits(e.dtype, e.shape, e.bits);
}

/**
 * Like expectBits, allowing float64 values to be `ulps` apart (documented libm cases only),
 * counted as the difference of the bit patterns, so the signs must agree.
 */
export function expectBitsWithin(t: Tensor, e: Bits, ulps: number): void {
  expect(t.dtype.name).toBe(e.dtype);
  expect([...t.shape]).toEqual(e.shape);
  const want = Array.from(floatsFromBits(e.dtype, e.bits));
  const got = Array.from(t.contiguous()._values() as Float64Array);
  got.forEach((v, i) =>
    expect(bitDistance64(hexOfF64(v), hexOfF64(want[i]!)), `element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(ulps),
  );
}
