/**
 * Slow, exact-enough evaluations of log, log1p, sin and cos with BigInt fixed-point
 * arithmetic: the fallback of the fast double-double paths in libm.ts when their rounding
 * test cannot decide, the source of their tables, and the reference they are tested against.
 *
 * Every value is computed with W = 420 fraction bits. The hardest binary64 inputs of these
 * functions need about 2^-120 relative accuracy to round correctly (Lefèvre and Muller's
 * worst cases); the evaluations here are good to better than 2^-330, so rounding the result
 * once gives the correctly rounded value.
 */

import { bitLength, decompose, roundToFloat64 } from "./ieee754.js";

const W = 420;
const BW = BigInt(W);
const ONE = 1n << BW;

// ---------------------------------------------------------------------------------------------
// Constants, computed on first use (a few milliseconds, once).

/** Bits of pi kept for Payne–Hanek reduction: enough for |x| up to 2^1024 with W bits left. */
const P = 1600;

let ln2Fixed = 0n; // ln 2 · 2^W
let piP = 0n; // pi · 2^(P + 64)
let twoOverPiP = 0n; // (2/pi) · 2^P
let pio2Fixed = 0n; // (pi/2) · 2^W

/** atan(1/n) · 2^bits by its Taylor series (n >= 2). */
function atanInv(n: bigint, bits: bigint): bigint {
  const n2 = n * n;
  let term = (1n << bits) / n;
  let sum = term;
  let k = 1n;
  let sign = -1n;
  for (;;) {
    term /= n2;
    if (term === 0n) break;
    sum += (sign * term) / (2n * k + 1n);
    sign = -sign;
    k += 1n;
  }
  return sum;
}

function initConstants(): void {
  if (ln2Fixed !== 0n) return;
  // ln 2 = 2 atanh(1/3); 64 guard bits.
  const g = BW + 64n;
  const third = (1n << g) / 3n;
  const ninth = 9n;
  let term = third;
  let sum = third;
  for (let k = 1n; term !== 0n; k += 1n) {
    term /= ninth;
    sum += term / (2n * k + 1n);
  }
  ln2Fixed = (2n * sum) >> 64n;

  // Machin: pi = 16 atan(1/5) - 4 atan(1/239), with 64 guard bits beyond P + 64.
  const bits = BigInt(P + 64 + 64);
  const pi = 16n * atanInv(5n, bits) - 4n * atanInv(239n, bits);
  piP = pi >> 64n; // pi · 2^(P+64)
  twoOverPiP = (1n << BigInt(2 * P + 64 + 1)) / piP; // 2/pi · 2^P
  pio2Fixed = piP >> BigInt(P + 64 - W + 1); // pi/2 · 2^W
}

/** ln 2 · 2^W (for tables built by libm.ts). */
export function ln2AsFixed(): bigint {
  initConstants();
  return ln2Fixed;
}

/** pi · 2^bits for bits <= P + 64 (for libm.ts's reduction constants). */
export function piAsFixed(bits: number): bigint {
  initConstants();
  return piP >> BigInt(P + 64 - bits);
}

// ---------------------------------------------------------------------------------------------
// log

/** log(m) · 2^W for m = M / 2^W in [0.7, 1.42]: 2 atanh((m-1)/(m+1)). */
function logNearOne(M: bigint): bigint {
  const s = ((M - ONE) << BW) / (M + ONE);
  const s2 = (s * s) >> BW;
  let pow = s;
  let sum = s;
  for (let k = 3n; ; k += 2n) {
    pow = (pow * s2) >> BW;
    if (pow === 0n || pow === -1n) break;
    sum += pow / k;
  }
  return 2n * sum;
}

/** log(n · 2^e) · 2^W for a positive bigint n. */
export function logFixed(n: bigint, e: number): bigint {
  initConstants();
  const len = bitLength(n);
  // n · 2^e = m · 2^k with m in [1, 2); keep m with W fraction bits.
  let k = e + len - 1;
  const shift = W - (len - 1);
  let M = shift >= 0 ? n << BigInt(shift) : n >> BigInt(-shift);
  // Move m into [sqrt(1/2), sqrt(2)) so the series converges fast and log(m) keeps its
  // relative accuracy next to 1.
  if (M * M >= 2n * ONE * ONE) {
    M >>= 1n;
    k += 1;
  }
  return logNearOne(M) + BigInt(k) * ln2Fixed;
}

/** Correctly rounded log(x) for finite x > 0. */
export function logExact(x: number): number {
  if (x === 1) return 0;
  const { mant, exp } = decompose(x);
  return roundToFloat64(logFixed(mant, exp), -W);
}

