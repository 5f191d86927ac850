/**
 * Loads the WebAssembly GEMM kernel: the relaxed-SIMD build where the engine accepts it, the plain
 * SIMD128 build otherwise, and nothing where WebAssembly SIMD is missing (the backend then stays
 * off and torch-ts runs on JS).
 *
 * The bytes are embedded (src/backend/wasm/generated, written by scripts/build-wasm.mjs), so no
 * file or network access is needed in Node or in a browser. The module (about 5 KB) compiles
 * synchronously at import. Chromium refuses synchronous compilation on a page's main thread
 * above a size limit (8 MB today; 4 KB in older versions and some WebViews); where it refuses,
 * the module compiles asynchronously and matrix products run on JS until it is ready
 * (`torch.backends.wasm.ready()`).
 */

import { gemmRelaxedSimd, gemmSimd } from "./generated/gemm.js";
import { enableRelaxedSimdInNode } from "./node_flags.js";

/** The exports of src/backend/wasm/assembly/gemm.ts. */
interface GemmExports {
  readonly memory: WebAssembly.Memory;
  sgemm(
    M: number, N: number, K: number,
    a: number, aRow: number, aCol: number,
    b: number, bRow: number, bCol: number,
    c: number, ldc: number,
    work: number,
  ): void;
  workBytes(M: number, N: number, K: number): number;
}

/** One compiled build of the kernel; `instantiate` gives it a fresh memory. */
export interface GemmModule {
  /** "relaxed_simd" (fused multiply-add tile) or "simd" (multiply, then add). */
  readonly variant: "relaxed_simd" | "simd";
  instantiate(): GemmExports;
}

export type { GemmExports };

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function moduleOf(variant: GemmModule["variant"], module: WebAssembly.Module): GemmModule {
  return {
    variant,
    instantiate: () => new WebAssembly.Instance(module, {}).exports as unknown as GemmExports,
  };
}

let plainBytes: Uint8Array<ArrayBuffer> | null = null;
let relaxedBytes: Uint8Array<ArrayBuffer> | null = null;

/**
 * The bytes of one build, or null where this engine rejects them. Relaxed SIMD is tried after
 * switching on Node 20's flag for it (Node 22 and current browsers have it by default).
 */
function bytesOf(variant: GemmModule["variant"]): Uint8Array<ArrayBuffer> | null {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") return null;
  if (variant === "simd") {
    plainBytes ??= decodeBase64(gemmSimd);
    return WebAssembly.validate(plainBytes) ? plainBytes : null;
  }
  relaxedBytes ??= decodeBase64(gemmRelaxedSimd);
  if (WebAssembly.validate(relaxedBytes)) return relaxedBytes;
  if (!enableRelaxedSimdInNode()) return null;
  return WebAssembly.validate(relaxedBytes) ? relaxedBytes : null;
}

/** Whether this engine runs the given build. */
export function isVariantAvailable(variant: GemmModule["variant"]): boolean {
  return bytesOf(variant) !== null;
}

/**
 * Compiles one build synchronously; null where the engine rejects it or refuses a synchronous
 * compile (then `compileGemmAsync` is the way).
 */
export function compileGemm(variant: GemmModule["variant"]): GemmModule | null {
  const bytes = bytesOf(variant);
  if (!bytes) return null;
  try {
    return moduleOf(variant, new WebAssembly.Module(bytes));
  } catch {
    return null;
  }
}

export async function compileGemmAsync(variant: GemmModule["variant"]): Promise<GemmModule | null> {
  const bytes = bytesOf(variant);
  if (!bytes) return null;
  return moduleOf(variant, await WebAssembly.compile(bytes));
}

/** The best build this engine runs: relaxed SIMD unless `TORCH_TS_WASM_RELAXED_SIMD=0`. */
export function preferredVariant(): GemmModule["variant"] | null {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.TORCH_TS_WASM_RELAXED_SIMD !== "0" && isVariantAvailable("relaxed_simd")) return "relaxed_simd";
  return isVariantAvailable("simd") ? "simd" : null;
}
