/**
 * The native Node backend: an accelerator over the JS backend's storage, like the wasm one.
 *
 * Storage is the JS backend's (`JsStorage`, a GC-owned typed array) and the addon works on it in
 * place (packages/native: it takes each typed array's data pointer), so tensors need no dispose
 * and the collector keeps seeing every byte. Native kernels run what a float32 training step
 * spends its time on: the matrix product (a packed AVX2+FMA GEMM on a thread pool), dense and
 * broadcast arithmetic, relu and its gradient, copies, fills, dense sums, and the fused SGD and
 * Adam steps. Everything else, every other dtype, and calls too small to pay for the crossing
 * into C++ run the JS kernels (see ops.ts for what runs where and why).
 */

import type { PackedOperands } from "./packed.js";
import type { Backend, KernelName, Storage } from "../backend.js";
import { float32, type DType } from "../../tensor/dtype.js";
import { jsBackend } from "../js/index.js";
import { JsStorage } from "../js/storage.js";
import { setBulkDraws } from "../../random/generator.js";
import { loadAddon, type NativeAddon } from "./loader.js";
import { nativeKernels, MIN_ELEMENTS, MIN_WORK, type Thresholds } from "./ops.js";

export { MIN_ELEMENTS, MIN_WORK } from "./ops.js";

export interface NativeBackend extends Backend {
  /** The addon itself (tests and benchmarks call it directly). */
  readonly addon: NativeAddon;
  /** Whether the GEMM runs its AVX2+FMA build (else the portable one). */
  readonly avx2: boolean;
  /** @internal Right-hand operands kept packed between products (tests read its counters). */
  readonly packed: PackedOperands;
}

const NATIVE_KERNELS: readonly KernelName[] = ["fill", "copy", "unary", "binary", "reduce", "matmul"];

/**
 * A native backend over a loaded addon; `name` and `thresholds` let tests hold a second one
 * beside the default that sends every call to the addon.
 */
export function createNativeBackend(addon: NativeAddon, name = "native", thresholds?: Thresholds): NativeBackend {
  const kernels = nativeKernels(addon, thresholds);
  const backend: NativeBackend = {
    // Every kernel not defined below is the JS backend's, on the same storage.
    ...jsBackend,
    ...kernels,
    name,
    addon,
    get avx2() {
      return addon.avx2();
    },
    allocate(dtype: DType, length: number, zeroed = true): Storage {
      return new JsStorage(backend, dtype, length, zeroed);
    },
    /**
     * float32 fill, copy, unary, binary, reduce and matmul run here at or above their size
     * thresholds; `sizes` is the element count (matmul: its multiply-add counts [M, N, K] or
     * [batches, M, N, K]), whose product is compared with MIN_ELEMENTS (matmul: MIN_WORK).
     */
    supports(kernel: KernelName, dtype: DType, sizes?: readonly number[]): boolean {
      if (dtype !== float32 || !NATIVE_KERNELS.includes(kernel)) return false;
      if (sizes === undefined) return true;
      const n = sizes.reduce((p, s) => p * s, 1);
      return n >= (kernel === "matmul" ? (thresholds?.minWork ?? MIN_WORK) : (thresholds?.minElements ?? MIN_ELEMENTS));
    },
  };
  return backend;
}

const loaded = loadAddon();

/** Why the native backend is missing (not Node, or no addon built for it), or null when it loaded. */
export const nativeUnavailableReason: string | null = loaded.reason;

/** Whether this is Node, where a missing addon is worth telling the user about. */
export const nativeExpected: boolean = loaded.inNode;

/** The default native backend, or null outside Node and where the addon is missing. */
export const nativeBackend: NativeBackend | null = loaded.addon ? createNativeBackend(loaded.addon) : null;

// The generator's bulk draws (Dropout's masks) run in C++ on the generator's own state words.
if (loaded.addon) {
  const addon = loaded.addon;
  const { params } = addon;
  setBulkDraws({
    fill(state, left, next, out) {
      params[0] = left;
      params[1] = next;
      addon.mtFill(state, out);
      return [params[0]!, params[1]!];
    },
    bernoulli53(state, left, next, out, p) {
      params[0] = left;
      params[1] = next;
      params[2] = p;
      addon.mtBernoulli(state, out);
      return [params[0]!, params[1]!];
    },
  });
}