/** Correctly rounded log1p(x) for finite x > -1. */
export function log1pExact(x: number): number {
  if (x === 0) return x; // keeps -0
  const { mant, exp } = decompose(x);
  // 1 + x exactly, as n · 2^e.
  let n: bigint;
  let e: number;
  if (exp >= 0) {
    n = 1n + (mant << BigInt(exp));
    e = 0;
  } else {
    n = (1n << BigInt(-exp)) + mant;
    e = exp;
  }
  return roundToFloat64(logFixed(n, e), -W);
}

// ---------------------------------------------------------------------------------------------
// sin, cos

/** sin(r) and cos(r) · 2^W for |r| = |R| / 2^W <= pi/4 + a little. */
function sinCosSeries(R: bigint): { s: bigint; c: bigint } {
  const r2 = (R * R) >> BW;
  let term = R;
  let s = R;
  for (let k = 2n; ; k += 2n) {
    term = -((term * r2) >> BW) / (k * (k + 1n));
    if (term === 0n) break;
    s += term;
  }
  term = ONE;
  let c = ONE;
  for (let k = 1n; ; k += 2n) {
    term = -((term * r2) >> BW) / (k * (k + 1n));
    if (term === 0n) break;
    c += term;
  }
  return { s, c };
}

/**
 * |x| = (4q + n)·(pi/2) + r with |r| <= pi/4: returns n = quadrant (0..3) and r · 2^W,
 * by Payne–Hanek (multiply by a long 2/pi, keep the fraction).
 */
function reduce(x: number): { quadrant: number; R: bigint } {
  initConstants();
  const { mant, exp } = decompose(Math.abs(x));
  const prod = mant * twoOverPiP; // |x| · 2/pi · 2^(P - exp)
  const fracBits = P - exp;
  let q: bigint;
  let f: bigint;
  if (fracBits > 0) {
    const fb = BigInt(fracBits);
    q = prod >> fb;
    f = prod - (q << fb);
    if (f >= 1n << (fb - 1n)) {
      q += 1n;
      f -= 1n << fb;
    }
    // f / 2^fracBits in [-1/2, 1/2) quadrants; convert to radians with W fraction bits.
    const fW = fracBits >= W ? f >> BigInt(fracBits - W) : f << BigInt(W - fracBits);
    return { quadrant: Number(q & 3n), R: (fW * pio2Fixed) >> BW };
  }
  // Unreachable for binary64 (exp <= 971 < P), kept so the function is total.
  throw new Error("reduce: argument too large");
}

function sinCosExactParts(x: number): { s: bigint; c: bigint } {
  const { quadrant, R } = reduce(x);
  const { s, c } = sinCosSeries(R);
  // sin and cos of |x| from the quadrant.
  switch (quadrant) {
    case 0:
      return { s, c };
    case 1:
      return { s: c, c: -s };
    case 2:
      return { s: -s, c: -c };
    default:
      return { s: -c, c: s };
  }
}

/** Correctly rounded sin(x) for finite x (|x| >= 2^-26; smaller x are handled by the caller). */
export function sinExact(x: number): number {
  if (x === 0) return x;
  const { s } = sinCosExactParts(x);
  const v = roundToFloat64(s, -W);
  return x < 0 ? -v : v;
}

/** Correctly rounded cos(x) for finite x. */
export function cosExact(x: number): number {
  if (x === 0) return 1;
  const { c } = sinCosExactParts(x);
  return roundToFloat64(c, -W);
}

/** sin(x) and cos(x) · 2^W for |x| <= pi/4 (table construction in libm.ts). */
export function sinCosFixedSmall(x: number): { s: bigint; c: bigint } {
  const { mant, exp } = decompose(x);
  const R = exp + W >= 0 ? mant << BigInt(exp + W) : mant >> BigInt(-(exp + W));
  return sinCosSeries(R);
}

/** The double-double (hi, lo) nearest to V / 2^W: hi = rn(v), lo = rn(v - hi). */
export function fixedToDD(V: bigint): [number, number] {
  const hi = roundToFloat64(V, -W);
  if (hi === 0) return [0, 0];
  const { mant, exp } = decompose(hi);
  const hiFixed = exp + W >= 0 ? mant << BigInt(exp + W) : mant >> BigInt(-(exp + W));
  return [hi, roundToFloat64(V - hiFixed, -W)];
}

/** The double-double nearest to num/den (for constants such as 1/3). */
export function rationalToDD(num: bigint, den: bigint): [number, number] {
  return fixedToDD((num << BW) / den);
}
