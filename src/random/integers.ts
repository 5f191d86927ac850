/**
 * Integer-valued sampling: `random_()` / `random_(to)` / `random_(from, to)`, `randint` and
 * `randperm`, as PyTorch's CPU kernels compute them (docs/pytorch-rng.md sections 6, 7;
 * aten/src/ATen/core/DistributionsHelper.h and TransformationHelper.h). Values are written in
 * memory order, one (or two) draws per element.
 */

import { RuntimeError } from "../errors.js";
import {
  type FromToPlan,
  type RandomArray,
  type RandomDType,
  dtypeOfArray,
  int64ToFloat32,
  planRandomFromTo,
  toInt64,
} from "./checks.js";
import { getCompat } from "./compat.js";
import type { Generator } from "./generator.js";

const TWO_32 = 4294967296;

/** Write an int64 `value` (bigint) into a destination of the given dtype, cast like C++. */
function storeInt64(out: RandomArray, i: number, value: bigint, dtype: RandomDType): void {
  switch (dtype) {
    case "int64":
      (out as BigInt64Array)[i] = value; // wraps modulo 2^64 like the uint64 arithmetic
      return;
    case "float32":
      (out as Float32Array)[i] = int64ToFloat32(BigInt.asIntN(64, value));
      return;
    case "float64":
      (out as Float64Array)[i] = Number(BigInt.asIntN(64, value)); // correctly rounded
      return;
    case "bool":
      (out as Uint8Array)[i] = BigInt.asIntN(64, value) !== 0n ? 1 : 0;
      return;
    default:
      // Narrow integers: static_cast truncates to the low bits, as typed-array stores do.
      (out as Int32Array)[i] = Number(BigInt.asIntN(32, value));
  }
}

/**
 * The random_(from, to) kernel for a plan from checks.planRandomFromTo:
 * `uniform_int_from_to_distribution` (value = base + draw mod range, with one 64-bit draw
 * instead of a 32-bit one when range >= 2^32 and the dtype is int64, float32 or float64), or
 * `uniform_int_full_range_distribution` (an int64 from a whole 64-bit draw).
 */
function fillFromTo(out: RandomArray, plan: FromToPlan, dtype: RandomDType, gen: Generator): void {
  const n = out.length;
  if (plan.kind === "full64") {
    for (let i = 0; i < n; i++) storeInt64(out, i, BigInt.asIntN(64, gen.nextUint64()), dtype);
    return;
  }
  const { range, base } = plan;
  const wide = dtype === "int64" || dtype === "float32" || dtype === "float64";
  if (wide && range >= 1n << 32n) {
    for (let i = 0; i < n; i++) storeInt64(out, i, (gen.nextUint64() % range) + base, dtype);
    return;
  }
  // One 32-bit draw; `random() % range` with range taken as uint64 (a range >= 2^32 keeps the draw).
  const rangeN = range >= 1n << 32n ? Infinity : Number(range);
  const baseSafe = base >= -(1n << 52n) && base <= 1n << 52n;
  if (dtype === "int64" || dtype === "float32" || dtype === "float64") {
    if (baseSafe) {
      // base + v stays below 2^53: exact in a number.
      const b = Number(base);
      if (dtype === "int64") {
        const o = out as BigInt64Array;
        for (let i = 0; i < n; i++) o[i] = BigInt(b + (gen.nextUint32() % rangeN));
      } else if (dtype === "float32") {
        const o = out as Float32Array;
        for (let i = 0; i < n; i++) o[i] = b + (gen.nextUint32() % rangeN); // one rounding, at the store
      } else {
        const o = out as Float64Array;
        for (let i = 0; i < n; i++) o[i] = b + (gen.nextUint32() % rangeN);
      }
      return;
    }
    for (let i = 0; i < n; i++) storeInt64(out, i, BigInt(gen.nextUint32() % rangeN) + base, dtype);
    return;
  }
  if (dtype === "bool") {
    const o = out as Uint8Array;
    for (let i = 0; i < n; i++) {
      o[i] = BigInt.asIntN(64, BigInt(gen.nextUint32() % rangeN) + base) !== 0n ? 1 : 0;
    }
    return;
  }
  // int32 / int16 / int8 / uint8: only the low bits of base + v survive the cast, so base
  // modulo 2^32 gives the same result (and keeps the sum an exact number).
  const b32 = Number(BigInt.asIntN(32, base));
  const o = out as Int32Array; // the store wraps to the destination's width
  for (let i = 0; i < n; i++) o[i] = b32 + (gen.nextUint32() % rangeN);
}

