/**
 * Elementwise kernels of the JS backend: fill, copy with casts, unary and binary op tables,
 * where. Float values are computed in binary64 and rounded once when stored, which for
 * float32 `+ - * / sqrt` is exactly float32 arithmetic.
 *
 * Each kernel first offers its arguments to a fast path (fast_elementwise.ts: one loop per op
 * for float tensors); the `*Reference` functions here are the general kernels, the spec those
 * paths are tested against, and run whatever the fast paths decline.
 */

import type { BinaryOp, StridedView, UnaryOp } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { dataOf, forEachRun } from "./storage.js";
import { erf, erfc, erfinv, floorDivide, remainder, roundHalfEven } from "./math.js";
import { RuntimeError } from "../../errors.js";
import { fastBinary, fastCopy, fastFill, fastUnary, fastWhere } from "./fast_elementwise.js";

type Num = (x: number) => number;
type Num2 = (x: number, y: number) => number | boolean;
type Big = (x: bigint) => bigint;
type Big2 = (x: bigint, y: bigint) => bigint | boolean;

const wrap64 = (x: bigint): bigint => BigInt.asIntN(64, x);

/** f computes in binary64; f32, where present, is the float32 kernel when rounding order matters. */
const UNARY: Record<UnaryOp, { f: Num; f32?: Num; big?: Big }> = {
  neg: { f: (x) => -x, big: (x) => wrap64(-x) },
  abs: { f: Math.abs, big: (x) => wrap64(x < 0n ? -x : x) },
  // (0 < x) - (x < 0), as PyTorch: NaN and -0 give +0.
  sign: { f: (x) => (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0), big: (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n) },
  exp: { f: Math.exp },
  expm1: { f: Math.expm1 },
  log: { f: Math.log },
  log2: { f: Math.log2 },
  log10: { f: Math.log10 },
  log1p: { f: Math.log1p },
  sqrt: { f: Math.sqrt },
  rsqrt: { f: (x) => 1 / Math.sqrt(x) },
  sin: { f: Math.sin },
  cos: { f: Math.cos },
  tan: { f: Math.tan },
  asin: { f: Math.asin },
  acos: { f: Math.acos },
  atan: { f: Math.atan },
  sinh: { f: Math.sinh },
  cosh: { f: Math.cosh },
  tanh: { f: Math.tanh },
  asinh: { f: Math.asinh },
  acosh: { f: Math.acosh },
  atanh: { f: Math.atanh },
  // float32 rounds each step as PyTorch's float kernel does (so sigmoid(-100) is 0, not subnormal).
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), f32: (x) => Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-x)))) },
  // relu keeps NaN, as PyTorch's clamp_min(0) does.
  relu: { f: (x) => (x < 0 ? 0 : x), big: (x) => (x > 0n ? x : 0n) },
  floor: { f: Math.floor, big: (x) => x },
  ceil: { f: Math.ceil, big: (x) => x },
  round: { f: roundHalfEven, big: (x) => x },
  trunc: { f: Math.trunc, big: (x) => x },
  frac: { f: (x) => x - Math.trunc(x) },
  reciprocal: { f: (x) => 1 / x },
  square: { f: (x) => x * x, big: (x) => wrap64(x * x) },
  erf: { f: erf },
  erfc: { f: erfc },
  erfinv: { f: erfinv },
  // NaN is true, as in C (JavaScript's truthiness would call it false).
  logical_not: { f: (x) => (x === 0 ? 1 : 0), big: (x) => (x === 0n ? 1n : 0n) },
  bitwise_not: { f: (x) => ~x, big: (x) => ~x },
  isnan: { f: (x) => (x !== x ? 1 : 0), big: () => 0n },
  isinf: { f: (x) => (x === Infinity || x === -Infinity ? 1 : 0), big: () => 0n },
  isfinite: { f: (x) => (Number.isFinite(x) ? 1 : 0), big: () => 1n },
  signbit: { f: (x) => (x < 0 || Object.is(x, -0) ? 1 : 0), big: (x) => (x < 0n ? 1n : 0n) },
};

function intDivByZero(): never {
  throw new RuntimeError("ZeroDivisionError");
}

