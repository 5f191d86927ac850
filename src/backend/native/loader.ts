/**
 * Finds and loads the torch-ts-native addon, in Node only.
 *
 * The core never imports a Node module statically (browsers and bundlers must not see one):
 * `process.getBuiltinModule("node:module")` (Node 20.16+) gives `createRequire`, and through
 * it the addon's CommonJS loader. Tried in order: the installed optional package
 * `torch-ts-native` (its prebuilt binary), then the in-repo packages/native (a checkout after
 * `npm run build:native`), found relative to this file, which sits three levels under the
 * repository root in both src/ and dist/.
 */

import { onNumThreads } from "../threads.js";

/** The most threads the addon's pool starts (as the wasm pool's 63 workers plus the caller). */
const MAX_POOL = 64;

/** The functions of packages/native/src/addon.cc. Sizes and strides travel in `params`. */
export interface NativeAddon {
  /**
   * The parameter array the addon reads sizes and strides from (registered with `init` once
   * per JS thread, by loadAddon, on a SharedArrayBuffer): every call writes its layout here first.
   */
  readonly params: Float64Array;
  init(params: Float64Array, threads: number): void;
  /** Resizes the pool; returns the threads it now has (fewer where the OS refused some workers). */
  setThreads(threads: number): number;
  threads(): number;
  /** Whether products run the AVX2+FMA build; `avx2(false)` switches to the portable one. */
  avx2(on?: boolean): boolean;
  /** `packed`: b packed whole by `packB` (one matrix for every batch), read instead of packing b. */
  matmul(out: Float32Array, a: Float32Array, b: Float32Array, packed?: Float32Array): void;
  /**
   * Packs the K x N matrix b (params [K, N, offset, rowStride, colStride]) whole into dst;
   * returns the floats it skipped at dst's start to align the panels (0-7).
   */
  packB(dst: Float32Array, b: Float32Array): number;
  binary(out: Float32Array, a: Float32Array, b: Float32Array): void;
  unary(out: Float32Array, a: Float32Array): void;
  copy(out: Float32Array, a: Float32Array): void;
  fill(out: Float32Array): void;
  sum(out: Float32Array, a: Float32Array): void;
  sgd(param: Float32Array, grad: Float32Array, buf: Float32Array): void;
  adam(param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, maxExpAvgSq: Float32Array): void;
  /** The generator's next out.length draws (params [left, next] in and out); see random.cc. */
  mtFill(state: Uint32Array, out: Uint32Array): void;
  /** out[i] = 1 if the next 53-bit uniform < p else 0 (params [left, next, p]); see random.cc. */
  mtBernoulli(state: Uint32Array, out: Float32Array): void;
  /** What loading the addon did to glibc's heap thresholds (malloc_tune.cc). */
  mallocTuning(): string;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

type Require = (id: string) => unknown;

/**
 * packages/native's loader from this file (src/backend/native or dist/backend/native). Joined
 * at run time: bundlers copy the target of a literal `new URL("...", import.meta.url)` into the
 * bundle as an asset, and a browser bundle must not carry this.
 */
const IN_REPO = ["..", "..", "..", "packages", "native", "index.js"].join("/");

/** The addon, or why there is none (`inNode` false: not Node, nothing to report). */
export function loadAddon(): { addon: NativeAddon | null; reason: string | null; inNode: boolean } {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node) return { addon: null, reason: "not running in Node", inNode: false };
  if (typeof proc.getBuiltinModule !== "function") {
    return { addon: null, reason: `Node ${proc.versions.node} has no process.getBuiltinModule (Node 20.16+ has)`, inNode: true };
  }
  const { createRequire } = proc.getBuiltinModule("node:module") as { createRequire: (from: string) => Require };
  const { fileURLToPath } = proc.getBuiltinModule("node:url") as { fileURLToPath: (url: URL) => string };
  const here = import.meta.url;
  const load = createRequire(here);
  const failures: string[] = [];
  const attempt = (id: () => string, label: string): NativeAddon | null => {
    try {
      return load(id()) as NativeAddon;
    } catch (error) {
      const e = error as { code?: string; message?: string };
      // A package that is simply absent is the expected case; anything else (a binary built
      // for another Node or CPU) is worth its own message.
      const absent = e.code === "MODULE_NOT_FOUND" && (e.message ?? "").includes(label === "torch-ts-native" ? "'torch-ts-native'" : "packages/native/index.js");
      if (absent) failures.push(label === "torch-ts-native" ? "torch-ts-native is not installed" : "this is no torch-ts checkout with packages/native");
      else failures.push(`${label}: ${firstLine(e.message)}`);
      return null;
    }
  };
  const addon =
    attempt(() => "torch-ts-native", "torch-ts-native") ??
    // `here` is a variable so that bundlers do not take `new URL(path, import.meta.url)` for an
    // asset to inline (Vite did: the browser bundle, imported in Node, then failed to load).
    attempt(() => fileURLToPath(new URL(IN_REPO, here)), "packages/native");
  if (addon) {
    // Room for a product's or a walk's layout at 16 dims (ops.ts: MAX_DIMS), on shared memory:
    // the addon keeps a pointer to it, and a SharedArrayBuffer cannot be detached.
    if (!addon.params) {
      const params = new Float64Array(new SharedArrayBuffer(8 * (8 + 4 * 17)));
      addon.init(params, 1);
      (addon as { params: Float64Array }).params = params;
      // The pool holds at most MAX_POOL threads, whatever torch.set_num_threads was given (a
      // huge count would fail to allocate in C++ and abort the process). Where the OS refuses
      // some of its workers (a low RLIMIT_NPROC or cgroup pids limit), products run on those
      // that started, and that count is what torch.get_num_threads reports.
      onNumThreads((n) => {
        const asked = Math.min(n, MAX_POOL);
        const got = addon.setThreads(asked);
        return got < asked ? got : undefined;
      });
    }
    return { addon, reason: null, inNode: true };
  }
  return { addon: null, reason: failures.join("; "), inNode: true };
}

function firstLine(message: string | undefined): string {
  return (message ?? "unknown error").split("\n")[0]!;
}
