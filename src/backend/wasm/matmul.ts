/**
 * The WebAssembly backend's matrix product over JS-owned storage.
 *
 * Storage stays in GC-owned typed arrays (see DESIGN.md, the memory decision), so each product
 * stages its operands in the kernel's linear memory, runs the kernel and copies the result out.
 * The copies are O(n²) against the product's O(n³), and they are plain `TypedArray.set` memcpys:
 * an operand goes in as the span of storage it covers, strides and all, and the kernel's packing
 * step absorbs transposes (x·Wᵀ arrives as a [1, K]-strided view of W and is never copied
 * transposed), steps and zero (broadcast) strides. Only a view that covers a small part of its
 * span is gathered compactly first.
 *
 * The product is described once, as a job header in memory (the sizes, the staged operands, the
 * batch strides and a grid of rectangles over C), and run as tasks: task t is one rectangle of
 * one batch (`runTask` in assembly/gemm.ts). Over the shared build, tasks are spread over the
 * calling thread and the workers of ./pool.ts when the product reaches THREAD_MIN_WORK; one large
 * matrix (SHARED_MIN_WORK) runs as the steps of the shared-B schedule instead (`runSharedTask`).
 *
 * Linear memory layout, in bytes: [0, 64 KiB) the control block and job header (the module has
 * no static data); then A, B, C, one packing work space per thread, the shared-B schedule's two
 * blocks of B and its counters (when it runs), and addmm's addend, each at its own offset within
 * a 4 KiB page (see `placeAt`). Memory only grows; a typed-array view of it is re-made
 * after every grow (a grow detaches an own memory's old buffer), and a memory grown past
 * RETAIN_BYTES beyond the operands it keeps staged (see STAGED_CACHE_BYTES; those come first,
 * from HEAP_BASE) is dropped, so one huge product does not pin its scratch for the life of the page:
 * at once over an own memory, and after TRIM_IDLE_MS without another such product over a shared
 * one (dropping it stops the workers, which a loop of large products should not pay each step).
 */

import type { Storage, StridedView } from "../backend.js";
import { float32 } from "../../tensor/dtype.js";
import { dataOf } from "../js/storage.js";
import { binary as jsBinary, copy as jsCopy, fill as jsFill } from "../js/elementwise.js";
import { matmul as jsMatmul } from "../js/matmul.js";
import type { GemmExports, GemmModule } from "./loader.js";
import { gridFor } from "./grid.js";
import { ABORT_BYTE, GRID_TASKS, JOB, MAX_THREADS, SHARED_TASKS, ThreadPool } from "./pool.js";

const HEAP_BASE = 65536;
const PAGE = 65536;
const RETAIN_BYTES = 64 * 1024 * 1024;
const TRIM_IDLE_MS = 2000;
/** Above this much staging the batches go one at a time; a single matrix above it runs on JS. */
const MAX_STAGING_BYTES = 1024 * 1024 * 1024;
/** Pages of the shared memory at most: the staging limit and the first page. */
export const SHARED_MAX_PAGES = MAX_STAGING_BYTES / PAGE + 1;

/**
 * Right-hand operands (a layer's weight W in x·Wᵀ and in the gradient's g·W) stay staged in the
 * heap between products from their second product on, up to this many bytes in all, and are
 * copied in again only when their storage was written since (its version moved): inference and
 * the backward pass reuse the copy.
 * Linear(784, 512) on one row spent ~110 of its ~150 µs copying W in. Smaller operands are
 * copied each time (a copy of under 64 KiB costs less than keeping track of it).
 */
const STAGED_CACHE_BYTES = 32 * 1024 * 1024;
const STAGED_MIN_BYTES = 64 * 1024;
const STAGED_MAX_ENTRIES = 16;

/**
 * Test and CI aid: with TORCH_TS_CHECK_STAGED=1 every reuse of a staged operand first compares
 * it with its storage and throws if they differ, so a write that did not bump a storage's version
 * cannot go unnoticed (CI runs the suite on this backend with it set). Read once.
 */
