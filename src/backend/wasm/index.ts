/**
 * The WebAssembly backend: an accelerator over the JS backend's storage.
 *
 * Storage is the JS backend's (`JsStorage`, a GC-owned typed array), so tensors need no dispose
 * and no FinalizationRegistry. `matmul` runs a SIMD128 GEMM in WebAssembly where `supports` says
 * it pays (MIN_WORK multiply-adds) and the JS reference below that, for other dtypes, and until
 * an asynchronously compiled module is ready. The elementwise work of a float32 training step
 * (relu and its gradient, + - * / dense or against a bias row, sums over leading dims) runs in
 * SIMD128 from MIN_ELEMENTS elements (./elementwise.ts), the fused SGD and Adam steps too
 * (./optim.ts); every other kernel is the JS one.
 *
 * Where the engine has shared memory and workers (Node; a browser page that is
 * `crossOriginIsolated`), the default backend also loads the shared build of the kernel and runs
 * products of at least THREAD_MIN_WORK multiply-adds on `torch.get_num_threads()` threads: the
 * caller and workers (./pool.ts). Elsewhere every product runs on the calling thread, and
 * `threading()` says why.
 */

import type { AdamStep, Backend, BinaryOp, KernelName, ReduceOp, SgdStep, Storage, StridedView, UnaryOp } from "../backend.js";
import { float32, type DType } from "../../tensor/dtype.js";
import { jsBackend } from "../js/index.js";
import { JsStorage } from "../js/storage.js";
import { addmm as jsAddmm, matmul as jsMatmul } from "../js/matmul.js";
import { get_num_threads } from "../threads.js";
import { compileGemm, compileGemmAsync, preferredVariant, type GemmModule } from "./loader.js";
import { createSharedMemory, THREAD_MIN_WORK, WasmMatmul } from "./matmul.js";
import { threadingUnavailableReason } from "./pool.js";
import { WasmOptim } from "./optim.js";
import { MIN_ELEMENTS, WasmElementwise } from "./elementwise.js";

/**
 * Products smaller than this many multiply-adds (batches · M · N · K) stay in JS. Measured on a
 * 2-core AMD EPYC, Node 20, best of 300: a wasm call costs about 0.55 µs however small, the JS
 * loop 0.29 µs for 4x3x2 (24), 0.67 µs for 5x5x5 (125, even), 1.0 µs for 6x6x6 (216, wasm 0.7);
 * at 256 wasm wins 1.2-3.4x over every shape tried (1x16x16, 16x16x1, 2x128x1, 64x2x2).
 */
export const MIN_WORK = 256;

export { MIN_ELEMENTS } from "./elementwise.js";

const ELEMENTWISE_KERNELS: readonly KernelName[] = ["unary", "binary", "reduce"];

export interface WasmBackend extends Backend {
  /** The kernel build in use ("relaxed_simd" or "simd"), or null while it is still compiling. */
  readonly variant: GemmModule["variant"] | null;
  /** Resolves once the kernel is compiled (at once where compilation was synchronous). */
  readonly ready: Promise<void>;
  /** Threads that large products run on, the calling thread included. */
  threads(): number;
  /** Which threading it chose and why, e.g. "2 threads (1 worker + caller)". */
  threading(): string;
  /** @internal Threads the last product run in WebAssembly took, the caller included. */
  readonly lastThreads: number;
}

/** What a wasm backend runs besides its own-memory kernel. */
export interface WasmBackendOptions {
  /**
   * The shared build of the kernel, for products of at least THREAD_MIN_WORK multiply-adds on
   * `torch.get_num_threads()` threads. Smaller products stay on the own-memory build: copying
   * into a shared buffer costs about 1 µs more a product, a quarter of a 32x32x64 one.
   */
  shared?: GemmModule | Promise<GemmModule | null> | null;
  /** What `threading()` says without a shared build (why there is none). */
  singleThreadReason?: string;
}

