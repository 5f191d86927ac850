/**
 * Loading the golden fixtures written by scripts/golden/random.py (real PyTorch) and
 * decoding their bit patterns.
 */

import { readFileSync } from "node:fs";

export interface GoldenStep {
  op: string;
  gen: string;
  values: string[];
  dtype?: string;
  size?: number[];
  [key: string]: unknown;
}

export interface GoldenCase {
  name: string;
  seed: string;
  g_seed: string | null;
  steps: GoldenStep[];
}

export interface GoldenFile {
  torch_version: string;
  script: string;
  path_s_variant?: string;
  cases: GoldenCase[];
  [key: string]: unknown;
}

/** Parsed test/golden/random/<name>; tests run from the repository root. */
export function loadGolden<T = GoldenFile>(name: string): T {
  const url = new URL(`../golden/random/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as T;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

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

/** Distance in units in the last place between two float64 bit patterns (same sign). */
export function ulpDistance64(aHex: string, bHex: string): number {
  const a = BigInt("0x" + aHex);
  const b = BigInt("0x" + bHex);
  const d = a > b ? a - b : b - a;
  return Number(d);
}