const BINARY: Record<BinaryOp, { f: Num2; big?: Big2; intF?: Num2 }> = {
  add: { f: (x, y) => x + y, big: (x, y) => wrap64(x + y) },
  sub: { f: (x, y) => x - y, big: (x, y) => wrap64(x - y) },
  mul: { f: (x, y) => x * y, big: (x, y) => wrap64(x * y), intF: (x, y) => Math.imul(x, y) },
  div: { f: (x, y) => x / y },
  floor_divide: {
    f: floorDivide,
    intF: (x, y) => (y === 0 ? intDivByZero() : Math.floor(x / y)),
    big: (x, y) => {
      if (y === 0n) intDivByZero();
      const q = x / y;
      return wrap64(q * y !== x && x < 0n !== y < 0n ? q - 1n : q);
    },
  },
  remainder: {
    f: remainder,
    intF: (x, y) => (y === 0 ? intDivByZero() : remainder(x, y)),
    big: (x, y) => {
      if (y === 0n) intDivByZero();
      const r = x % y;
      return r !== 0n && r < 0n !== y < 0n ? r + y : r;
    },
  },
  fmod: {
    f: (x, y) => x % y,
    intF: (x, y) => (y === 0 ? intDivByZero() : x % y),
    big: (x, y) => (y === 0n ? intDivByZero() : x % y),
  },
  pow: {
    f: Math.pow,
    intF: (x, y) => intPow(x, y),
    big: (x, y) => (y < 0n ? BigInt(intPow(Number(x), Number(y))) : wrap64(x ** y)),
  },
  atan2: { f: Math.atan2 },
  maximum: { f: (x, y) => (x !== x || y !== y ? NaN : Math.max(x, y)), big: (x, y) => (x > y ? x : y) },
  minimum: { f: (x, y) => (x !== x || y !== y ? NaN : Math.min(x, y)), big: (x, y) => (x < y ? x : y) },
  eq: { f: (x, y) => x === y, big: (x, y) => x === y },
  ne: { f: (x, y) => x !== y, big: (x, y) => x !== y },
  lt: { f: (x, y) => x < y, big: (x, y) => x < y },
  le: { f: (x, y) => x <= y, big: (x, y) => x <= y },
  gt: { f: (x, y) => x > y, big: (x, y) => x > y },
  ge: { f: (x, y) => x >= y, big: (x, y) => x >= y },
  logical_and: { f: (x, y) => x !== 0 && y !== 0, big: (x, y) => x !== 0n && y !== 0n },
  logical_or: { f: (x, y) => x !== 0 || y !== 0, big: (x, y) => x !== 0n || y !== 0n },
  logical_xor: { f: (x, y) => (x !== 0) !== (y !== 0), big: (x, y) => (x !== 0n) !== (y !== 0n) },
  bitwise_and: { f: (x, y) => x & y, big: (x, y) => x & y },
  bitwise_or: { f: (x, y) => x | y, big: (x, y) => x | y },
  bitwise_xor: { f: (x, y) => x ^ y, big: (x, y) => x ^ y },
  relu_backward: { f: (x, y) => (y <= 0 ? 0 : x), big: (x, y) => (y <= 0n ? 0n : x) },
};

/** Integer power for int32 (negative exponents: 1 and -1 bases only, as C integer pow). */
function intPow(x: number, y: number): number {
  if (y < 0) {
    if (x === 1) return 1;
    if (x === -1) return y % 2 === 0 ? 1 : -1;
    throw new RuntimeError("Integers to negative integer powers are not allowed.");
  }
  let result = 1;
  let base = x;
  let e = y;
  while (e > 0) {
    if (e & 1) result = Math.imul(result, base);
    base = Math.imul(base, base);
    e = Math.floor(e / 2);
  }
  return result;
}

/** Converts one element to the representation of the destination array. */
function caster(dst: TypedArray, src: TypedArray): (v: number | bigint) => number | bigint {
  const dstBig = dst instanceof BigInt64Array;
  const srcBig = src instanceof BigInt64Array;
  // bool: any non-zero is true, NaN included (JavaScript's truthiness would call NaN false).
  if (dst instanceof Uint8Array) return (v) => (v === 0 || v === 0n ? 0 : 1);
  if (dstBig && srcBig) return (v) => v;
  if (dstBig) {
    return (v) => {
      const x = v as number;
      // NaN, ±inf and floats beyond int64's range give INT64_MIN on x86, which PyTorch shows.
      return x >= -(2 ** 63) && x < 2 ** 63 ? BigInt(Math.trunc(x)) : -(2n ** 63n);
    };
  }
  if (srcBig) return dst instanceof Int32Array ? (v) => Number(BigInt.asIntN(32, v as bigint)) : (v) => Number(v);
  // Floats an int32 cannot hold become INT32_MIN, as x86's conversion gives.
  if (dst instanceof Int32Array) return (v) => ((v as number) > -2147483649 && (v as number) < 2147483648 ? Math.trunc(v as number) | 0 : -2147483648);
  return (v) => v;
}

export function fill(out: StridedView, value: number | bigint): void {
  if (!fastFill(out, value)) fillReference(out, value);
}