const settle = <T>(m: T | Promise<T | null>, set: (m: T | null) => void): Promise<void> =>
  m instanceof Promise ? m.then(set, () => set(null)) : Promise.resolve(set(m));

/**
 * A wasm backend over a compiled kernel, or over one still compiling (matrix products run on JS
 * until it resolves). `name` lets tests and benchmarks hold two builds side by side.
 */
export function createWasmBackend(
  module: GemmModule | Promise<GemmModule | null>,
  name = "wasm",
  options: WasmBackendOptions = {},
): WasmBackend {
  let gemm: WasmMatmul | null = null;
  let threaded: WasmMatmul | null = null;
  let last: WasmMatmul | null = null;
  // A refused module leaves products on JS (or, for the shared build, on one thread).
  const ready = Promise.all([
    settle(module, (m) => void (gemm = m ? new WasmMatmul(m) : null)),
    settle(options.shared ?? null, (m) => void (threaded = m ? new WasmMatmul(m) : null)),
  ]).then(() => undefined);
  // The thread count is read at each use rather than subscribed to (threads.ts onNumThreads):
  // a listener would keep every backend ever made, and its workers, alive.
  const pool = (): WasmMatmul | null => {
    if (threaded) threaded.threads = get_num_threads();
    return threaded;
  };

  // (An index loop: a shape may be a torch.Size, an Array subclass, which for-of and the array
  // methods walk on V8's slow generic path; here that was ~8% of a tiny F.linear.)
  const runs = (a: StridedView, b: StridedView, out: StridedView): number => {
    const shape = out.shape;
    const nd = shape.length;
    let work = a.shape[nd - 1]!;
    for (let d = 0; d < nd; d++) work *= shape[d]!;
    if (work < MIN_WORK || gemm === null) return 0;
    if (a.storage.dtype !== float32 || b.storage.dtype !== float32 || out.storage.dtype !== float32) return 0;
    return work;
  };

  /** The kernel a product of `work` multiply-adds runs on: the threaded one from THREAD_MIN_WORK. */
  const product = (work: number): WasmMatmul => {
    const t = work >= THREAD_MIN_WORK ? pool() : null;
    last = t !== null && t.threads > 1 ? t : gemm!;
    return last;
  };

  const steps = fusedSteps();
  const ew = elementwise();
  const backend: WasmBackend = {
    // Every kernel not defined below is the JS backend's, on the same storage.
    ...jsBackend,
    ...steps,
    name,
    get variant() {
      return gemm?.module.variant ?? null;
    },
    ready,
    get lastThreads() {
      return last?.lastThreads ?? 1;
    },
    threads(): number {
      const t = pool();
      return gemm === null || t === null || t.workerFailure !== null ? 1 : t.threads;
    },
    threading(): string {
      const t = pool();
      if (gemm === null) return "1 thread: the kernel is not loaded";
      if (t === null) return `1 thread: ${options.singleThreadReason ?? "no shared-memory build of the kernel"}`;
      if (t.workerFailure !== null) return `1 thread: workers failed to start (${t.workerFailure})`;
      const n = t.threads;
      if (n === 1) return "1 thread: torch.set_num_threads(1)";
      return `${n} threads (${n - 1} worker${n > 2 ? "s" : ""} + caller)`;
    },
    allocate(dtype: DType, length: number, zeroed = true): Storage {
      return new JsStorage(backend, dtype, length, zeroed);
    },
    unary(op: UnaryOp, out: StridedView, a: StridedView): void {
      if (ew === null || !ew.unary(op, out, a)) jsBackend.unary(op, out, a);
    },
    binary(op: BinaryOp, out: StridedView, a: StridedView, b: StridedView): void {
      if (ew === null || !ew.binary(op, out, a, b)) jsBackend.binary(op, out, a, b);
    },
    reduce(op: ReduceOp, out: StridedView, a: StridedView, dims: readonly number[]): void {
      if (ew === null || !ew.reduce(op, out, a, dims)) jsBackend.reduce(op, out, a, dims);
    },
    matmul(out: StridedView, a: StridedView, b: StridedView): void {
      const work = runs(a, b, out);
      if (work === 0) return jsMatmul(out, a, b);
      product(work).run(out, a, b);
    },
    /**
     * The JS fused loop where the product runs in JS anyway (its bits are JS's); else the GEMM
     * with the input added in the kernel's memory, the bits of JS's add after it.
     */
    addmm(out: StridedView, input: StridedView, a: StridedView, b: StridedView): void {
      const work = runs(a, b, out);
      if (work === 0) return jsAddmm(out, input, a, b);
      if (input.storage.dtype !== float32) {
        backend.matmul(out, a, b);
        return backend.binary("add", out, input, out);
      }
      product(work).run(out, a, b, input);
    },
    /**
     * float32 `matmul`, `unary`, `binary` and `reduce` run here (the last three only for the ops
     * and dense layouts of ./elementwise.ts). `sizes` is the element count (matmul: its
     * multiply-add counts [M, N, K] or [batches, M, N, K]), whose product is compared with
     * MIN_ELEMENTS (matmul: MIN_WORK).
     */
    supports(kernel: KernelName, dtype: DType, sizes?: readonly number[]): boolean {
      if (dtype !== float32) return false;
      if (kernel === "matmul" ? gemm === null : !ELEMENTWISE_KERNELS.includes(kernel) || ew === null) return false;
      return sizes === undefined || sizes.reduce((p, s) => p * s, 1) >= (kernel === "matmul" ? MIN_WORK : MIN_ELEMENTS);
    },
  };
  return backend;
}