const CHECK_STAGED = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  ?.TORCH_TS_CHECK_STAGED === "1";

/** A right-hand operand kept in the heap: the span [lo, lo + floats) of a storage at a version. */
interface StagedEntry {
  /** Its storage's `storageId`. */
  storage: number;
  version: number;
  lo: number;
  floats: number;
  /** Float index of the span's first element in the heap. */
  base: number;
}

/**
 * Products of fewer multiply-adds (batches · M · N · K) run on the calling thread alone. Measured
 * on the 2-core VM (best of 1,500, back to back, so the worker is spinning; the machine was shared,
 * so runs differ): 64x64x64 (0.26M) 18.6 µs on one thread, 19.9 on two; 80x80x80 (0.51M) 37.5
 * against 33.1; 100x100x100 (1M) 62.8 against 47.4 in one run, 52.0 against 58.5 in another;
 * 128x128x128 (2.1M) 100.9 against 64.3, 99.2 against 73.4. Break-even is near 1M.
 */
export const THREAD_MIN_WORK = 1 << 20;

/**
 * Products of fewer multiply-adds do not wake a sleeping worker (../pool.ts `run`); they run on
 * the workers still spinning from an earlier product, or on the caller alone. Measured with the
 * worker asleep (1 ms of other work between products): 128x128x128 (2.1M) 115 µs on one thread,
 * 133 on two; 160x160x160 (4.1M) 215 against 192.
 */
export const WAKE_MIN_WORK = 1 << 22;

/**
 * The kernel's blocking (assembly/gemm.ts KC, MC, NC), its tile width NR and edge scratch, for
 * the shared-B schedule's layout; if they drift from the kernel's, the shared-B tests' results
 * stop matching one thread's.
 */
const KC = 256;
const MC = 96;
const NC = 2048;
const NR = 8;
const EDGE_BYTES = 128;

/**
 * One matrix (or batches that fold into one) of at least this many multiply-adds, with at least
 * two blocks of MC rows per thread, runs on several threads in the shared-B schedule
 * (assembly/gemm.ts `runSharedTask`): the threads pack each block of B together, then take
 * blocks of rows from one counter, so a thread that the host slows down takes fewer. The grid
 * of ./grid.ts gives each thread one rectangle of C instead; measured on the 2-vCPU VM, where
 * one of the two threads often ran 1.5-2x slower than the other for a whole product, 1024³ at 2
 * threads took 27-50 ms that way (the slower thread's half), against 45-55 ms on one thread.
 */
export const SHARED_MIN_WORK = 1 << 26;

/** Creates the shared memory of the threaded build; throws where the engine cannot. */
export function createSharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
}

/** Where one staged operand lies in the heap: a float index and strides in floats, per dim. */
interface Staged {
  base: number;
  strides: number[];
}

/** How an input operand gets into the heap: its covering span as is, or gathered compactly. */
interface InputPlan {
  view: StridedView;
  gather: boolean;
  /** First element of the span in the operand's storage. */
  lo: number;
  /** Floats this operand occupies in the heap. */
  floats: number;
  /** For a gather: the shape with broadcast (zero-stride) dims set to 1. */
  compactShape: number[];
}

function planInput(view: StridedView): InputPlan {
  let lo = view.offset;
  let hi = view.offset;
  let distinct = 1;
  const compactShape: number[] = [];
  for (let d = 0; d < view.shape.length; d++) {
    const size = view.shape[d]!;
    const stride = view.strides[d]!;
    const extent = stride * (size - 1);
    if (extent < 0) lo += extent;
    else hi += extent;
    const kept = stride === 0 ? 1 : size;
    distinct *= kept;
    compactShape.push(kept);
  }
  const span = hi - lo + 1;
  // A span a little larger than the data (a stepped or narrowed view) is still one memcpy.
  const gather = span > 2 * distinct + 4096;
  return { view, gather, lo, floats: gather ? distinct : span, compactShape };
}

function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

