/**
 * Reading the golden fixtures that scripts/golden/<area>.py writes with real PyTorch
 * (test/golden/<area>/<file>.json), and the bit-pattern encoding they share: float32 values as
 * uint32 bit patterns (numbers) or 8 hex digits, float64 values as 16 hex digits, int64 as
 * decimal strings or numbers. Each area's loader (test/nn/golden.ts, test/golden/core/load.ts,
 * ...) keeps its own fixture types and builds on these.
 */

import { existsSync, readFileSync } from "node:fs";
import { expect } from "vitest";

import torch, { Tensor } from "../../src/index.js";
import { TOLERANCE, type Tolerance } from "./tolerance.js";

export type FloatName = "float32" | "float64";
export type EncodedDType = FloatName | "int64" | "int32" | "bool";

// ---- files ------------------------------------------------------------------------------------

/** test/golden/<area>/<file> (`.json` added when `file` has no extension), or the folder. */
export function goldenUrl(area: string, file?: string): URL {
  const dir = new URL(`../golden/${area}/`, import.meta.url);
  if (file === undefined) return dir;
  return new URL(/\.[a-z0-9]+$/i.test(file) ? file : `${file}.json`, dir);
}

/** Whether a fixture exists (some are written only where their data set is installed). */
export function hasGolden(area: string, file: string): boolean {
  return existsSync(goldenUrl(area, file));
}

/**
 * Parsed test/golden/<area>/<file>.json. With `script`, also asserts that the fixture's
 * `metadata.script` names it, so a fixture cannot silently come from the wrong generator.
 */
export function readGolden<T>(area: string, file: string, script?: string): T {
  const data = JSON.parse(readFileSync(goldenUrl(area, file), "utf8")) as T;
  if (script !== undefined) expect((data as { metadata: { script: string } }).metadata.script).toBe(script);
  return data;
}

// ---- bit patterns -----------------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** Float32 values from their uint32 bit patterns. */
export function float32FromBits(bits: readonly number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

/** Float64 values from their 16-hex-digit bit patterns. */
export function float64FromHex(hex: readonly string[]): Float64Array {
  return new Float64Array(BigUint64Array.from(hex.map((h) => BigInt("0x" + h))).buffer);
}

/** Floats of `dtype` from the fixture encoding: uint32 patterns (float32) or hex (float64). */
export function floatsFromBits(dtype: FloatName, bits: readonly (number | string)[]): Float32Array | Float64Array {
  return dtype === "float32" ? float32FromBits(bits as number[]) : float64FromHex(bits as string[]);
}

/** The uint32 bit patterns of float32 values. */
export function bitsOfFloat32(values: ArrayLike<number>): number[] {
  // A Float32Array is read in place, so NaN payloads come through as stored.
  const f = values instanceof Float32Array ? values : Float32Array.from(values);
  return Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));
}

/** The 16-hex-digit bit patterns of float64 values. */
export function hexOfFloat64(values: ArrayLike<number>): string[] {
  const f = values instanceof Float64Array ? values : Float64Array.from(values);
  return Array.from(new BigUint64Array(f.buffer, f.byteOffset, f.length), (b) => b.toString(16).padStart(16, "0"));
}

/** The 8-hex-digit bit patterns of float32 values. */
export function hexOfFloat32(values: ArrayLike<number>): string[] {
  return bitsOfFloat32(values).map((b) => b.toString(16).padStart(8, "0"));
}

/** A float32 from its 8-hex-digit bit pattern. */
export function f32FromHex(hex: string): number {
  u32[0] = parseInt(hex, 16);
  return f32[0]!;
}

/** The 8-hex-digit bit pattern of a float32 value. */
export function hexOfF32(x: number): string {
  f32[0] = x;
  return u32[0]!.toString(16).padStart(8, "0");
}

/** A float64 from its 16-hex-digit bit pattern. */
export function f64FromHex(hex: string): number {
  u64[0] = BigInt("0x" + hex);
  return f64[0]!;
}

/** The 16-hex-digit bit pattern of a float64 value. */
export function hexOfF64(x: number): string {
  f64[0] = x;
  return u64[0]!.toString(16).padStart(16, "0");
}

/**
 * A float tensor's values in the fixture encoding (uint32 patterns for float32, hex for
 * float64), row-major; with `stride`, every `stride`-th element only.
 */
export function bitsOf(t: Tensor, stride = 1): (number | string)[] {
  const values = Array.from(t.contiguous()._values() as Float32Array | Float64Array).filter((_, i) => i % stride === 0);
  return t.dtype === torch.float32 ? bitsOfFloat32(values) : hexOfFloat64(values);
}

/**
 * An encoded tensor's values as a typed array: floats from their bit patterns, int64 from
 * decimal strings or numbers, int32 as is, bools as booleans.
 */