/** What random_ samples: the default range of the dtype, or a plan from its (from, to). */
export type RandomPlan = { kind: "default" } | FromToPlan;

/**
 * Checks random_'s arguments for a destination dtype and says what to sample, as
 * random_impl / random_from_to_impl do (errors and warnings with PyTorch's words):
 * no bounds is `random_()`, only `to` is `random_(to)` (from 0), `to: null` is Python's None.
 */
export function planRandom(
  dtype: RandomDType,
  range: { from?: number | bigint; to?: number | bigint | null } = {},
): RandomPlan {
  if (range.from === undefined && range.to === undefined) return { kind: "default" };
  const from = range.from === undefined ? 0n : toInt64(range.from, "from");
  const to = range.to === undefined || range.to === null ? null : toInt64(range.to, "to");
  return planRandomFromTo(dtype, from, to);
}

/** Fills `out` (memory order) by a plan from planRandom; trusts it. */
export function fillRandom(out: RandomArray, plan: RandomPlan, dtype: RandomDType, gen: Generator): void {
  if (plan.kind === "default") fillRandomDefault(out, dtype, gen);
  else fillFromTo(out, plan, dtype, gen);
}

/**
 * Fills `out` (memory order) like `Tensor.random_()`:
 *
 * * `random_()`: uniform over [0, 2^mantissa] for floating dtypes (2^24 + 1 values for
 *   float32, 2^53 + 1 for float64) and [0, max] for integer dtypes (bool: 0 or 1);
 * * `random_(to)`: uniform over [0, to - 1];
 * * `random_(from, to)`: uniform over [from, to - 1]; `to = null` (Python's None) means up to
 *   the dtype's largest value, `from = -2^63, to = null` the whole int64 range.
 *
 * Args:
 *   out: the destination; a Uint8Array is uint8 unless `dtype: "bool"` is given.
 *   gen: the generator.
 *   options.from, options.to: the range, as above (integers in int64 range).
 *   options.dtype: the destination's dtype, when the array type does not say it.
 *
 * Example: `randomFill(new BigInt64Array(3), g, { from: -3, to: 30 })`.
 */
export function randomFill(
  out: RandomArray,
  gen: Generator,
  options: { from?: number | bigint; to?: number | bigint | null; dtype?: RandomDType } = {},
): void {
  const dtype = options.dtype ?? dtypeOfArray(out);
  fillRandom(out, planRandom(dtype, options), dtype, gen);
}

/** `uniform_int_distribution`: random_() without bounds. */
function fillRandomDefault(out: RandomArray, dtype: RandomDType, gen: Generator): void {
  const n = out.length;
  switch (dtype) {
    case "float32": {
      const o = out as Float32Array;
      for (let i = 0; i < n; i++) o[i] = gen.nextUint32() % 16777217; // 2^24 + 1
      return;
    }
    case "float64": {
      // random64() mod (2^53 + 1) without bigints: with X = A·2^53 + B, 2^53 ≡ -1, so X ≡ B - A.
      const o = out as Float64Array;
      for (let i = 0; i < n; i++) {
        const hi = gen.nextUint32();
        const lo = gen.nextUint32();
        const a = hi >>> 21;
        const b = (hi & 0x1fffff) * TWO_32 + lo;
        o[i] = b >= a ? b - a : 9007199254740992 + (1 + b - a);
      }
      return;
    }
    case "int64": {
      // random64() mod 2^63: the low 63 bits.
      const o = out as BigInt64Array;
      for (let i = 0; i < n; i++) {
        const hi = gen.nextUint32() & 0x7fffffff;
        const lo = gen.nextUint32();
        o[i] = (BigInt(hi) << 32n) | BigInt(lo);
      }
      return;
    }
    case "int32":
      fillMasked(out, n, 0x7fffffff, gen);
      return;
    case "int16":
      fillMasked(out, n, 0x7fff, gen);
      return;
    case "int8":
      fillMasked(out, n, 0x7f, gen);
      return;
    case "uint8":
      fillMasked(out, n, 0xff, gen);
      return;
    case "bool":
      fillMasked(out, n, 1, gen);
      return;
  }
}

