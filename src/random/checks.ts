/**
 * The argument checks of PyTorch's random ops, with PyTorch's wording
 * (aten/src/ATen/native/DistributionTemplates.h), and the dtype facts they need.
 *
 * The fills in distributions.ts and integers.ts trust their arguments; the op layer
 * (functions.ts) calls these first, once.
 */

import { RuntimeError } from "../errors.js";
import { warn } from "../warnings.js";

/** The dtypes the random kernels fill, by PyTorch's names. */
export type RandomDType = "float32" | "float64" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

/** Typed arrays the fills write to. */
export type RandomArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** The dtype a typed array holds when nothing else says (a Uint8Array is uint8, not bool). */
export function dtypeOfArray(a: RandomArray): RandomDType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Int8Array) return "int8";
  return "uint8";
}

export function isFloatingDType(d: RandomDType): d is "float32" | "float64" {
  return d === "float32" || d === "float64";
}

/** std::numeric_limits<T>::digits of the floating dtypes. */
export const FLOAT_DIGITS = { float32: 24, float64: 53 } as const;

/** std::numeric_limits<T>::lowest() and max() of the integer dtypes. */
export const INTEGER_LIMITS: Record<Exclude<RandomDType, "float32" | "float64">, [bigint, bigint]> = {
  int64: [-(1n << 63n), (1n << 63n) - 1n],
  int32: [-(1n << 31n), (1n << 31n) - 1n],
  int16: [-32768n, 32767n],
  int8: [-128n, 127n],
  uint8: [0n, 255n],
  bool: [0n, 1n],
};

/** How PyTorch's messages print a dtype (caffe2::TypeMeta names: the C++ type). */
export const TYPE_META_NAME: Record<RandomDType, string> = {
  float32: "float",
  float64: "double",
  int64: "long int",
  int32: "int",
  int16: "short int",
  int8: "signed char",
  uint8: "unsigned char",
  bool: "bool",
};

/** c10::toString(ScalarType). */
export const SCALAR_TYPE_NAME: Record<RandomDType, string> = {
  float32: "Float",
  float64: "Double",
  int64: "Long",
  int32: "Int",
  int16: "Short",
  int8: "Char",
  uint8: "Byte",
  bool: "Bool",
};

const FLOAT32_MAX = 3.4028234663852886e38;
const FLOAT64_MAX = Number.MAX_VALUE;

/** A double as C++'s `std::ostream << double` prints it (%g, 6 significant digits). */
export function cppDouble(x: number): string {
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mant, expText] = x.toExponential(5).split("e") as [string, string];
  const exp = parseInt(expText, 10);
  const strip = (s: string) => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${strip(mant)}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" + e : e}`;
  }
  return strip(x.toFixed(5 - exp));
}


// ---------------------------------------------------------------------------------------------
// uniform_ and normal_

/**
 * uniform_impl_'s checks: both bounds finite in the dtype, from <= to, to - from finite.
 * Returns [from, to] clamped to the dtype's range, as PyTorch does.
 */
export function checkUniformBounds(dtype: "float32" | "float64", from: number, to: number): [number, number] {
  const max = dtype === "float32" ? FLOAT32_MAX : FLOAT64_MAX;
  const name = TYPE_META_NAME[dtype];
  if (!(from >= -max && from <= max)) throw new RuntimeError(`from is out of bounds for ${name}`);
  if (!(to >= -max && to <= max)) throw new RuntimeError(`to is out of bounds for ${name}`);
  if (!(from <= to)) {
    throw new RuntimeError(
      `uniform_ expects to return a [from, to) range, but found from=${cppDouble(from)} > to=${cppDouble(to)}`,
    );
  }
  if (!(to - from <= max)) {
    throw new RuntimeError(
      `uniform_ expects to-from <= std::numeric_limits<${SCALAR_TYPE_NAME[dtype]}>::max(), but found ` +
        `to=${cppDouble(to)} and from=${cppDouble(from)} which result in to-from to exceed the limit`,
    );
  }
  return [Math.min(Math.max(from, -max), max), Math.max(Math.min(to, max), -max)];
}

