/**
 * The WebAssembly backend: an accelerator over the JS backend's storage.
 *
 * Storage is the JS backend's (`JsStorage`, a GC-owned typed array), so tensors need no dispose
 * and no FinalizationRegistry, and every kernel but the float32 matrix product is the JS one.
 * `matmul` runs a SIMD128 GEMM in WebAssembly where `supports` says it pays (MIN_WORK
 * multiply-adds) and the JS reference below that, for other dtypes, and until an asynchronously
 * compiled module is ready.
 */

import type { Backend, KernelName, Storage, StridedView } from "../backend.js";
import { float32, type DType } from "../../tensor/dtype.js";
import { jsBackend } from "../js/index.js";
import { JsStorage } from "../js/storage.js";
import { matmul as jsMatmul } from "../js/matmul.js";
import { compileGemm, compileGemmAsync, preferredVariant, type GemmModule } from "./loader.js";
import { WasmMatmul } from "./matmul.js";

/**
 * Products smaller than this many multiply-adds (batches · M · N · K) stay in JS. Measured on a
 * 2-core AMD EPYC, Node 20, best of 300: a wasm call costs about 0.55 µs however small, the JS
 * loop 0.29 µs for 4x3x2 (24), 0.67 µs for 5x5x5 (125, even), 1.0 µs for 6x6x6 (216, wasm 0.7);
 * at 256 wasm wins 1.2-3.4x over every shape tried (1x16x16, 16x16x1, 2x128x1, 64x2x2).
 */
export const MIN_WORK = 256;

export interface WasmBackend extends Backend {
  /** The kernel build in use ("relaxed_simd" or "simd"), or null while it is still compiling. */
  readonly variant: GemmModule["variant"] | null;
  /** Resolves once the kernel is compiled (at once where compilation was synchronous). */
  readonly ready: Promise<void>;
}

/**
 * A wasm backend over a compiled kernel, or over one still compiling (matrix products run on JS
 * until it resolves). `name` lets tests and benchmarks hold two builds side by side.
 */
export function createWasmBackend(module: GemmModule | Promise<GemmModule | null>, name = "wasm"): WasmBackend {
  let gemm: WasmMatmul | null = null;
  const ready =
    module instanceof Promise
      ? module.then(
          (m) => void (gemm = m ? new WasmMatmul(m) : null),
          () => void (gemm = null), // the engine refused the module: products stay on JS
        )
      : Promise.resolve(void (gemm = new WasmMatmul(module)));

  const runs = (a: StridedView, b: StridedView, out: StridedView): boolean => {
    if (gemm === null) return false;
    if (a.storage.dtype !== float32 || b.storage.dtype !== float32 || out.storage.dtype !== float32) return false;
    const nd = out.shape.length;
    let work = a.shape[nd - 1]!;
    for (const s of out.shape) work *= s;
    return work >= MIN_WORK;
  };

  const backend: WasmBackend = {
    // Every kernel not defined below is the JS backend's, on the same storage.
    ...jsBackend,
    name,
    get variant() {
      return gemm?.module.variant ?? null;
    },
    ready,
    allocate(dtype: DType, length: number): Storage {
      return new JsStorage(backend, dtype, length);
    },
    matmul(out: StridedView, a: StridedView, b: StridedView): void {
      if (runs(a, b, out)) gemm!.run(out, a, b);
      else jsMatmul(out, a, b);
    },
    /**
     * Only float32 `matmul` runs here; `sizes` for it are its multiply-add counts ([M, N, K], or
     * [batches, M, N, K]), and it runs here when their product reaches MIN_WORK.
     */
    supports(kernel: KernelName, dtype: DType, sizes?: readonly number[]): boolean {
      if (kernel !== "matmul" || dtype !== float32 || gemm === null) return false;
      return sizes === undefined || sizes.reduce((p, s) => p * s, 1) >= MIN_WORK;
    },
  };
  return backend;
}

/** Why the default wasm backend is missing, or null when it loaded. */
export let wasmUnavailableReason: string | null = null;

function createDefault(): WasmBackend | null {
  const variant = preferredVariant();
  if (variant === null) {
    wasmUnavailableReason = "this JavaScript engine has no WebAssembly SIMD";
    return null;
  }
  return createWasmBackend(compileGemm(variant) ?? compileGemmAsync(variant));
}

/** The default wasm backend (the best kernel build this engine runs), or null without SIMD. */
export const wasmBackend: WasmBackend | null = createDefault();