function isContiguous(view: StridedView): boolean {
  let expected = 1;
  for (let d = view.shape.length - 1; d >= 0; d--) {
    const size = view.shape[d]!;
    if (size !== 1 && view.strides[d] !== expected) return false;
    expected *= size;
  }
  return true;
}

/**
 * Whether the batch dims of a staged operand continue its row dim (stride[d] = stride[d+1] ·
 * size[d+1] down to the rows), so all batches are one taller matrix.
 */
function batchesFoldIntoRows(shape: readonly number[], strides: readonly number[], nb: number): boolean {
  let stride = strides[nb]!;
  let size = shape[nb]!;
  for (let d = nb - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== stride * size) return false;
    stride = strides[d]!;
    size = shape[d]!;
  }
  return true;
}

/**
 * The float index where a region of the heap starts: `skew` bytes past a 4 KiB boundary at or
 * after `from`. Regions (and JS buffers, which large allocations page-align) that start at the
 * same offset within a page make memcpy and the packing loads stall on 4K aliasing: copying
 * 256 KiB out of a page-aligned heap region into a page-aligned typed array measured 12x slower.
 */
const placeAt = (from: number, skew: number): number => (Math.ceil((from * 4) / 4096) * 4096 + skew) / 4;

/** A heap region as a storage the JS kernels can read and write (they only look at `data`). */
function heapStorage(heap: Float32Array): Storage {
  return { backend: null, dtype: float32, length: heap.length, version: 0, data: heap } as unknown as Storage;
}

/**
 * Stops the workers of a WasmMatmul that was collected without dropping its memory (a test's or
 * a page's backend that went away): parked workers would otherwise live as long as the process.
 */
const orphanedPools =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry<ThreadPool>((pool) => pool.close()) : null;

/** Where an input lands in the heap at `base` (a float index), before it is copied there. */
function placement(plan: InputPlan, base: number): Staged {
  const { view } = plan;
  if (!plan.gather) return { base: base + (view.offset - plan.lo), strides: view.strides.slice() };
  const strides = contiguousStrides(plan.compactShape);
  return { base, strides: strides.map((s, d) => (view.strides[d] === 0 ? 0 : s)) };
}

/**
 * A number for each storage met as a right-hand operand, so that kept and seen spans name their
 * storage without holding it. Not a WeakRef: its deref() keeps the target alive until the
 * current job ends, and a synchronous training loop is one job, so looking through last steps'
 * activations that way kept every one of them alive for the whole loop. A WeakMap lookup keeps
 * nothing, and a collected storage's number is never given again.
 */
const storageIds = new WeakMap<Storage, number>();
let nextStorageId = 1;
function storageId(storage: Storage): number {
  let id = storageIds.get(storage);
  if (id === undefined) storageIds.set(storage, (id = nextStorageId++));
  return id;
}

/**
 * Whether a kept or seen span is the one `plan` copies in (same storage, same span). A storage
 * without a number yet matches nothing (looking does not number it: that is newEntry's, for the
 * operands it remembers).
 */
const sameSpan = (plan: InputPlan) => {
  const id = storageIds.get(plan.view.storage);
  return (e: { storage: number; lo: number; floats: number }): boolean =>
    e.lo === plan.lo && e.floats === plan.floats && e.storage === id;
};

/** TORCH_TS_CHECK_STAGED: the kept copy must equal the storage, bit for bit. */
function checkStaged(heap: Float32Array, plan: InputPlan, entry: StagedEntry): void {
  const src = dataOf(plan.view) as Float32Array;
  const kept = new Uint32Array(heap.buffer, heap.byteOffset + entry.base * 4, entry.floats);
  const now = new Uint32Array(src.buffer, src.byteOffset + plan.lo * 4, plan.floats);
  for (let i = 0; i < now.length; i++) {
    if (kept[i] !== now[i]) {
      throw new Error(
        `torch-ts: a staged operand is stale (element ${plan.lo + i} of its storage changed without a version bump)`,
      );
    }
  }
}

