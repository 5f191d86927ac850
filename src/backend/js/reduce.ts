/**
 * Reductions of the JS backend. The kept dimensions are walked outside, the reduced ones inside,
 * so each output element is one accumulation in binary64 (or bigint for int64). Dense float
 * inputs take the fast path in fast_reduce.ts first.
 */

import type { ReduceOp, StridedView } from "../backend.js";
import { dataOf } from "./storage.js";
import { fastReduce } from "./fast_reduce.js";

/** Element offsets of every index of (shape, strides), in row-major order, from `base`. */
function offsetsOf(shape: readonly number[], strides: readonly number[], base: number): Float64Array {
  let count = 1;
  for (const s of shape) count *= s;
  const out = new Float64Array(count);
  if (count === 0) return out;
  const nd = shape.length;
  const counter = new Array<number>(nd).fill(0);
  let pos = base;
  for (let i = 0; i < count; i++) {
    out[i] = pos;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]!++;
      pos += strides[d]!;
      if (counter[d]! < shape[d]!) break;
      pos -= strides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
  return out;
}

export function reduce(op: ReduceOp, out: StridedView, a: StridedView, dims: readonly number[]): void {
  if (!fastReduce(op, out, a, dims)) reduceReference(op, out, a, dims);
}

/** The general reduction, over any layout and dtype: the spec that fast_reduce.ts is tested against. */
export function reduceReference(op: ReduceOp, out: StridedView, a: StridedView, dims: readonly number[]): void {
  const reduced = new Set(dims);
  const keptShape: number[] = [];
  const keptStridesA: number[] = [];
  const keptStridesOut: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  a.shape.forEach((size, d) => {
    if (reduced.has(d)) {
      redShape.push(size);
      redStrides.push(a.strides[d]!);
    } else {
      keptShape.push(size);
      keptStridesA.push(a.strides[d]!);
      keptStridesOut.push(out.strides[d]!);
    }
  });
  const outer = offsetsOf(keptShape, keptStridesA, a.offset);
  const outPos = offsetsOf(keptShape, keptStridesOut, out.offset);
  const inner = offsetsOf(redShape, redStrides, 0);
  const x = dataOf(a);
  const o = dataOf(out) as { [i: number]: number | bigint };

  if (x instanceof BigInt64Array) {
    for (let k = 0; k < outer.length; k++) {
      const base = outer[k]!;
      let acc: bigint;
      let best = 0;
      switch (op) {
        case "sum":
          acc = 0n;
          for (let r = 0; r < inner.length; r++) acc += x[base + inner[r]!]!;
          o[outPos[k]!] = BigInt.asIntN(64, acc);
          break;
        case "prod":
          acc = 1n;
          for (let r = 0; r < inner.length; r++) acc = BigInt.asIntN(64, acc * x[base + inner[r]!]!);
          o[outPos[k]!] = acc;
          break;
        case "amax":
        case "amin":
        case "argmax":
        case "argmin": {
          const isMax = op === "amax" || op === "argmax";
          acc = x[base]!;
          for (let r = 1; r < inner.length; r++) {
            const v = x[base + inner[r]!]!;
            if (isMax ? v > acc : v < acc) {
              acc = v;
              best = r;
            }
          }
          o[outPos[k]!] = op === "amax" || op === "amin" ? acc : BigInt(best);
          break;
        }
        case "any":
        case "all": {
          let r = 0;
          const want = op === "any";
          for (; r < inner.length; r++) if ((x[base + inner[r]!]! !== 0n) === want) break;
          o[outPos[k]!] = (r < inner.length) === want ? 1 : 0;
          break;
        }
      }
    }
    return;
  }

  const intIndex = o instanceof BigInt64Array;
  for (let k = 0; k < outer.length; k++) {
    const base = outer[k]!;
    let acc = 0;
    let best = 0;
    switch (op) {
      case "sum":
        for (let r = 0; r < inner.length; r++) acc += x[base + inner[r]!]!;
        break;
      case "prod":
        acc = 1;
        for (let r = 0; r < inner.length; r++) acc *= x[base + inner[r]!]!;
        break;
      case "amax":
      case "amin":
      case "argmax":
      case "argmin": {
        // NaN wins and stays: PyTorch's max propagates NaN and argmax points at the first one.
        const isMax = op === "amax" || op === "argmax";
        acc = x[base]!;
        for (let r = 1; r < inner.length && acc === acc; r++) {
          const v = x[base + inner[r]!]!;
          if (v !== v || (isMax ? v > acc : v < acc)) {
            acc = v;
            best = r;
          }
        }
        if (op === "argmax" || op === "argmin") acc = best;
        break;
      }
      case "any":
      case "all": {
        const want = op === "any";
        let r = 0;
        for (; r < inner.length; r++) if ((x[base + inner[r]!]! !== 0) === want) break;
        acc = (r < inner.length) === want ? 1 : 0;
        break;
      }
    }
    o[outPos[k]!] = intIndex ? BigInt(acc) : acc;
  }
}