export function typedValues(
  dtype: EncodedDType,
  values: readonly (number | string | boolean)[],
): Float32Array | Float64Array | BigInt64Array | Int32Array | boolean[] {
  switch (dtype) {
    case "float32":
    case "float64":
      return floatsFromBits(dtype, values as (number | string)[]);
    case "int64":
      return BigInt64Array.from((values as (number | string)[]).map((v) => BigInt(v)));
    case "int32":
      return Int32Array.from(values as number[]);
    case "bool":
      return [...(values as boolean[])];
  }
}

/** A tensor holding exactly the encoded values, in the encoded shape. */
export function tensorFromBits(dtype: EncodedDType, shape: readonly number[], values: readonly (number | string | boolean)[]): Tensor {
  const data = typedValues(dtype, values);
  const flat = Array.isArray(data) ? torch.tensor(data, { dtype: torch.bool }) : torch.tensor(data);
  return flat.reshape([...shape]);
}

/** A value of a JSON fixture where NaN and the infinities are spelled "nan", "inf", "-inf". */
export function numberOf(v: number | string): number {
  if (typeof v === "number") return v;
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  throw new Error(`not an encoded number: ${v}`);
}

// ---- distances and comparisons ----------------------------------------------------------------

/** Ordered integer for a float, so that neighbours differ by 1 (and -0 sits 1 below +0). */
function ordered32(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  return b >= 0x80000000 ? -(b - 0x80000000) - 1 : b;
}

function ordered64(x: number): bigint {
  f64[0] = x;
  const b = u64[0]!;
  return b >= 0x8000000000000000n ? -(b & 0x7fffffffffffffffn) - 1n : b;
}

/** Units in the last place between a and b in `dtype`, across zero too (NaN matches NaN only). */
export function ulpDistance(a: number, b: number, dtype: FloatName): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (dtype === "float32") return Math.abs(ordered32(a) - ordered32(b));
  const d = ordered64(a) - ordered64(b);
  return Number(d < 0n ? -d : d);
}

/**
 * The difference of two float64 bit patterns (hex) as unsigned integers: the ulps between two
 * values of one sign. Values of opposite signs (±0 included) come out about 2^63 apart, so a
 * tolerance in these units also demands the same sign, unlike {@link ulpDistance}.
 */
export function bitDistance64(aHex: string, bHex: string): number {
  const a = BigInt("0x" + aHex);
  const b = BigInt("0x" + bHex);
  return Number(a > b ? a - b : b - a);
}

/** Bit-exact comparison with an encoded float tensor: dtype, shape and every bit pattern. */
export function expectBits(t: Tensor, e: { dtype: FloatName; shape: number[]; bits: (number | string)[]; stride?: number }): void {
  expect(t.dtype.name).toBe(e.dtype);
  expect([...t.shape]).toEqual(e.shape);
  expect(bitsOf(t, e.stride ?? 1)).toEqual(e.bits);
}

/** Computed values as a fixture records them; non-finite ones as "nan", "inf" and "-inf". */
export interface Numbers {
  shape: number[];
  values: (number | string)[];
}

/**
 * Compares with a fixture's computed values within |v − want| ≤ atol + rtol·|want| (the nn
 * tolerance unless given); NaN must meet NaN and infinities be equal. A null fixture means
 * the result must be null (no gradient).
 */
export function expectClose(t: Tensor | null, e: Numbers | null, what = "", tol: Tolerance = TOLERANCE.float32.computed): void {
  if (e === null) {
    expect(t, what).toBeNull();
    return;
  }
  expect(t, what).not.toBeNull();
  expect([...t!.shape], what).toEqual(e.shape);
  const actual = Array.from(t!.contiguous()._values() as ArrayLike<number>, Number);
  expect(actual.length).toBe(e.values.length);
  actual.forEach((v, i) => {
    const want = numberOf(e.values[i]!);
    const ok = Number.isNaN(want)
      ? Number.isNaN(v)
      : !Number.isFinite(want) ? v === want : Math.abs(v - want) <= tol.atol + tol.rtol * Math.abs(want);
    if (!ok) throw new Error(`${what} element ${i}: got ${v}, expected ${want} (shape [${e.shape.join(", ")}])`);
  });
}

/**
 * Two float32 uniforms drawn after an op, against the two PyTorch drew (uint32 patterns):
 * they prove the op consumed PyTorch's number of random draws.
 */
export function expectProbe(probe: number[]): void {
  expect(bitsOf(torch.rand(2))).toEqual(probe);
}

/** An error as the fixtures record it: Python's class name and message (2.x's where it differs). */
export interface PyError {
  type: string;
  message: string;
  message_2x?: string;
}

/**
 * Runs `fn` and checks that it throws an Error with PyTorch's class name and message (2.x's
 * message where the fixture, written with 1.13, records one).
 */
export function expectPyError(fn: () => unknown, e: PyError, label = ""): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `${label} expected ${e.type}: ${e.message}`).toBeInstanceOf(Error);
  const err = caught as Error;
  expect(err.name, label).toBe(e.type);
  expect(err.message, label).toBe(e.message_2x ?? e.message);
}