export class WasmMatmul {
  private exports: GemmExports | null = null;
  private memory: WebAssembly.Memory | null = null;
  private heap = new Float32Array(0);
  private header = new Int32Array(0);
  private pool: ThreadPool | null = null;
  private poolSize = 0;
  private trimTimer: ReturnType<typeof setTimeout> | null = null;
  private lastLarge = 0;
  private wanted = 1;
  /** Staged right-hand operands, oldest first, from HEAP_BASE to `stagedEnd` (a float index). */
  private staged: StagedEntry[] = [];
  /**
   * Spans seen once as a right-hand operand, newest last: a span is kept from its second product
   * on (at any version), so a weight is, while an activation (a new storage each step, B of the
   * weight gradient gᵀ·x) is copied with the scratch and does not push the weights out.
   */
  private seen: Omit<StagedEntry, "base" | "version">[] = [];
  private stagedEnd = HEAP_BASE / 4;
  /** Threads the last product ran on, the caller included. */
  lastThreads = 1;
  /** @internal Whether the last product ran the shared-B schedule (tests read it). */
  lastShared = false;
  /** @internal Tasks of the last product that workers ran (tests read it). */
  get lastWorkerTasks(): number {
    return this.pool?.lastWorkerTasks ?? 0;
  }
  /** @internal Products whose B was reused from the heap, not copied in (tests read it). */
  stagedHits = 0;
  /** @internal Products from this many multiply-adds wake sleeping workers (tests set 0). */
  wakeMinWork = WAKE_MIN_WORK;

  constructor(readonly module: GemmModule) {}

  /**
   * Threads for products of at least THREAD_MIN_WORK multiply-adds, the caller included
   * (`torch.set_num_threads`); always 1 for the build over an own memory.
   */
  get threads(): number {
    return this.module.shared ? this.wanted : 1;
  }
  set threads(n: number) {
    this.wanted = Math.max(1, Math.min(MAX_THREADS, Math.floor(n)));
  }

  /** @internal The caller plus the workers idle now (what a product posted now would get). */
  idleThreads(): number {
    return 1 + (this.pool?.idle() ?? 0);
  }

