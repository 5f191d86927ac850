/**
 * Fused multiply-add with a single rounding, for binary32 and binary64.
 *
 * PyTorch's AVX2 kernels compute `x * (to - from) + from` and `z * std + mean` with one FMA
 * instruction (GCC contracts the expression; see docs/pytorch-rng.md sections 4 and 13), so
 * reproducing their bits needs a correctly rounded a·b + c, which JavaScript does not have.
 */

import {
  decompose,
  ef,
  float32Bits,
  float32FromBits,
  loWord,
  nextDown,
  nextUp,
  roundToFloat32,
  roundToFloat64,
  twoProd,
  twoSum,
} from "./ieee754.js";

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * fma32(a, b, c) = rn32(a·b + c) for binary32 inputs a, b, c (numbers holding float32 values).
 *
 * a·b is exact in binary64 (24 + 24 bits < 53), so s = rn64(a·b + c) is the sum rounded once;
 * rounding s again to binary32 is wrong only when s lands exactly on a binary32 midpoint while
 * the exact sum was not on it (section 13). TwoSum gives the exact error of s, which says on
 * which side of the midpoint the exact sum lies.
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const f = Math.fround(s);
  if (f === s || s !== s) return f;
  // Is s exactly halfway between f and its other binary32 neighbour o? Then o = f + 2(s - f),
  // computed exactly (s - f is exact by Sterbenz, and for a midpoint 2(s - f) is one bit).
  // If s is not a midpoint, f + 2(s - f) lies strictly inside a binary32 interval, away from
  // its ends by more than half a binary64 ulp, so it is not a binary32 value.
  if (f !== Infinity && f !== -Infinity) {
    const o = f + 2 * (s - f);
    if (Math.fround(o) !== o) return f;
  } else if (!isMidpoint32(s, f)) {
    return f;
  }
  // s is a midpoint: the exact sum's side decides, unless the sum was exact (a true tie).
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err === 0) return f;
  // The two binary32 neighbours of s are f and the one on the other side of s.
  const other = neighbour32(f, s > f ? 1 : -1);
  const up = f > other ? f : other;
  const down = f > other ? other : f;
  return err > 0 ? up : down;
}

/** The binary32 next to f in direction dir (±1); ±Infinity stands for 2^128 here. */
function neighbour32(f: number, dir: number): number {
  if (f === Infinity) return dir < 0 ? FLOAT32_MAX : Infinity;
  if (f === -Infinity) return dir > 0 ? -FLOAT32_MAX : -Infinity;
  if (f === 0) return dir > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
  const bits = float32Bits(f);
  const awayFromZero = (f > 0) === (dir > 0);
  return float32FromBits(awayFromZero ? bits + 1 : bits - 1);
}

/** Is the binary64 s exactly halfway between two binary32 values (f = fround(s))? */
function isMidpoint32(s: number, f: number): boolean {
  let other = neighbour32(f, s > f ? 1 : -1);
  // Overflow: the value above FLOAT32_MAX is "2^128" for the purpose of the midpoint.
  if (other === Infinity) other = 2 ** 128;
  if (other === -Infinity) other = -(2 ** 128);
  let ff = f;
  if (ff === Infinity) ff = 2 ** 128;
  if (ff === -Infinity) ff = -(2 ** 128);
  return (ff + other) / 2 === s;
}

/**
 * fma64(a, b, c) = rn64(a·b + c), one rounding of the exact value.
 *
 * The exact product is ph + pl (Dekker), so the exact sum is ph + pl + c; three TwoSums turn
 * it into r + t2 + e3 with r = rn64 of most of it and |t2 + e3| near or below half an ulp of
 * r. Comparing t2 (and, at an exact half, the sign of e3) with the half-gap to r's neighbour
 * decides the correctly rounded result without any approximation. Operands out of Dekker's
 * safe range (huge, tiny, non-finite) go to the exact BigInt version.
 */
