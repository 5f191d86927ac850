/**
 * Loads the WebAssembly GEMM kernel: the relaxed-SIMD build where the engine accepts it, the plain
 * SIMD128 build otherwise, and nothing where WebAssembly SIMD is missing (the backend then stays
 * off and torch-ts runs on JS). Each comes in two forms: over the module's own memory, and over an
 * imported shared memory for the threaded backend (./pool.ts), where SharedArrayBuffer exists.
 *
 * The bytes are embedded (src/backend/wasm/generated, written by scripts/build-wasm.mjs), so no
 * file or network access is needed in Node or in a browser. The module (about 5 KB) compiles
 * synchronously at import. Chromium refuses synchronous compilation on a page's main thread
 * above a size limit (8 MB today; 4 KB in older versions and some WebViews); where it refuses,
 * the module compiles asynchronously and matrix products run on JS until it is ready
 * (`torch.backends.wasm.ready()`).
 */

import { gemmRelaxedSimd, gemmRelaxedSimdShared, gemmSimd, gemmSimdShared } from "./generated/gemm.js";
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
  /** Task `t` of the job whose header is at byte `job` (see assembly/gemm.ts). */
  runTask(job: number, t: number, work: number): void;
  /** Task `t` of the shared-B job whose header is at byte `job` (see assembly/gemm.ts). */
  runSharedTask(job: number, t: number, work: number): void;
  /** C = Z + C over an M × N block, Z by strides in elements (addmm's input; see assembly/gemm.ts). */
  addTo(M: number, N: number, c: number, ldc: number, z: number, zRow: number, zCol: number): void;
}

/**
 * One compiled build of the kernel. `instantiate` gives the own-memory build a fresh memory; the
 * shared build must be given its (shared) memory.
 */
export interface GemmModule {
  /** "relaxed_simd" (fused multiply-add tile) or "simd" (multiply, then add). */
  readonly variant: "relaxed_simd" | "simd";
  /** Whether this is the build over an imported shared memory, which threads run together. */
  readonly shared: boolean;
  readonly module: WebAssembly.Module;
  instantiate(memory?: WebAssembly.Memory): GemmExports;
}

export type { GemmExports };

/** The bytes of an embedded build (src/backend/wasm/generated). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function moduleOf(variant: GemmModule["variant"], shared: boolean, module: WebAssembly.Module): GemmModule {
  return {
    variant,
    shared,
    module,
    instantiate: (memory?: WebAssembly.Memory) => {
      if (shared && !memory) throw new Error("the shared build of the GEMM needs its shared memory");
      const imports: WebAssembly.Imports = shared ? { env: { memory: memory! } } : {};
      return new WebAssembly.Instance(module, imports).exports as unknown as GemmExports;
    },
  };
}

const sources = {
  simd: { own: gemmSimd, shared: gemmSimdShared },
  relaxed_simd: { own: gemmRelaxedSimd, shared: gemmRelaxedSimdShared },
} as const;
const decoded = new Map<string, Uint8Array<ArrayBuffer>>();

/**
 * The bytes of one build, or null where this engine rejects them. Relaxed SIMD is tried after
 * switching on Node 20's flag for it (Node 22 and current browsers have it by default).
 */
function bytesOf(variant: GemmModule["variant"], shared = false): Uint8Array<ArrayBuffer> | null {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") return null;
  const key = `${variant}/${shared}`;
  let bytes = decoded.get(key);
  if (!bytes) decoded.set(key, (bytes = decodeBase64(sources[variant][shared ? "shared" : "own"])));
  if (WebAssembly.validate(bytes)) return bytes;
  if (variant !== "relaxed_simd" || !enableRelaxedSimdInNode()) return null;
  return WebAssembly.validate(bytes) ? bytes : null;
}

/** Whether this engine runs the given build (`shared`: the threaded form of it). */
export function isVariantAvailable(variant: GemmModule["variant"], shared = false): boolean {
  return bytesOf(variant, shared) !== null;
}

/**
 * Compiles one build synchronously; null where the engine rejects it or refuses a synchronous
 * compile (then `compileGemmAsync` is the way). `shared` picks the threaded form.
 */
export function compileGemm(variant: GemmModule["variant"], shared = false): GemmModule | null {
  const bytes = bytesOf(variant, shared);
  if (!bytes) return null;
  try {
    return moduleOf(variant, shared, new WebAssembly.Module(bytes));
  } catch {
    return null;
  }
}

export async function compileGemmAsync(variant: GemmModule["variant"], shared = false): Promise<GemmModule | null> {
  const bytes = bytesOf(variant, shared);
  if (!bytes) return null;
  return moduleOf(variant, shared, await WebAssembly.compile(bytes));
}

/** The best build this engine runs: relaxed SIMD unless `TORCH_TS_WASM_RELAXED_SIMD=0`. */
export function preferredVariant(): GemmModule["variant"] | null {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.TORCH_TS_WASM_RELAXED_SIMD !== "0" && isVariantAvailable("relaxed_simd")) return "relaxed_simd";
  return isVariantAvailable("simd") ? "simd" : null;
}