  /** @internal Bytes of linear memory held (0 after a large one was dropped). */
  get heapBytes(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  /** Why workers could not start (the threads then stay at 1), or null. */
  get workerFailure(): string | null {
    return this.pool?.failure ?? null;
  }

  private kernel(): GemmExports {
    if (this.exports) return this.exports;
    if (this.module.shared) {
      this.memory = createSharedMemory();
      this.exports = this.module.instantiate(this.memory);
    } else {
      this.exports = this.module.instantiate();
      this.memory = this.exports.memory;
    }
    return this.exports;
  }

  /** A view of the whole memory after growing it to at least `bytes`. */
  private reserve(bytes: number): Float32Array {
    this.kernel();
    const memory = this.memory!;
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    const buffer = memory.buffer;
    // A grow detaches an own memory's buffer (the view's length drops to 0); a shared memory's
    // old buffers stay valid but keep their length.
    if (this.heap.byteLength !== buffer.byteLength) {
      this.heap = new Float32Array(buffer);
      this.header = new Int32Array(buffer, JOB, (HEAP_BASE - JOB) / 4);
    }
    return this.heap;
  }

  /** The pool for `threads` threads (created, or resized, on first need). */
  private workers(threads: number): ThreadPool {
    if (!this.pool) {
      this.pool = new ThreadPool(this.module.module, this.memory!);
      orphanedPools?.register(this, this.pool, this);
    }
    if (this.poolSize !== threads - 1) this.pool.resize((this.poolSize = threads - 1));
    return this.pool;
  }

  /** Drops a memory that grew past RETAIN_BYTES, so the collector can take it back. */
  private trim(): void {
    // The kept operands (at most STAGED_CACHE_BYTES) do not count against the scratch's limit.
    if (!this.memory || this.memory.buffer.byteLength <= RETAIN_BYTES + this.stagedEnd * 4) return;
    if (!this.pool) return this.drop();
    this.lastLarge = Date.now();
    if (this.trimTimer !== null) return;
    const check = (): void => {
      const idle = Date.now() - this.lastLarge;
      if (idle < TRIM_IDLE_MS) {
        this.trimTimer = setTimeout(check, TRIM_IDLE_MS - idle);
        (this.trimTimer as { unref?: () => void }).unref?.();
      } else {
        this.trimTimer = null;
        this.drop();
      }
    };
    this.trimTimer = setTimeout(check, TRIM_IDLE_MS);
    (this.trimTimer as { unref?: () => void }).unref?.();
  }

  private drop(): void {
    this.staged = [];
    this.seen = [];
    this.stagedEnd = HEAP_BASE / 4;
    if (this.pool) orphanedPools?.unregister(this);
    this.pool?.close();
    this.pool = null;
    this.poolSize = 0;
    this.exports = null;
    this.memory = null;
    this.heap = new Float32Array(0);
    this.header = new Int32Array(0);
  }

  /**
   * out = a · b for float32 views, the kernel contract of `Backend.matmul`; with `addend`, out =
   * a · b + addend for 2-D views (`Backend.addmm`'s, the addend broadcast to out's shape), the
   * addition done in this memory.
   */
  run(out: StridedView, a: StridedView, b: StridedView, addend: StridedView | null = null): void {
    const nd = out.shape.length;
    const nb = nd - 2;
    const M = out.shape[nd - 2]!;
    const N = out.shape[nd - 1]!;
    const K = a.shape[nd - 1]!;
    let batches = 1;
    for (let d = 0; d < nb; d++) batches *= out.shape[d]!;
    if (batches * M * N === 0) return;
    if (K === 0 || (addend !== null && nd !== 2)) return this.unfused(out, a, b, addend);

    const pa = planInput(a);
    const pb = planInput(b);
    const outContiguous = isContiguous(out);
    // B from the staged operands (hit: no copy), or into a new entry after them, or with the
    // scratch: A, then B, C and the work spaces.
    const hit = this.stagedHit(pb);
    const entry = hit === null ? this.newEntry(pb) : null;
    const baseA = placeAt(this.stagedEnd, 1024);
    const baseB = hit?.base ?? entry?.base ?? placeAt(baseA + pa.floats, 2048);
    const baseC = placeAt(hit !== null || entry !== null ? baseA + pa.floats : baseB + pb.floats, 3072);
    const sa = placement(pa, baseA);
    const sb = placement(pb, baseB);
    const [aRow, aCol] = [sa.strides[nd - 2]!, sa.strides[nd - 1]!];
    const [bRow, bCol] = [sb.strides[nd - 2]!, sb.strides[nd - 1]!];
    // One B for every batch and A's batches stacked row after row: one tall product.
    const bShared = sb.strides.slice(0, nb).every((s, d) => s === 0 || out.shape[d] === 1);
    const folded = batches > 1 && bShared && batchesFoldIntoRows(a.shape, sa.strides, nb);
    const [rows, jobBatches] = folded ? [batches * M, 1] : [M, batches];
    const threads = this.threads > 1 && batches * M * N * K >= THREAD_MIN_WORK ? this.threads : 1;
    const shared = threads > 1 && jobBatches === 1 && rows >= 2 * threads * MC && rows * N * K >= SHARED_MIN_WORK;
    const grid = gridFor(jobBatches, rows, N, shared ? 1 : threads);
    const kc = Math.min(K, KC);
    const workBytes = shared ? EDGE_BYTES + MC * kc * 4 : this.kernel().workBytes(grid.rowStep, grid.colStep, K);

    const works: number[] = [];
    let next = baseC + batches * M * N;
    for (let p = 0; p < threads; p++) {
      works.push(placeAt(next, 0) * 4);
      next = placeAt(next, 0) + Math.ceil(workBytes / 4);
    }
    // The shared-B schedule's two blocks of B and its counters (per step: packs done, blocks of
    // rows done; per block of rows: steps done), after the work spaces.
    const kSteps = Math.ceil(K / KC);
    const steps = Math.ceil(N / NC) * kSteps;
    const mBlocks = Math.ceil(rows / MC);
    const buffers = [0, 0];
    let counters = 0;
    if (shared) {
      const bufferFloats = kc * Math.min(Math.ceil(N / NR) * NR, NC);
      for (let i = 0; i < 2; i++) {
        buffers[i] = placeAt(next, 1024 * (i + 1));
        next = buffers[i]! + bufferFloats;
      }
      counters = placeAt(next, 0);
      next = counters + 2 * steps + mBlocks;
    }
    const pz = addend === null ? null : planInput(addend);
    const baseZ = pz === null ? 0 : placeAt(next, 512);
    if (pz !== null) next = baseZ + pz.floats;
    const bytes = next * 4;
    if (bytes > MAX_STAGING_BYTES) return addend === null ? this.runLarge(out, a, b, batches) : this.unfused(out, a, b, addend);

    let heap: Float32Array;
    try {
      heap = this.reserve(bytes);
    } catch {
      return jsMatmul(out, a, b); // the engine could not grow the memory
    }
    const kernel = this.exports!;
    this.copyIn(heap, pa, baseA);
    if (hit === null) this.copyIn(heap, pb, baseB);
    else {
      this.stagedHits++;
      if (CHECK_STAGED) checkStaged(heap, pb, hit);
    }
    if (entry !== null) this.staged.push(entry);
    if (pz !== null) this.copyIn(heap, pz, baseZ);

    const h = this.header;
    const jobNb = folded ? 0 : nb;
    const operands = [rows, N, K, sa.base * 4, aRow, aCol, sb.base * 4, bRow, bCol, baseC * 4, N];
    let tasks: number;
    let local: (t: number, work: number) => void;
    if (shared) {
      // assembly/gemm.ts runSharedTask's header; its counters start at zero. Four pack tasks per
      // thread, not one: the caller's blocks of rows wait for the whole block of B, and a worker
      // that wakes late (it sleeps after 1 ms idle) would hold up its share; with small shares the
      // caller packs most of the block itself. Measured at 1024³, 2 threads: the spin-waits of a
      // product went from 40-250 thousand iterations to 1-30 thousand (time within the noise).
      const packTasks = 4 * threads;
      h.set([
        ...operands, kSteps, mBlocks, packTasks, packTasks + mBlocks, buffers[0]! * 4, buffers[1]! * 4,
        counters * 4, (counters + steps) * 4, (counters + 2 * steps) * 4, ABORT_BYTE,
      ]);
      heap.fill(0, counters, counters + 2 * steps + mBlocks);
      tasks = steps * (packTasks + mBlocks);
      local = (t, work) => kernel.runSharedTask(JOB, t, work);
    } else {
      h.set([...operands, M * N, grid.rowStep, grid.colStep, grid.rowPieces, grid.colPieces, jobNb]);
      for (let d = 0; d < jobNb; d++) {
        h[17 + d] = out.shape[d]!;
        h[17 + jobNb + d] = sa.strides[d]!;
        h[17 + 2 * jobNb + d] = sb.strides[d]!;
      }
      tasks = jobBatches * grid.rowPieces * grid.colPieces;
      local = (t, work) => kernel.runTask(JOB, t, work);
    }
    this.lastShared = shared;
    if (threads > 1) {
      const wake = batches * M * N * K >= this.wakeMinWork;
      this.lastThreads = this.workers(threads).run(tasks, works, local, wake, shared ? SHARED_TASKS : GRID_TASKS);
    } else {
      for (let t = 0; t < tasks; t++) local(t, works[0]!);
      this.lastThreads = 1;
    }
    if (pz !== null) {
      const sz = placement(pz, baseZ);
      kernel.addTo(M, N, baseC * 4, N, sz.base * 4, sz.strides[0]!, sz.strides[1]!);
    }

    const result = heap.subarray(baseC, baseC + batches * M * N);
    if (outContiguous) {
      (dataOf(out) as Float32Array).set(result, out.offset);
    } else {
      jsCopy(out, { storage: heapStorage(heap), offset: baseC, shape: out.shape, strides: contiguousStrides(out.shape) });
    }
    this.trim();
  }

  /** The staged copy of B's span at its storage's current version, if one is kept. */
  private stagedHit(plan: InputPlan): StagedEntry | null {
    if (plan.gather) return null;
    const e = this.staged.find(sameSpan(plan));
    // Written since (the version moved): its place is taken by the new copy (newEntry drops it).
    return e !== undefined && e.version === plan.view.storage.version ? e : null;
  }

  /**
   * Where B's span will be kept from this product on (copied in by `run`), dropping an older copy
   * of the same span and, when the room is full, every entry; null for an operand not kept: a
   * gathered one, one under STAGED_MIN_BYTES, one larger than the room, one seen for the first
   * time.
   */
  private newEntry(plan: InputPlan): StagedEntry | null {
    const bytes = plan.floats * 4;
    if (plan.gather || bytes < STAGED_MIN_BYTES || bytes > STAGED_CACHE_BYTES) return null;
    const storage = plan.view.storage;
    const same = sameSpan(plan);
    const stale = this.staged.findIndex(same);
    if (stale < 0) {
      const seen = this.seen.findIndex(same);
      if (seen < 0) {
        if (this.seen.length >= 2 * STAGED_MAX_ENTRIES) this.seen.shift();
        this.seen.push({ storage: storageId(storage), lo: plan.lo, floats: plan.floats });
        return null;
      }
      this.seen.splice(seen, 1);
    }
    let base: number;
    if (stale >= 0 && stale === this.staged.length - 1) {
      // The newest entry: the new copy takes its room.
      base = this.staged.pop()!.base;
    } else {
      if (stale >= 0) this.staged.splice(stale, 1);
      base = placeAt(this.stagedEnd, 2048);
      if ((base + plan.floats) * 4 - HEAP_BASE > STAGED_CACHE_BYTES || this.staged.length >= STAGED_MAX_ENTRIES) {
        this.staged = [];
        base = placeAt(HEAP_BASE / 4, 2048);
      }
    }
    this.stagedEnd = base + plan.floats;
    return { storage: storageId(storage), version: storage.version, lo: plan.lo, floats: plan.floats, base };
  }

  /** The product, then the addend added by the JS kernel (what the fused path must equal). */
  private unfused(out: StridedView, a: StridedView, b: StridedView, addend: StridedView | null): void {
    if (a.shape[a.shape.length - 1] === 0) jsFill(out, 0);
    else this.run(out, a, b);
    if (addend !== null) jsBinary("add", out, addend, out);
  }

  /** Copies an input into the heap at `base` (a float index), where `placement` says it lands. */
  private copyIn(heap: Float32Array, plan: InputPlan, base: number): void {
    const { view } = plan;
    const src = dataOf(view) as Float32Array;
    if (!plan.gather) {
      heap.set(src.subarray(plan.lo, plan.lo + plan.floats), base);
      return;
    }
    jsCopy(
      { storage: heapStorage(heap), offset: base, shape: plan.compactShape, strides: contiguousStrides(plan.compactShape) },
      { storage: view.storage, offset: view.offset, shape: plan.compactShape, strides: view.strides },
    );
  }

  /** Staging too large for one go: one batch at a time, or JS for a single giant matrix. */
  private runLarge(out: StridedView, a: StridedView, b: StridedView, batches: number): void {
    const nd = out.shape.length;
    if (batches === 1) return jsMatmul(out, a, b);
    const nb = nd - 2;
    const slice = (v: StridedView, index: number): StridedView => {
      let offset = v.offset;
      for (let d = nb - 1, rest = index; d >= 0; d--) {
        offset += (rest % out.shape[d]!) * v.strides[d]!;
        rest = Math.floor(rest / out.shape[d]!);
      }
      return { storage: v.storage, offset, shape: v.shape.slice(nb), strides: v.strides.slice(nb) };
    };
    for (let i = 0; i < batches; i++) this.run(slice(out, i), slice(a, i), slice(b, i));
  }
}