/** random() mod (max + 1) for max = 2^k - 1: a mask. */
function fillMasked(out: RandomArray, n: number, mask: number, gen: Generator): void {
  const o = out as Int32Array;
  for (let i = 0; i < n; i++) o[i] = gen.nextUint32() & mask;
}

/**
 * Fills `out` (memory order) with integers uniform over [low, high), as `torch.randint` does
 * (it is `empty(size).random_(low, high)`).
 *
 * One 32-bit draw per element, or one 64-bit draw when high - low >= 2^32 and the dtype is
 * int64, float32 or float64; each value is low + draw mod (high - low).
 *
 * Example: `randintFill(new BigInt64Array(5), 0n, 10n, g)`.
 */
export function randintFill(
  out: RandomArray,
  low: bigint | number,
  high: bigint | number,
  gen: Generator,
  dtype: RandomDType = dtypeOfArray(out),
): void {
  const plan = planRandomFromTo(dtype, toInt64(low, "low", "randint"), toInt64(high, "high", "randint"));
  fillFromTo(out, plan, dtype, gen);
}

/**
 * A random permutation of 0..n-1, as `torch.randperm(n)` computes it: n - 1 draws, swapping
 * r[i] with r[i + random() mod (n - i)]. (PyTorch 2.x switches to an inside-out shuffle with
 * 64-bit draws for n >= 2^32 / 20, about 214 million; compat "2.x" follows it, "1.13" does not.)
 *
 * Example: `randperm(4, g)` is a Float64Array such as [2, 0, 3, 1].
 */
export function randperm(n: number, gen: Generator): Float64Array {
  if (!Number.isInteger(n) || n < 0) {
    throw new RuntimeError(`Trying to create tensor with negative dimension ${n}: [${n}]`);
  }
  const r = new Float64Array(n);
  if (n < 214748364 || getCompat() === "1.13") {
    for (let i = 0; i < n; i++) r[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = gen.nextUint32() % (n - i);
      const save = r[i]!;
      r[i] = r[z + i]!;
      r[z + i] = save;
    }
    return r;
  }
  for (let i = 0; i < n; i++) {
    const z = Number(gen.nextUint64() % BigInt(i + 1));
    r[i] = r[z]!;
    r[z] = i;
  }
  return r;
}

/**
 * check_supported_max_int_with_precision: randperm's n - 1 must fit the destination dtype
 * (and, for floating dtypes, every integer up to n must be exact).
 */
export function checkRandpermN(n: number, dtype: RandomDType): void {
  if (dtype === "bool") throw new RuntimeError(`"randperm" not implemented for 'Bool'`);
  if (dtype === "float32" && n > 2 ** 24 + 1) {
    throw new RuntimeError("n cannot be greater than 2^24+1 for Float type.");
  }
  if (dtype === "float64" && n > 2 ** 53 + 1) {
    throw new RuntimeError("n cannot be greater than 2^53+1 for Double type.");
  }
  const cType: Partial<Record<RandomDType, [number, string]>> = {
    int32: [2 ** 31 - 1, "int32_t"],
    int16: [2 ** 15 - 1, "int16_t"],
    int8: [2 ** 7 - 1, "int8_t"],
    uint8: [2 ** 8 - 1, "uint8_t"],
  };
  const lim = cType[dtype];
  if (lim && n - 1 > lim[0]) {
    throw new RuntimeError(`value cannot be converted to type ${lim[1]} without overflow`);
  }
}
