/**
 * The elementwise kernels of the WebAssembly backend: relu, relu_backward, add / sub / mul / div
 * (dense, against a bias row, or against a scalar) and sums over leading dims, for dense
 * float32 views, each one the SIMD128 code of
 * assembly/elementwise.ts run on copies of the operands in the module's memory (as ./optim.ts
 * does). They are the elementwise work of a training step: an MLP's activations, their
 * gradients, the bias add and the bias gradient. On 16K elements alone, JS takes 60-90 µs and
 * these 6-13 with their copies; inside the MLP 784-256-10 step, where the copies cost more (see
 * MIN_ELEMENTS), relu 112-124 against 32-34 µs, relu_backward 150-165 / 43-44, the bias add
 * (before addmm took it into the GEMM's memory) 129-148 / 61-70 and the bias gradient's column
 * sums 80-90 / 19-22. Every lane does the JS kernel's float32 operation (the sums: its
 * binary64 additions in its order), so the results are the JS backend's bit for bit
 * (test/backend/wasm_elementwise.test.ts). Each method returns false where it does not apply
 * (another dtype or op, a strided view, a partly overlapping out, too few elements) and the
 * caller runs the JS kernel.
 */

import type { BinaryOp, ReduceOp, StridedView, UnaryOp } from "../backend.js";
import { float32 } from "../../tensor/dtype.js";
import { dataOf, isDense } from "../js/storage.js";
import { numelOf } from "../../tensor/shape.js";
import { denseBlocks } from "../js/fast_reduce.js";
import { elementwiseSimd } from "./generated/elementwise.js";
import { decodeBase64 } from "./loader.js";
import { copyIn, copyOut, place } from "./staging.js";

type Arithmetic = (o: number, a: number, rowA: number, b: number, rowB: number, rows: number, cols: number) => void;

interface ElementwiseExports {
  readonly memory: WebAssembly.Memory;
  relu(o: number, x: number, n: number): void;
  reluBackward(o: number, g: number, y: number, n: number): void;
  add: Arithmetic;
  sub: Arithmetic;
  mul: Arithmetic;
  div: Arithmetic;
  sumColumns(o: number, x: number, acc: number, outer: number, reduced: number, inner: number): void;
}

/**
 * Ops on fewer elements than this stay in JS. Alone, a call here costs 0.4-1 µs however small
 * (the crossing, the copies and their typed-array views) and the JS loops 2-7 ns an element, so
 * wasm won every kernel from 256 elements (2-core AMD EPYC VM, best of 7). Inside a training
 * step it costs more, likely because the module's memory has left the cache since the last call
 * (the GEMMs in between go through a megabyte) and each copy misses. Timed per call in MLP 784-H-10 SGD steps
 * (batch 64), two builds interleaved in one process, medians of 180, JS against wasm: at 512
 * elements (H = 8) relu 12.2 / 10.1 µs, relu_backward 12.3 / 13.1, the bias add 15.6 / 18.6; at
 * 640 (the 10-wide layer) the bias add 12.8 / 13.0 and its column sums 16.3 / 19.8; at 1024
 * (H = 16) relu 17.0 / 11.9, relu_backward 18.0 / 14.7, column sums 12.3 / 9.9, the bias add
 * 19.5 / 20.6 (ahead from 2048: 26.8 / 24.5).
 */
export const MIN_ELEMENTS = 1024;

/**
 * How an operand of `binary` is read: as out's shape, as one row repeated (a bias), or as one
 * value everywhere (a scalar: `x * 0.5`, `loss / n`), which the kernel reads as a row of that
 * value, written into the module's memory.
 */
type Read = "full" | "row" | "scalar" | null;

export class WasmElementwise {
  private readonly k: ElementwiseExports;

