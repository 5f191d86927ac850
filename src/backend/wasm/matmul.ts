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
 * Linear memory layout, in bytes: [0, 64 KiB) the module's own data; then A, B, C and the packing
 * work space, each at its own offset within a 4 KiB page (see `placeAt`). Memory only grows; a typed-array view of it is re-made after
 * every grow (a grow detaches the old buffer), and a memory grown past RETAIN_BYTES is dropped
 * after the call, so one huge product does not pin its scratch for the life of the page.
 */

import type { Storage, StridedView } from "../backend.js";
import { float32 } from "../../tensor/dtype.js";
import { dataOf } from "../js/storage.js";
import { copy as jsCopy, fill as jsFill } from "../js/elementwise.js";
import { matmul as jsMatmul } from "../js/matmul.js";
import type { GemmExports, GemmModule } from "./loader.js";

const HEAP_BASE = 65536;
const PAGE = 65536;
const RETAIN_BYTES = 64 * 1024 * 1024;
/** Above this much staging the batches go one at a time; a single matrix above it runs on JS. */
const MAX_STAGING_BYTES = 1024 * 1024 * 1024;

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

export class WasmMatmul {
  private exports: GemmExports | null = null;
  private heap = new Float32Array(0);

  constructor(readonly module: GemmModule) {}

  private kernel(): GemmExports {
    return (this.exports ??= this.module.instantiate());
  }

  /** A view of the whole memory after growing it to at least `bytes`. */
  private reserve(bytes: number): Float32Array {
    const memory = this.kernel().memory;
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    if (this.heap.buffer !== memory.buffer) this.heap = new Float32Array(memory.buffer);
    return this.heap;
  }

  /** Drops a memory that grew past RETAIN_BYTES, so the collector can take it back. */
  private trim(): void {
    if (this.exports && this.exports.memory.buffer.byteLength > RETAIN_BYTES + HEAP_BASE) {
      this.exports = null;
      this.heap = new Float32Array(0);
    }
  }

  /** out = a · b for float32 views; the kernel contract of `Backend.matmul`. */
  run(out: StridedView, a: StridedView, b: StridedView): void {
    const nd = out.shape.length;
    const nb = nd - 2;
    const M = out.shape[nd - 2]!;
    const N = out.shape[nd - 1]!;
    const K = a.shape[nd - 1]!;
    let batches = 1;
    for (let d = 0; d < nb; d++) batches *= out.shape[d]!;
    if (batches * M * N === 0) return;
    if (K === 0) return jsFill(out, 0);

    const pa = planInput(a);
    const pb = planInput(b);
    const outContiguous = isContiguous(out);
    const baseA = placeAt(HEAP_BASE / 4, 1024);
    const baseB = placeAt(baseA + pa.floats, 2048);
    const baseC = placeAt(baseB + pb.floats, 3072);
    const work = placeAt(baseC + batches * M * N, 0) * 4;
    // The work space is sized for the tallest product that may run: all batches folded into rows.
    const bytes = work + this.kernel().workBytes(batches * M, N, K);
    if (bytes > MAX_STAGING_BYTES) return this.runLarge(out, a, b, batches);

    let heap: Float32Array;
    try {
      heap = this.reserve(bytes);
    } catch {
      return jsMatmul(out, a, b); // the engine could not grow the memory
    }
    const kernel = this.exports!;
    const sa = this.stage(heap, pa, baseA);
    const sb = this.stage(heap, pb, baseB);

    const [aRow, aCol] = [sa.strides[nd - 2]!, sa.strides[nd - 1]!];
    const [bRow, bCol] = [sb.strides[nd - 2]!, sb.strides[nd - 1]!];
    const bShared = sb.strides.slice(0, nb).every((s, d) => s === 0 || out.shape[d] === 1);
    if (batches > 1 && bShared && batchesFoldIntoRows(a.shape, sa.strides, nb)) {
      // One B for every batch and A's batches stacked row after row: one tall product.
      kernel.sgemm(batches * M, N, K, sa.base * 4, aRow, aCol, sb.base * 4, bRow, bCol, baseC * 4, N, work);
    } else {
      const counter = new Array<number>(nb).fill(0);
      for (let i = 0; i < batches; i++) {
        let offA = sa.base;
        let offB = sb.base;
        for (let d = 0; d < nb; d++) {
          offA += counter[d]! * sa.strides[d]!;
          offB += counter[d]! * sb.strides[d]!;
        }
        kernel.sgemm(M, N, K, offA * 4, aRow, aCol, offB * 4, bRow, bCol, (baseC + i * M * N) * 4, N, work);
        for (let d = nb - 1; d >= 0; d--) {
          if (++counter[d]! < out.shape[d]!) break;
          counter[d] = 0;
        }
      }
    }

    const result = heap.subarray(baseC, baseC + batches * M * N);
    if (outContiguous) {
      (dataOf(out) as Float32Array).set(result, out.offset);
    } else {
      jsCopy(out, { storage: heapStorage(heap), offset: baseC, shape: out.shape, strides: contiguousStrides(out.shape) });
    }
    this.trim();
  }

  /** Copies an input into the heap at `base` (a float index) and says where it landed. */
  private stage(heap: Float32Array, plan: InputPlan, base: number): Staged {
    const { view } = plan;
    const src = dataOf(view) as Float32Array;
    if (!plan.gather) {
      heap.set(src.subarray(plan.lo, plan.lo + plan.floats), base);
      return { base: base + (view.offset - plan.lo), strides: view.strides.slice() };
    }
    const strides = contiguousStrides(plan.compactShape);
    jsCopy(
      { storage: heapStorage(heap), offset: base, shape: plan.compactShape, strides },
      { storage: view.storage, offset: view.offset, shape: plan.compactShape, strides: view.strides },
    );
    return { base, strides: strides.map((s, d) => (view.strides[d] === 0 ? 0 : s)) };
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
