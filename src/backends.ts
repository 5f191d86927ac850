/**
 * `torch.backends`: which backend runs torch-ts's kernels.
 *
 * PyTorch picks CPU kernels itself and exposes per-library switches (`torch.backends.mkldnn`);
 * torch-ts has whole backends instead, so this namespace adds `set_backend` / `get_backend`, and
 * `torch.backends.wasm` answers like PyTorch's `torch.backends.mkldnn.is_available()`.
 *
 * - `"wasm"` (the default where the engine has WebAssembly SIMD): the JS backend's storage and
 *   kernels, with float32 matrix products above a size threshold run by a SIMD128 GEMM compiled
 *   from AssemblyScript (the relaxed-SIMD build where available).
 * - `"js"`: the plain reference backend.
 *
 * In Node, `TORCH_TS_BACKEND=js|wasm` chooses at start-up.
 */

import { defaultBackend, listBackends, setDefaultBackend } from "./backend/registry.js";
import { wasmBackend } from "./backend/wasm/index.js";

/**
 * Makes `name` the backend that every op from now on runs on. Tensors made before keep their
 * storage, which every backend reads, so they mix freely with new ones.
 *
 * Args:
 *   name: `"js"` or `"wasm"` (see `list_backends()`).
 *
 * Example:
 *   torch.backends.set_backend("js");
 *   torch.backends.get_backend();  // "js"
 */
export function set_backend(name: string): void {
  setDefaultBackend(name);
}

/** The name of the backend ops run on now: `"wasm"` or `"js"`. */
export function get_backend(): string {
  return defaultBackend().name;
}

/** The backends this engine can run, e.g. `["js", "wasm"]`. */
export function list_backends(): string[] {
  return listBackends();
}

/** The WebAssembly backend. */
export const wasm = {
  /** Whether the WebAssembly backend loaded (the engine has WebAssembly SIMD). */
  is_available(): boolean {
    return wasmBackend !== null;
  },
  /**
   * The kernel build in use: `"relaxed_simd"` (fused multiply-add) or `"simd"`; null if the
   * backend is unavailable or its module is still compiling.
   */
  kernel(): "relaxed_simd" | "simd" | null {
    return wasmBackend?.variant ?? null;
  },
  /** Resolves when the kernel is compiled (browsers may compile it asynchronously). */
  ready(): Promise<void> {
    return wasmBackend?.ready ?? Promise.resolve();
  },
} as const;