/** `make()` on first use, once per process; null from then on if it threw (the engine refused the module). */
function once<T>(make: () => T): () => T | null {
  let made: T | null | undefined;
  return () => {
    if (made === undefined) {
      try {
        made = make();
      } catch {
        made = null;
      }
    }
    return made;
  };
}

/**
 * The elementwise kernels (./elementwise.ts), shared by every wasm backend; null (every such
 * call then runs the JS kernel) if the engine refuses the module.
 */
const elementwise = once(() => new WasmElementwise());

const optim = once(() => new WasmOptim());

/**
 * The fused SGD / Adam steps (./optim.ts), shared by every wasm backend; none (the optimizer
 * then runs its JS pass) if the engine refuses the module.
 */
function fusedSteps(): Pick<Backend, "sgdStep" | "adamStep"> {
  const k = optim();
  if (k === null) return {};
  return {
    sgdStep: (p: StridedView, g: StridedView, buf: StridedView | null, h: SgdStep, first: boolean) => k.sgd(p, g, buf, h, first),
    adamStep: (p: StridedView, g: StridedView, m: StridedView, v: StridedView, vmax: StridedView | null, h: AdamStep) =>
      k.adam(p, g, m, v, vmax, h),
  };
}

/** Why the default wasm backend is missing, or null when it loaded. */
export let wasmUnavailableReason: string | null = null;

function createDefault(): WasmBackend | null {
  const variant = preferredVariant();
  if (variant === null) {
    wasmUnavailableReason = "this JavaScript engine has no WebAssembly SIMD";
    return null;
  }
  let reason = threadingUnavailableReason();
  if (reason === null) {
    try {
      createSharedMemory();
    } catch {
      reason = "this engine could not create a shared WebAssembly.Memory";
    }
  }
  const shared = reason === null ? (compileGemm(variant, true) ?? compileGemmAsync(variant, true)) : null;
  return createWasmBackend(compileGemm(variant) ?? compileGemmAsync(variant), "wasm", {
    shared,
    singleThreadReason: reason ?? undefined,
  });
}

/** The default wasm backend (the best kernel build this engine runs), or null without SIMD. */
export const wasmBackend: WasmBackend | null = createDefault();
