/**
 * The fused optimizer steps of the WebAssembly backend (Backend.sgdStep / adamStep): the
 * operands are copied into the module's memory, updated there by SIMD128 float32 code
 * (assembly/optim.ts) and copied back. Why: the JS pass of src/optim/flat_update.ts runs at
 * 15-50 ns per parameter (V8 keeps every Math.fround), the kernel under 2 ns, and the copies
 * are memcpy. Every operation is a binary32 one in the JS pass's order with no fused
 * multiply-add, so results are bit-identical to it (test/backend/wasm_optim.test.ts).
 */

import type { AdamStep, SgdStep, StridedView } from "../backend.js";
import { numelOf } from "../../tensor/shape.js";
import { optimSimd } from "./generated/optim.js";
import { decodeBase64 } from "./loader.js";
import { copyIn, copyOut, place } from "./staging.js";

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

  adam(p: StridedView, g: StridedView, m: StridedView, v: StridedView, vmax: StridedView | null, h: AdamStep): void {
    const n = numelOf(p.shape);
    if (n === 0) return;
    const mem = this.k.memory;
    const [op, og, om, ov, ox] = place(mem, vmax === null ? [n, n, n, n] : [n, n, n, n, n]) as [number, number, number, number, number?];
    copyIn(mem, p, op, n);
    copyIn(mem, g, og, n);
    copyIn(mem, m, om, n);
    copyIn(mem, v, ov, n);
    if (vmax !== null) copyIn(mem, vmax, ox!, n);
    const w = r(1 - h.beta1);
    this.k.adam(
      op, og, om, ov, vmax === null ? 0 : ox!, n,
      +h.maximize, +(h.weight_decay !== 0), +h.decoupled_weight_decay, r(1 - h.lr * h.weight_decay), r(h.weight_decay),
      w, r(1 - w), +(Math.abs(w) < 0.5), r(h.beta2), r(1 - h.beta2), r(h.bias_correction2_sqrt), r(h.eps), r(-h.step_size),
    );
    copyOut(mem, p, op, n);
    copyOut(mem, m, om, n);
    copyOut(mem, v, ov, n);
    if (vmax !== null) copyOut(mem, vmax, ox!, n);
  }

  sgd(p: StridedView, g: StridedView, buf: StridedView | null, h: SgdStep, first: boolean): void {
    const n = numelOf(p.shape);
    if (n === 0) return;
    const mem = this.k.memory;
    const [op, og, ob] = place(mem, buf === null ? [n, n] : [n, n, n]) as [number, number, number?];
    copyIn(mem, p, op, n);
    copyIn(mem, g, og, n);
    if (buf !== null && !first) copyIn(mem, buf, ob!, n);
    const oneMinusDamp = r(1 - h.dampening);
    this.k.sgd(
      op, og, buf === null ? 0 : ob!, n,
      +h.maximize, +(h.weight_decay !== 0), r(h.weight_decay), +(h.momentum !== 0 && buf !== null), +first, r(h.momentum),
      +(oneMinusDamp !== 1), oneMinusDamp, +h.nesterov, r(-h.lr),
    );
    copyOut(mem, p, op, n);
    if (buf !== null) copyOut(mem, buf, ob!, n);
  }
}
