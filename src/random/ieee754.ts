/**
 * IEEE 754 helpers shared by the exact arithmetic in this folder: bit access, neighbours,
 * error-free transformations (TwoSum, Dekker's product) and exact rounding of big rationals.
 *
 * JavaScript numbers are binary64 with round-to-nearest-even and no fused multiply-add;
 * everything here is built on that and nothing else.
 */

const f64 = new Float64Array(1);
const u32of64 = new Uint32Array(f64.buffer); // little-endian hosts: [lo, hi]
const f32 = new Float32Array(1);
const u32of32 = new Uint32Array(f32.buffer);

// Every engine we run on (V8, SpiderMonkey, JavaScriptCore on x86 and ARM) is little-endian;
// check once rather than pay for a DataView in the hot paths.
f64[0] = 1;
if (u32of64[1] !== 0x3ff00000) throw new Error("torch-ts random: big-endian hosts are not supported");

/** High 32 bits of the binary64 pattern of x. */
export function hiWord(x: number): number {
  f64[0] = x;
  return u32of64[1]!;
}

/** Low 32 bits of the binary64 pattern of x. */
export function loWord(x: number): number {
  f64[0] = x;
  return u32of64[0]!;
}

/** The binary64 with the given high and low words. */
export function fromWords(hi: number, lo: number): number {
  u32of64[1] = hi >>> 0;
  u32of64[0] = lo >>> 0;
  return f64[0]!;
}

/** binary32 bit pattern of x (x is rounded to binary32 first). */
export function float32Bits(x: number): number {
  f32[0] = x;
  return u32of32[0]!;
}

/** The binary32 with bit pattern `bits`, as a number. */
export function float32FromBits(bits: number): number {
  u32of32[0] = bits >>> 0;
  return f32[0]!;
}

/** binary64 bit pattern as a 64-bit bigint. */
export function float64Bits(x: number): bigint {
  f64[0] = x;
  return (BigInt(u32of64[1]!) << 32n) | BigInt(u32of64[0]!);
}

/** The binary64 with the given 64-bit pattern. */
export function float64FromBits(bits: bigint): number {
  u32of64[1] = Number((bits >> 32n) & 0xffffffffn);
  u32of64[0] = Number(bits & 0xffffffffn);
  return f64[0]!;
}

/** Smallest binary64 greater than x (x finite or -Infinity). */
export function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return 5e-324;
  f64[0] = x;
  let lo = u32of64[0]!;
  let hi = u32of64[1]!;
  if (x > 0) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
  } else {
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
  }
  u32of64[0] = lo;
  u32of64[1] = hi;
  return f64[0]!;
}

/** Largest binary64 less than x. */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

// ---------------------------------------------------------------------------------------------
// Error-free transformations. Results go to the register `ef` instead of a returned pair:
// these run millions of times per fill, and a fresh array per call (or a double stored in a
// module variable, which V8 boxes) costs more than the arithmetic.

/** The last error-free transformation: ef[0] = rounded result, ef[1] = its exact error. */
export const ef = new Float64Array(2);

/** Knuth's TwoSum: ef[0] = rn(a + b), ef[1] = a + b - ef[0] exactly (any a, b without overflow). */
export function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  ef[1] = a - (s - bb) + (b - bb);
  ef[0] = s;
}

/** Dekker's FastTwoSum: same as twoSum when |a| >= |b| (or a == 0). */
export function fastTwoSum(a: number, b: number): void {
  const s = a + b;
  ef[1] = b - (s - a);
  ef[0] = s;
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's constant for binary64

/**
 * Dekker's TwoProduct: ef[0] = rn(a·b), ef[1] = a·b - ef[0] exactly. Valid when |a|, |b| < 2^996
 * (no overflow in the split) and |a·b| >= 2^-969 (the error term does not underflow).
 */
export function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  ef[1] = ah * bh - p + ah * bl + al * bh + al * bl;
  ef[0] = p;
}

// ---------------------------------------------------------------------------------------------
// Exact values as big integers

/** x = mant · 2^exp exactly, mant a (signed) bigint; x finite. */
export function decompose(x: number): { mant: bigint; exp: number } {
  f64[0] = x;
  const hi = u32of64[1]!;
  const lo = u32of64[0]!;
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (bexp === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = bexp - 1075;
  }
  return { mant: hi >>> 31 ? -mant : mant, exp };
}

/** Number of bits of a non-negative bigint (0 for 0). */
export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  // toString(16) is linear and fast in V8; avoids a bit-by-bit loop on 1000-bit values.
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/**
 * rn64(n · 2^e): the binary64 nearest to n·2^e, ties to even, with gradual underflow and
 * overflow to ±Infinity. `sticky` says the true value is slightly larger in magnitude than
 * |n|·2^e (a discarded non-zero tail), which breaks what would otherwise be a tie.
 */
export function roundToFloat64(n: bigint, e: number, sticky = false): number {
  return scaleExact(roundScaledParts(n, e, 53, -1074, 1024, sticky));
}

/** rn32(n · 2^e): the binary32 nearest to n·2^e, ties to even. */
export function roundToFloat32(n: bigint, e: number, sticky = false): number {
  return scaleExact(roundScaledParts(n, e, 24, -149, 128, sticky));
}

/**
 * Round |n|·2^e to `precision` significant bits (ties to even), with the unit in the last
 * place never below 2^minExp (gradual underflow); `maxBinade` is the exponent of the first
 * power of two that overflows.
 */
function roundScaledParts(
  n: bigint,
  e: number,
  precision: number,
  minExp: number,
  maxBinade: number,
  sticky: boolean,
): { q: number; exp: number; negative: boolean; overflow: boolean } {
  if (n === 0n) return { q: 0, exp: 0, negative: false, overflow: false };
  const negative = n < 0n;
  const mag = negative ? -n : n;
  const len = bitLength(mag);
  const ulpExp = Math.max(e + len - precision, minExp);
  const shift = ulpExp - e;
  let q: bigint;
  if (shift > 0) {
    const big = BigInt(shift);
    q = mag >> big;
    const rem = mag - (q << big);
    const half = 1n << (big - 1n);
    if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q += 1n;
  } else {
    q = mag << BigInt(-shift);
  }
  const overflow = ulpExp + bitLength(q) > maxBinade;
  return { q: Number(q), exp: ulpExp, negative, overflow };
}

/** q · 2^exp with the sign applied; 2 ** exp alone would underflow for exp < -1074. */
function scaleExact(p: { q: number; exp: number; negative: boolean; overflow: boolean }): number {
  if (p.overflow) return p.negative ? -Infinity : Infinity;
  let v = p.q;
  let e = p.exp;
  // Scale in steps that keep every intermediate exact (q has <= 54 bits, results are >= 2^-1074).
  while (e > 1000) {
    v *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    v *= 2 ** -1000;
    e += 1000;
  }
  v *= 2 ** e;
  return p.negative ? -v : v;
}
