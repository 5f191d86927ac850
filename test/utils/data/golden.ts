/** Loading test/golden/data/*.json (written by scripts/golden/data.py with real PyTorch). */

import { existsSync, readFileSync } from "node:fs";
import type { Tensor } from "../../../src/index.js";

export const goldenDir = new URL("../../golden/data/", import.meta.url);

export function hasGolden(name: string): boolean {
  return existsSync(new URL(name, goldenDir));
}

export function loadGolden<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, goldenDir), "utf8")) as T;
}

/** A float32 tensor's values as the 8-hex-digit bit patterns the fixtures store. */
export function f32Hex(t: Tensor): string[] {
  const values = t._values() as Float32Array;
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  return Array.from(bits, (b) => b.toString(16).padStart(8, "0"));
}

/** `list(range(n))`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
