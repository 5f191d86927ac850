/**
 * Loading the golden fixtures written by scripts/golden/random.py (real PyTorch); their bit
 * patterns are decoded with test/harness/golden.ts.
 */

import { readGolden } from "../harness/golden.js";

export { f32FromHex, f64FromHex, hexOfF32, hexOfF64 } from "../harness/golden.js";

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

/** Parsed test/golden/random/<name>. */
export function loadGolden<T = GoldenFile>(name: string): T {
  return readGolden<T>("random", name);
}