/** CHECK_NORMAL_STD. */
export function checkNormalStd(std: number): void {
  if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${cppDouble(std)}`);
}

// ---------------------------------------------------------------------------------------------
// random_(from, to) and randint

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** An int64 argument (Python int), as PyTorch's argument parser reads it. */
export function toInt64(v: number | bigint, name: string, op = "random_"): bigint {
  let b: bigint;
  if (typeof v === "bigint") {
    b = v;
  } else if (typeof v === "number" && Number.isInteger(v)) {
    b = BigInt(v);
  } else {
    throw new TypeError(`${op}(): argument '${name}' must be int, not ${typeof v === "number" ? "float" : typeof v}`);
  }
  if (b < INT64_MIN || b > INT64_MAX) throw new RuntimeError("Overflow when unpacking long");
  return b;
}

/** static_cast<scalar_t>(int64) for float32/float64, then static_cast<int64_t> back (x86). */
function roundTripThroughFloat(v: bigint, dtype: "float32" | "float64"): bigint {
  let x = Number(v); // correctly rounded to binary64
  if (dtype === "float32") x = int64ToFloat32(v);
  // cvttsd2si / cvttss2si: truncation; out of range gives INT64_MIN ("integer indefinite").
  if (!(x >= -9223372036854775808 && x < 9223372036854775808)) return INT64_MIN;
  return BigInt(Math.trunc(x));
}

/** Position of the highest set bit of a positive value (the `while (x >>= 1) ++n` loop). */
function floorLog2(v: bigint): number {
  return v > 0n ? v.toString(2).length - 1 : 0;
}

/** update_from: move `from` right until every value at or above it survives the cast. */
function updateFrom(from: bigint, dtype: "float32" | "float64"): bigint {
  const fromPlus1 = roundTripThroughFloat(from + 1n, dtype);
  if (fromPlus1 < from) {
    const abs = from + 1n < 0n ? -(from + 1n) : from + 1n;
    const n = floorLog2(abs);
    return fromPlus1 + (1n << BigInt(n - FLOAT_DIGITS[dtype] + 1));
  }
  return from;
}

/** update_to: move `to` left likewise. */
function updateTo(to: bigint, dtype: "float32" | "float64"): bigint {
  const toMinus1 = roundTripThroughFloat(to - 1n, dtype);
  if (toMinus1 >= to) {
    const abs = to - 1n < 0n ? -(to - 1n) : to - 1n;
    const n = floorLog2(abs);
    return toMinus1 - (1n << BigInt(n - FLOAT_DIGITS[dtype] + 1));
  }
  return to;
}

/** check_from_to_in_range. */
function checkFromToInRange(from: bigint, toInc: bigint, dtype: RandomDType): void {
  const name = TYPE_META_NAME[dtype];
  if (isFloatingDType(dtype)) {
    // The bounds of float32 / float64 are far outside int64: only the precision warning can fire.
    const digits = FLOAT_DIGITS[dtype];
    const lim = 1n << BigInt(digits);
    for (const [v, label] of [
      [from, "from"],
      [toInc, "to - 1"],
    ] as const) {
      if (v < -lim || v > lim) {
        warn(
          `${label} is out of bounds [-(2^${digits}), 2^${digits}]. Due to precision limitations ${name} can ` +
            "support discrete uniform distribution only within this range. This warning will become an " +
            "error in version 1.7 release, please fix the code in advance",
        );
      }
    }
    return;
  }
  const [min, max] = INTEGER_LIMITS[dtype];
  if (!(from >= min && from <= max)) throw new RuntimeError(`from is out of bounds for ${name}`);
  if (!(toInc >= min && toInc <= max)) throw new RuntimeError(`to - 1 is out of bounds for ${name}`);
}

/** What the random_(from, to) kernel runs: values base + (draw mod range), or the full 2^64 range. */
export type FromToPlan = { kind: "range"; range: bigint; base: bigint } | { kind: "full64" };

/**
 * random_from_to_impl's argument handling: `to === null` is Python's None (up to the dtype's
 * largest value, inclusive). Throws or warns like PyTorch; returns what to sample.
 */
export function planRandomFromTo(dtype: RandomDType, from: bigint, to: bigint | null): FromToPlan {
  if (to !== null) {
    if (!(from < to)) {
      throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}`);
    }
    if (isFloatingDType(dtype)) {
      from = updateFrom(from, dtype);
      to = updateTo(to, dtype);
      if (!(from < to)) {
        throw new RuntimeError(
          `random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=${from} >= to=${to}`,
        );
      }
    }
    checkFromToInRange(from, to - 1n, dtype);
    return { kind: "range", range: BigInt.asUintN(64, to - from), base: from };
  }
  if (from !== INT64_MIN) {
    let toInc: bigint;
    if (isFloatingDType(dtype)) {
      toInc = 1n << BigInt(FLOAT_DIGITS[dtype]);
      from = updateFrom(from, dtype);
      if (!(from < toInc)) {
        throw new RuntimeError(
          "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, " +
            `but got from=${from} > to_inc=${toInc}`,
        );
      }
    } else {
      toInc = INTEGER_LIMITS[dtype][1];
    }
    checkFromToInRange(from, toInc, dtype);
    return { kind: "range", range: BigInt.asUintN(64, toInc - from + 1n), base: from };
  }
  if (!(dtype === "int64" || dtype === "float32" || dtype === "float64")) {
    throw new RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16");
  }
  return { kind: "full64" };
}

/** static_cast<float>(int64_t): round to nearest even, once. */
export function int64ToFloat32(v: bigint): number {
  if (v >= -(1n << 53n) && v <= 1n << 53n) return Math.fround(Number(v)); // Number(v) is exact
  // Keep 24 significant bits plus a round and a sticky bit, then round once.
  const neg = v < 0n;
  let m = neg ? -v : v;
  const len = m.toString(2).length;
  const shift = BigInt(len - 26);
  const sticky = (m & ((1n << shift) - 1n)) !== 0n ? 1n : 0n;
  m = (m >> shift) | sticky; // 26 bits: exact in binary64, and fround rounds it correctly
  const r = Math.fround(Number(m) * 2 ** Number(shift));
  return neg ? -r : r;
}
