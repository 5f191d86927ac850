/**
 * Reading the fixtures scripts/golden/layers.py writes with real PyTorch (test/golden/layers),
 * and the helpers the layer and loss tests share. Decoding, comparisons and the tolerance
 * (TOLERANCE.float32.computed) are test/harness's.
 */

import { expect } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { bitsOfFloat32, readGolden, tensorFromBits } from "../harness/golden.js";

export { bitsOf, expectClose, expectProbe, expectPyError, type Numbers, type PyError } from "../harness/golden.js";

/** A tensor exactly: float32 as uint32 bit patterns, float64 as hex, integers as values. */
export interface Enc {
  dtype: "float32" | "float64" | "int64" | "int32" | "bool";
  shape: number[];
  bits?: (number | string)[];
  values?: (number | boolean)[];
}

/** Reads test/golden/layers/<name>.json and checks that layers.py wrote it. */
export function golden<T>(name: string): T {
  return readGolden<T>("layers", name, "scripts/golden/layers.py");
}

/** The tensor a fixture encodes, bit for bit. */
export function decode(e: Enc): Tensor {
  return tensorFromBits(e.dtype, e.shape, e.bits ?? e.values!);
}

/** Bit-exact comparison with an encoded tensor (dtype, shape, every value's bits). */
export function expectExact(t: Tensor, e: Enc): void {
  expect(t.dtype.name).toBe(e.dtype);
  expect([...t.shape]).toEqual(e.shape);
  const expected = decode(e);
  const a = Array.from(t.contiguous()._values() as ArrayLike<number>);
  const b = Array.from(expected._values() as ArrayLike<number>);
  if (t.dtype === torch.float32) expect(bitsOfFloat32(a)).toEqual(bitsOfFloat32(b));
  else expect(a.map((v) => (Object.is(v, -0) ? "-0" : String(v)))).toEqual(b.map((v) => (Object.is(v, -0) ? "-0" : String(v))));
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
