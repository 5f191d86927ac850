/**
 * The fused optimizer steps of the WebAssembly backend (Backend.sgdStep / adamStep): the
 * operands are copied into the module's memory, updated there by SIMD128 float32 code
 * (assembly/optim.ts) and copied back. Why: the JS pass of src/optim/flat_update.ts runs at
 * 15-50 ns per parameter (V8 keeps every Math.fround), the kernel under 2 ns, and the copies
 * are memcpy. Every operation is a binary32 one in the JS pass's order with no fused
 * multiply-add, so results are bit-identical to it (test/backend/wasm_optim.test.ts).
 */

import type { AdamStep, SgdStep, StridedView } from "../backend.js";
import { dataOf } from "../js/storage.js";
import { numelOf } from "../../tensor/shape.js";
import { optimSimd } from "./generated/optim.js";
import { decodeBase64 } from "./loader.js";

interface OptimExports {
  readonly memory: WebAssembly.Memory;
  adam(
    p: number, g: number, m: number, v: number, vmax: number, n: number,
    maximize: number, decay: number, decoupled: number, shrink: number, wd: number, w: number, oneMinusW: number,
    small: number, beta2: number, value: number, bc2: number, eps: number, negStep: number,
  ): void;
  sgd(
    p: number, g: number, buf: number, n: number,
    maximize: number, decay: number, wd: number, useMomentum: number, first: number, mom: number, damped: number,
    oneMinusDamp: number, nesterov: number, negLr: number,
  ): void;
}

const r = Math.fround;

export class WasmOptim {
  private readonly k: OptimExports;

  constructor() {
    // Under 1 KB: synchronous compilation is allowed everywhere, a page's main thread included.
    this.k = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(optimSimd)), {}).exports as unknown as OptimExports;
  }

  /** Byte offsets of `count` float32 arrays of n elements in the module's memory, grown to fit. */
  private place(count: number, n: number): number[] {
    const bytes = (n * 4 + 15) & ~15;
    const need = count * bytes + 16;
    const memory = this.k.memory;
    if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    return Array.from({ length: count }, (_, i) => 16 + i * bytes);
  }

  private copyIn(view: StridedView, at: number, n: number): void {
    new Float32Array(this.k.memory.buffer, at, n).set((dataOf(view) as Float32Array).subarray(view.offset, view.offset + n));
  }

  private copyOut(view: StridedView, at: number, n: number): void {
    (dataOf(view) as Float32Array).set(new Float32Array(this.k.memory.buffer, at, n), view.offset);
  }

  adam(p: StridedView, g: StridedView, m: StridedView, v: StridedView, vmax: StridedView | null, h: AdamStep): void {
    const n = numelOf(p.shape);
    if (n === 0) return;
    const [op, og, om, ov, ox] = this.place(vmax === null ? 4 : 5, n) as [number, number, number, number, number?];
    this.copyIn(p, op, n);
    this.copyIn(g, og, n);
    this.copyIn(m, om, n);
    this.copyIn(v, ov, n);
    if (vmax !== null) this.copyIn(vmax, ox!, n);
    const w = r(1 - h.beta1);
    this.k.adam(
      op, og, om, ov, vmax === null ? 0 : ox!, n,
      +h.maximize, +(h.weight_decay !== 0), +h.decoupled_weight_decay, r(1 - h.lr * h.weight_decay), r(h.weight_decay),
      w, r(1 - w), +(Math.abs(w) < 0.5), r(h.beta2), r(1 - h.beta2), r(h.bias_correction2_sqrt), r(h.eps), r(-h.step_size),
    );
    this.copyOut(p, op, n);
    this.copyOut(m, om, n);
    this.copyOut(v, ov, n);
    if (vmax !== null) this.copyOut(vmax, ox!, n);
  }

  sgd(p: StridedView, g: StridedView, buf: StridedView | null, h: SgdStep, first: boolean): void {
    const n = numelOf(p.shape);
    if (n === 0) return;
    const [op, og, ob] = this.place(buf === null ? 2 : 3, n) as [number, number, number?];
    this.copyIn(p, op, n);
    this.copyIn(g, og, n);
    if (buf !== null && !first) this.copyIn(buf, ob!, n);
    const oneMinusDamp = r(1 - h.dampening);
    this.k.sgd(
      op, og, buf === null ? 0 : ob!, n,
      +h.maximize, +(h.weight_decay !== 0), r(h.weight_decay), +(h.momentum !== 0 && buf !== null), +first, r(h.momentum),
      +(oneMinusDamp !== 1), oneMinusDamp, +h.nesterov, r(-h.lr),
    );
    this.copyOut(p, op, n);
    if (buf !== null) this.copyOut(buf, ob!, n);
  }
}
