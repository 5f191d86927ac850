/** Loading test/golden/data/*.json (written by scripts/golden/data.py with real PyTorch). */

import type { Tensor } from "../../../src/index.js";
import { goldenUrl, hasGolden as hasFixture, hexOfFloat32, readGolden } from "../../harness/golden.js";

export const goldenDir = goldenUrl("data");

export function hasGolden(name: string): boolean {
  return hasFixture("data", name);
}

export function loadGolden<T>(name: string): T {
  return readGolden<T>("data", name);
}

/** A float32 tensor's values as the 8-hex-digit bit patterns the fixtures store. */
export function f32Hex(t: Tensor): string[] {
  return hexOfFloat32(t._values() as Float32Array);
}

/** `list(range(n))`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