export function fillReference(out: StridedView, value: number | bigint): void {
  const o = dataOf(out) as { [i: number]: number | bigint };
  forEachRun(out.shape, [out.offset], [out.strides], ([p], n, [s]) => {
    for (let i = 0; i < n; i++, p! += s!) o[p!] = value;
  });
}

export function copy(out: StridedView, src: StridedView): void {
  if (!fastCopy(out, src)) copyReference(out, src);
}

export function copyReference(out: StridedView, src: StridedView): void {
  const o = dataOf(out);
  const a = dataOf(src);
  const sameKind = o.constructor === a.constructor;
  const cast = caster(o, a);
  const ow = o as { [i: number]: number | bigint };
  forEachRun(out.shape, [out.offset, src.offset], [out.strides, src.strides], ([po, pa], n, [so, sa]) => {
    if (sameKind) for (let i = 0; i < n; i++, po! += so!, pa! += sa!) ow[po!] = a[pa!]!;
    else for (let i = 0; i < n; i++, po! += so!, pa! += sa!) ow[po!] = cast(a[pa!]!);
  });
}

export function unary(op: UnaryOp, out: StridedView, a: StridedView): void {
  if (!fastUnary(op, out, a)) unaryReference(op, out, a);
}

export function unaryReference(op: UnaryOp, out: StridedView, a: StridedView): void {
  const o = dataOf(out) as { [i: number]: number | bigint };
  const x = dataOf(a);
  const entry = UNARY[op];
  const toBool = o instanceof Uint8Array;
  let f: (v: never) => number | bigint;
  if (x instanceof BigInt64Array) {
    if (!entry.big) throw new RuntimeError(`"${op}" not implemented for 'Long'`);
    const big = entry.big;
    f = o instanceof BigInt64Array ? (big as never) : (((v: bigint) => Number(big(v))) as never);
  } else {
    const fn = o instanceof Float32Array && entry.f32 ? entry.f32 : entry.f;
    f = (toBool ? (v: number) => (fn(v) ? 1 : 0) : fn) as never;
  }
  const g = f as (v: number | bigint) => number | bigint;
  forEachRun(out.shape, [out.offset, a.offset], [out.strides, a.strides], ([po, pa], n, [so, sa]) => {
    for (let i = 0; i < n; i++, po! += so!, pa! += sa!) o[po!] = g(x[pa!]!);
  });
}

export function binary(op: BinaryOp, out: StridedView, a: StridedView, b: StridedView): void {
  if (!fastBinary(op, out, a, b)) binaryReference(op, out, a, b);
}

export function binaryReference(op: BinaryOp, out: StridedView, a: StridedView, b: StridedView): void {
  const o = dataOf(out) as { [i: number]: number | bigint | boolean };
  const x = dataOf(a);
  const y = dataOf(b);
  const entry = BINARY[op];
  let f: (p: never, q: never) => number | bigint | boolean;
  if (x instanceof BigInt64Array) {
    if (!entry.big) throw new RuntimeError(`"${op}" not implemented for 'Long'`);
    f = entry.big as never;
  } else if (x instanceof Int32Array && entry.intF) {
    f = entry.intF as never;
  } else {
    f = entry.f as never;
  }
  const g = f as (p: number | bigint, q: number | bigint) => number | bigint | boolean;
  // A bool output holds 0 or 1 whatever the op computed (True + True is True).
  const store = o instanceof Uint8Array ? (p: number | bigint, q: number | bigint) => (g(p, q) ? 1 : 0) : g;
  forEachRun(
    out.shape,
    [out.offset, a.offset, b.offset],
    [out.strides, a.strides, b.strides],
    ([po, pa, pb], n, [so, sa, sb]) => {
      for (let i = 0; i < n; i++, po! += so!, pa! += sa!, pb! += sb!) o[po!] = store(x[pa!]!, y[pb!]!);
    },
  );
}

export function where(out: StridedView, cond: StridedView, a: StridedView, b: StridedView): void {
  if (!fastWhere(out, cond, a, b)) whereReference(out, cond, a, b);
}

export function whereReference(out: StridedView, cond: StridedView, a: StridedView, b: StridedView): void {
  const o = dataOf(out) as { [i: number]: number | bigint };
  const c = dataOf(cond);
  const x = dataOf(a);
  const y = dataOf(b);
  forEachRun(
    out.shape,
    [out.offset, cond.offset, a.offset, b.offset],
    [out.strides, cond.strides, a.strides, b.strides],
    ([po, pc, pa, pb], n, [so, sc, sa, sb]) => {
      for (let i = 0; i < n; i++, po! += so!, pc! += sc!, pa! += sa!, pb! += sb!) {
        o[po!] = c[pc!] ? x[pa!]! : y[pb!]!;
      }
    },
  );
}
