/**
 * `torch.backends`: which backend runs torch-ts's kernels.
 *
 * PyTorch picks CPU kernels itself and exposes per-library switches (`torch.backends.mkldnn`);
 * torch-ts has whole backends instead, so this namespace adds `set_backend` / `get_backend`, and
 * `torch.backends.wasm` answers like PyTorch's `torch.backends.mkldnn.is_available()`.
 *
 * - `"native"` (the default in Node where the torch-ts-native addon loads): the JS backend's
 *   storage, worked on in place by C++ kernels: a packed AVX2+FMA GEMM on a thread pool
 *   (`torch.set_num_threads`), float32 arithmetic, relu, copies, sums and the fused optimizer steps.
 * - `"wasm"` (the default elsewhere where the engine has WebAssembly SIMD): the JS backend's storage and
 *   kernels, with float32 matrix products above a size threshold run by a SIMD128 GEMM compiled
 *   from AssemblyScript (the relaxed-SIMD build where available).
 * - `"js"`: the plain reference backend.
 *
 * In Node, `TORCH_TS_BACKEND=js|wasm|native` chooses at start-up.
 */

import { defaultBackend, listBackends, setDefaultBackend } from "./backend/registry.js";
import { wasmBackend } from "./backend/wasm/index.js";
import { nativeBackend, nativeUnavailableReason } from "./backend/native/index.js";

/**
 * Makes `name` the backend that every op from now on runs on. Tensors made before keep their
 * storage, which every backend reads, so they mix freely with new ones.
 *
 * Args:
 *   name: `"js"`, `"wasm"` or `"native"` (see `list_backends()`).
 *
 * Example:
 *   torch.backends.set_backend("js");
 *   torch.backends.get_backend();  // "js"
 */
export function set_backend(name: string): void {
  setDefaultBackend(name);
}

/** The name of the backend ops run on now: `"native"`, `"wasm"` or `"js"`. */
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
  /**
   * Threads that large float32 matrix products run on, the calling thread included: with shared
   * memory and workers (Node; a browser page that is `crossOriginIsolated`) it follows
   * `torch.set_num_threads` (the caller plus n − 1 workers); otherwise 1.
   *
   * Example:
   *   torch.set_num_threads(2);
   *   torch.backends.wasm.threads();  // 2 where workers can run
   */
  threads(): number {
    return wasmBackend?.threads() ?? 1;
  },
  /**
   * Which threading the backend chose, and why: e.g. `"2 threads (1 worker + caller)"`,
   * `"1 thread: torch.set_num_threads(1)"`, `"1 thread: page is not cross-origin isolated"`.
   */
  threading(): string {
    return wasmBackend?.threading() ?? "1 thread: the WebAssembly backend is unavailable";
  },
} as const;

/** The native Node backend (the torch-ts-native addon). */
export const native = {
  /** Whether the addon loaded (Node, with a binary built for this platform). */
  is_available(): boolean {
    return nativeBackend !== null;
  },
  /** Why it did not load (e.g. "torch-ts-native is not installed; ..."), or null when it did. */
  unavailable_reason(): string | null {
    return nativeUnavailableReason;
  },
  /** The GEMM build in use: `"avx2"` (AVX2 + FMA) or `"portable"`; null if unavailable. */
  kernel(): "avx2" | "portable" | null {
    return nativeBackend === null ? null : nativeBackend.avx2 ? "avx2" : "portable";
  },
  /**
   * Threads of the addon's pool, the calling thread included: `torch.set_num_threads`'s count,
   * or fewer where the OS refused to start some workers (small products and elementwise calls
   * still run on the caller alone); 0 if unavailable.
   *
   * Example:
   *   torch.set_num_threads(1);
   *   torch.backends.native.threads();  // 1
   */
  threads(): number {
    return nativeBackend?.addon.threads() ?? 0;
  },
  /**
   * What loading the addon did to the C allocator, once per process: on glibc it raises the
   * mmap and trim thresholds to glibc's own adaptive ceilings (32 MiB, 64 MiB), so memory that
   * freed tensors leave is reused instead of being unmapped and faulted back page by page on
   * the next step ("glibc: mmap threshold 32 MiB, trim threshold 64 MiB"). Left unchanged
   * ("unchanged: ...") where the user tunes malloc through GLIBC_TUNABLES or MALLOC_*_
   * variables, or on another C library; null if the addon is unavailable.
   */
  malloc_tuning(): string | null {
    return nativeBackend?.addon.mallocTuning() ?? null;
  },
} as const;