  /** `minElements`: tests send smaller calls here too (at least 1: an empty view has nothing to copy). */
  constructor(private readonly minElements = MIN_ELEMENTS) {
    // 1.5 KB: synchronous compilation is allowed everywhere, a page's main thread included.
    this.k = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(elementwiseSimd)), {}).exports as unknown as ElementwiseExports;
  }

  unary(op: UnaryOp, out: StridedView, a: StridedView): boolean {
    if (op !== "relu" || !float32Views(out, a)) return false;
    const n = numelOf(out.shape);
    if (n < this.minElements || !isDense(out.shape, out.strides) || readAs(a, out) !== "full") return false;
    const mem = this.k.memory;
    const [at] = place(mem, [n]);
    copyIn(mem, a, at, n);
    this.k.relu(at, at, n);
    copyOut(mem, out, at, n);
    return true;
  }

  binary(op: BinaryOp, out: StridedView, a: StridedView, b: StridedView): boolean {
    const arithmetic = op === "add" || op === "sub" || op === "mul" || op === "div";
    if (!(arithmetic || op === "relu_backward") || !float32Views(out, a) || b.storage.dtype !== float32) return false;
    const n = numelOf(out.shape);
    if (n < this.minElements || !isDense(out.shape, out.strides)) return false;
    const readA = readAs(a, out);
    const readB = readAs(b, out);
    if (readA === null || readB === null || (op === "relu_backward" && (readA !== "full" || readB !== "full"))) return false;
    // Same shapes: one run over all n; a row or scalar operand: rows of out's last dim.
    const cols = readA !== "full" || readB !== "full" ? out.shape[out.shape.length - 1]! : n;
    // The result overwrites an operand that has out's size (two arrays in play, not three), or
    // has its own place when neither has.
    const mem = this.k.memory;
    const [pa, pb, pc] = place(mem, [readA === "full" ? n : cols, readB === "full" ? n : cols, readA !== "full" && readB !== "full" ? n : 0]);
    stage(mem, a, readA, pa, readA === "full" ? n : cols);
    stage(mem, b, readB, pb, readB === "full" ? n : cols);
    const po = readA === "full" ? pa : readB === "full" ? pb : pc;
    if (op === "relu_backward") this.k.reluBackward(po, pa, pb, n);
    else this.k[op](po, pa, +(readA !== "full"), pb, +(readB !== "full"), n / cols, cols);
    copyOut(mem, out, po, n);
    return true;
  }

  /**
   * Sums over a block of dims followed by kept ones ([B, N] summed over dim 0: a bias gradient),
   * which the JS kernel adds up row by row into one accumulator per column, as this one does
   * four columns at a time. A sum along the rows (the last dims reduced) is one accumulator
   * adding in sequence, which SIMD lanes cannot reproduce: it stays in JS.
   */
  reduce(op: ReduceOp, out: StridedView, a: StridedView, dims: readonly number[]): boolean {
    if (op !== "sum" || !float32Views(out, a) || out.storage === a.storage) return false;
    // The size first: most sums are small (a bias gradient) and stay in JS, which finds the
    // blocks again.
    if (numelOf(a.shape) < this.minElements) return false;
    const blocks = denseBlocks(out, a, dims);
    if (blocks === null) return false;
    const [outer, reduced, inner] = blocks;
    const n = outer * reduced * inner;
    if (inner === 1 || n < this.minElements) return false;
    const mem = this.k.memory;
    const [px, pacc, po] = place(mem, [n, 2 * inner, outer * inner]);
    copyIn(mem, a, px, n);
    this.k.sumColumns(po, px, pacc, outer, reduced, inner);
    copyOut(mem, out, po, outer * inner);
    return true;
  }
}

/** An operand into the memory at byte `at`: n elements of it, or its one value n times. */
function stage(mem: WebAssembly.Memory, view: StridedView, read: Read, at: number, n: number): void {
  if (read === "scalar") new Float32Array(mem.buffer, at, n).fill((dataOf(view) as Float32Array)[view.offset]!);
  else copyIn(mem, view, at, n);
}

/** (Two parameters, not a rest array: every elementwise call of a training step asks this.) */
function float32Views(out: StridedView, a: StridedView): boolean {
  return out.storage.dtype === float32 && a.storage.dtype === float32;
}

/**
 * "full": `a` is dense with out's shape; "row": it reads one dense row of out's last dim for
 * every row (strides 0 before the last dim, 1 along it: a bias broadcast over a batch);
 * "scalar": one element read everywhere (stride 0 along every dim longer than 1); null: any
 * other layout, or one that shares out's storage but is not out itself (JS's in-place order
 * would then differ from copying in first).
 */
function readAs(a: StridedView, out: StridedView): Read {
  const nd = out.shape.length;
  if (isDense(a.shape, a.strides)) {
    return a.storage !== out.storage || a.offset === out.offset ? "full" : null;
  }
  if (a.storage === out.storage || nd === 0) return null;
  let scalar = true;
  for (let d = 0; d < nd && scalar; d++) scalar = a.strides[d] === 0 || out.shape[d] === 1;
  if (scalar) return "scalar";
  if (a.strides[nd - 1] !== 1) return null;
  for (let d = 0; d < nd - 1; d++) if (a.strides[d] !== 0 && out.shape[d] !== 1) return null;
  return "row";
}
