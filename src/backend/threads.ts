/**
 * The intra-op thread count: `torch.set_num_threads` / `torch.get_num_threads`.
 *
 * One number for the whole library, as in PyTorch; each multi-threaded backend (the native
 * addon's pool, the WebAssembly workers) subscribes with `onNumThreads` and resizes itself.
 * The default is the machine's parallelism (Node: `os.availableParallelism()`, browsers:
 * `navigator.hardwareConcurrency`), PyTorch's default of one thread per core.
 */

import { RuntimeError } from "../errors.js";

function machineThreads(): number {
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
    navigator?: { hardwareConcurrency?: number };
  };
  const os = g.process?.getBuiltinModule?.("node:os") as
    | { availableParallelism?: () => number; cpus: () => unknown[] }
    | undefined;
  if (os) return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const n = g.navigator?.hardwareConcurrency;
  return typeof n === "number" && n > 0 ? n : 1;
}

let threads = machineThreads();
/**
 * A backend told the count; it returns how many threads it could start when that is fewer
 * (the OS refused some), which then becomes the count: PyTorch's get_num_threads reports the
 * threads it uses.
 */
type Listener = (n: number) => number | undefined | void;
const listeners = new Set<Listener>();

/**
 * Sets the number of threads used for intra-op parallelism (matrix products and large
 * elementwise kernels of the multi-threaded backends).
 *
 * ```ts
 * torch.set_num_threads(1);
 * torch.get_num_threads(); // 1
 * ```
 */
export function set_num_threads(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new RuntimeError(`set_num_threads expects an int, but got ${typeof n === "number" ? "float" : typeof n}`);
  }
  if (n <= 0) throw new RuntimeError("set_num_threads expects a positive integer");
  threads = n;
  for (const listener of listeners) threads = Math.min(threads, listener(n) ?? n);
}

/**
 * The number of threads used for intra-op parallelism (see {@link set_num_threads}): the count
 * set, or fewer where the OS refused to start that many (the native backend then runs on the
 * threads it could start).
 */
export function get_num_threads(): number {
  return threads;
}

/**
 * @internal Calls `listener` now and whenever the thread count changes; returns an unsubscribe.
 * A listener that returns a smaller number lowers the count to it (see {@link Listener}).
 */
export function onNumThreads(listener: Listener): () => void {
  listeners.add(listener);
  threads = Math.min(threads, listener(threads) ?? threads);
  return () => listeners.delete(listener);
}