export function fma64(a: number, b: number, c: number): number {
  const p = a * b;
  const absP = p < 0 ? -p : p;
  if (!(absP >= 2.0e-292 && absP <= 1e300) || !(c > -1e300 && c < 1e300)) {
    return fma64Special(a, b, c, p);
  }
  // |p| in range does not bound |a| and |b| separately; Veltkamp's split needs both < 2^996.
  if (a > 1e299 || a < -1e299 || b > 1e299 || b < -1e299) return fma64Exact(a, b, c);

  twoProd(a, b);
  const ph = ef[0]!;
  const pl = ef[1]!;
  twoSum(ph, c); // ph + c = s1 + e1
  const s1 = ef[0]!;
  const e1 = ef[1]!;
  twoSum(pl, e1); // exact = s1 + s2 + e2
  const s2 = ef[0]!;
  const e2 = ef[1]!;
  twoSum(s1, s2); // exact = r + t + e2, r = rn(s1 + s2)
  const r = ef[0]!;
  const t = ef[1]!;
  if (e2 === 0) {
    // exact = r + t with |t| <= half an ulp of r: r is the answer (TwoSum's r is rn(s1+s2)).
    return r;
  }
  twoSum(t, e2); // exact = r + t2 + e3, t2 = rn(t + e2)
  const t2 = ef[0]!;
  const e3 = ef[1]!;
  if (t2 === 0) return r;
  const nb = t2 > 0 ? nextUp(r) : nextDown(r);
  const half = (nb - r) / 2; // exact: the gap is a power of two
  const absT2 = t2 < 0 ? -t2 : t2;
  const absHalf = half < 0 ? -half : half;
  if (absT2 < absHalf) return r;
  if (absT2 > absHalf) return nb;
  // t2 is exactly the half-gap: e3 breaks the tie, or ties-to-even if it is zero.
  if (e3 === 0) return (loWord(r) & 1) === 0 ? r : nb;
  return (e3 > 0) === (t2 > 0) ? nb : r;
}

/** Zeros, infinities, NaN and magnitudes outside the fast path's range. */
function fma64Special(a: number, b: number, c: number, p: number): number {
  if (a !== a || b !== b || c !== c) return NaN;
  if (a === Infinity || a === -Infinity || b === Infinity || b === -Infinity) {
    return p + c; // the product is exactly infinite (or NaN for 0·inf): IEEE gives p + c
  }
  if (c === Infinity || c === -Infinity) return c; // finite product, infinite addend
  if (a === 0 || b === 0) return p + c; // exact zero product: sign rules of p + c are IEEE's
  return fma64Exact(a, b, c);
}

/**
 * rn64(a·b + c) through exact BigInt arithmetic (finite inputs). Slow; the reference the fast
 * version is tested against, and its fallback.
 */
export function fma64Exact(a: number, b: number, c: number): number {
  if (a === 0 || b === 0) return a * b + c; // exact zero product: IEEE's signed-zero rules
  const da = decompose(a);
  const db = decompose(b);
  const dc = decompose(c);
  const pm = da.mant * db.mant;
  const pe = da.exp + db.exp;
  const e = Math.min(pe, dc.exp);
  const sum = (pm << BigInt(pe - e)) + (dc.mant << BigInt(dc.exp - e));
  if (sum === 0n) return 0; // exact cancellation rounds to +0 under round-to-nearest
  return roundToFloat64(sum, e);
}

/** rn32(a·b + c) through exact BigInt arithmetic; the reference for fma32. */
export function fma32Exact(a: number, b: number, c: number): number {
  if (a === 0 || b === 0) return Math.fround(a * b + c);
  if (c === 0) return Math.fround(a * b);
  const da = decompose(a);
  const db = decompose(b);
  const dc = decompose(c);
  const pm = da.mant * db.mant;
  const pe = da.exp + db.exp;
  const e = Math.min(pe, dc.exp);
  const sum = (pm << BigInt(pe - e)) + (dc.mant << BigInt(dc.exp - e));
  if (sum === 0n) return 0;
  return roundToFloat32(sum, e);
}

// Kept for readers comparing with the two-rounding (non-FMA) builds of PyTorch.
/** rn32(rn32(a·b) + c): what PyTorch's generic (non-AVX2) x86 build computes. */
export function mulAdd32Unfused(a: number, b: number, c: number): number {
  return Math.fround(Math.fround(a * b) + c);
}
