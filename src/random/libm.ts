/**
 * Correctly rounded binary64 log, log1p, sin and cos.
 *
 * PyTorch's binary64 normal samplers call the C library's log / sin / cos (and log1p in 2.x).
 * JavaScript's Math.log etc. are engine-defined and agree with glibc far less often than
 * correctly rounded functions do (docs/pytorch-rng.md section 13: 94 % of float64 randn values
 * with V8's, 99.8 % correctly rounded; every float32 value from path S either way after rn32).
 * glibc's own results are not correctly rounded in about 0.1 % of cases, so no portable
 * implementation matches it everywhere; correct rounding is the best definable target.
 *
 * Method (Ziv): evaluate in double-double (about 2^-100 relative error), and if the result is
 * provably far enough from a rounding boundary (with a 2^-90 error budget) return it; else
 * evaluate with BigInt at 420 bits (libm_exact.ts). The slow path is taken about once in 2^37
 * calls at random inputs, and for exact cases (log(1), sin(0)).
 */

import { dd, ddAdd, ddAddD, ddDiv, ddMul, ddMulD } from "./double_double.js";
import { fromWords, hiWord, loWord } from "./ieee754.js";
import {
  cosExact,
  fixedToDD,
  ln2AsFixed,
  log1pExact,
  logExact,
  logFixed,
  piAsFixed,
  rationalToDD,
  sinCosFixedSmall,
  sinExact,
} from "./libm_exact.js";

/** Error budget of the double-double evaluations, relative to the result. */
const REL_ERR = 2 ** -90;

/**
 * Can hi + lo, known to within relErr·|hi| of the true value, be rounded without ambiguity?
 * (hi = rn(hi + lo).) True when the whole error interval lies strictly inside hi's rounding
 * interval, so hi is the correctly rounded value.
 */
function roundsToHi(hi: number, lo: number, relErr: number): boolean {
  const hw = hiWord(hi) & 0x7fffffff;
  const biased = hw >>> 20;
  if (biased < 54 || biased === 0x7ff) return false; // tiny or special: let the exact path decide
  // ulp(hi) as a power of two, and the gap below |hi|, which halves at a power of two.
  const ulp = fromWords((biased - 52) << 20, 0);
  const isPow2 = (hw & 0xfffff) === 0 && loWord(hi) === 0;
  const halfUp = ulp * 0.5;
  const halfDown = isPow2 ? ulp * 0.25 : halfUp;
  const l = hi < 0 ? -lo : lo; // lo measured in the direction away from zero
  const err = relErr * (hi < 0 ? -hi : hi);
  return l + err < halfUp && err - l < halfDown;
}

// ---------------------------------------------------------------------------------------------
// Tables and constants (built once, on first use, from libm_exact.ts)

const LOG_TABLE_OFFSET = 38; // i in [-38, 54], c_i = 1 + i/128
const logTableHi = new Float64Array(93);
const logTableLo = new Float64Array(93);
let LN2_HI = 0;
let LN2_LO = 0;
let THIRD_HI = 0;
let THIRD_LO = 0;
let FIFTH_HI = 0;
let FIFTH_LO = 0;

const SC_TABLE = 53; // sin(j/64), cos(j/64) for j in [0, 52]
const sinTableHi = new Float64Array(SC_TABLE);
const sinTableLo = new Float64Array(SC_TABLE);
const cosTableHi = new Float64Array(SC_TABLE);
const cosTableLo = new Float64Array(SC_TABLE);
let INV6_HI = 0;
let INV6_LO = 0;
let INV120_HI = 0;
let INV120_LO = 0;
let INV24_HI = 0;
let INV24_LO = 0;
// pi/2 = PIO2_0 + PIO2_1 + PIO2_2 + PIO2_3; PIO2_0 has 32 bits so k·PIO2_0 is exact for k < 2^21.
let PIO2_0 = 0;
let PIO2_1 = 0;
let PIO2_2 = 0;
let PIO2_3 = 0;

let tablesReady = false;

function initTables(): void {
  if (tablesReady) return;
  const W = 420n;
  for (let i = -LOG_TABLE_OFFSET; i <= 54; i++) {
    // log(1 + i/128) = log((128 + i) · 2^-7)
    const [h, l] = fixedToDD(logFixed(BigInt(128 + i), -7));
    logTableHi[i + LOG_TABLE_OFFSET] = h;
    logTableLo[i + LOG_TABLE_OFFSET] = l;
  }
  [LN2_HI, LN2_LO] = fixedToDD(ln2AsFixed());
  [THIRD_HI, THIRD_LO] = rationalToDD(1n, 3n);
  [FIFTH_HI, FIFTH_LO] = rationalToDD(1n, 5n);
  [INV6_HI, INV6_LO] = rationalToDD(1n, 6n);
  [INV120_HI, INV120_LO] = rationalToDD(1n, 120n);
  [INV24_HI, INV24_LO] = rationalToDD(1n, 24n);
  for (let j = 0; j < SC_TABLE; j++) {
    const { s, c } = sinCosFixedSmall(j / 64);
    [sinTableHi[j], sinTableLo[j]] = fixedToDD(s);
    [cosTableHi[j], cosTableLo[j]] = fixedToDD(c);
  }
  // pi/2 in four pieces from 420 bits of pi.
  let rest = piAsFixed(Number(W)) >> 1n; // pi/2 · 2^420
  const take = (bits: number): number => {
    // The leading `bits` bits of rest, as a double; rest keeps the remainder.
    const len = rest.toString(2).length;
    const drop = BigInt(Math.max(len - bits, 0));
    const top = (rest >> drop) << drop;
    rest -= top;
    return Number(top) * 2 ** -420; // exact: top < 2^421 has <= 53 significant bits
  };
  PIO2_0 = take(32);
  PIO2_1 = take(53);
  PIO2_2 = take(53);
  PIO2_3 = take(53);
  tablesReady = true;
}

// ---------------------------------------------------------------------------------------------
// log and log1p

const SQRT2 = 1.4142135623730951;

/** log(xh + xl) in double-double into dd[0]!/dd[1]!; xh > 0 normal or subnormal, |xl| <= ulp(xh)/2. */
function logDD(xh: number, xl: number): void {
  let k = 0;
  if (xh < 2.2250738585072014e-308) {
    xh *= 18014398509481984; // 2^54
    xl *= 18014398509481984;
    k = -54;
  }
  const hw = hiWord(xh);
  const biased = hw >>> 20;
  k += biased - 1023;
  // m in [1, 2), ml the low part scaled by the same power of two (exact).
  let m = fromWords((hw & 0xfffff) | 0x3ff00000, loWord(xh));
  let ml = xl * (m / xh);
  if (m > SQRT2) {
    m *= 0.5;
    ml *= 0.5;
    k += 1;
  }
  // log m = log c + log(m/c) with c = 1 + i/128 nearest m, and
  // log(m/c) = 2 atanh(s), s = (m - c)/(m + c), |s| <= 2^-8.4.
  const i = Math.round((m - 1) * 128);
  const c = 1 + i / 128;
  const nh0 = m - c; // exact (Sterbenz)
  let s0 = nh0 + ml;
  let v = s0 - nh0;
  const nl = nh0 - (s0 - v) + (ml - v);
  const nh = s0;
  s0 = m + c;
  v = s0 - m;
  let dl = m - (s0 - v) + (c - v) + ml;
  const dh = s0 + dl;
  dl -= dh - s0;
  ddDiv(nh, nl, dh, dl);
  const sh = dd[0]!;
  const sl = dd[1]!;
  ddMul(sh, sl, sh, sl);
  const zh = dd[0]!;
  const zl = dd[1]!;
  // 2 atanh(s) = 2s (1 + z/3 + z^2/5 + z^3/7 + ...), z = s^2 <= 2^-16.8; the tail after z^2/5
  // needs only double precision, the first terms need double-double.
  const tail = 1 / 7 + zh * (1 / 9 + zh * (1 / 11 + zh * (1 / 13)));
  ddMulD(zh, zl, tail);
  ddAdd(FIFTH_HI, FIFTH_LO, dd[0]!, dd[1]!);
  ddMul(zh, zl, dd[0]!, dd[1]!);
  ddAdd(THIRD_HI, THIRD_LO, dd[0]!, dd[1]!);
  const ph = dd[0]!;
  const pl = dd[1]!;
  ddMul(sh, sl, zh, zl); // s^3
  ddMul(dd[0]!, dd[1]!, ph, pl); // s^3 · P
  ddAdd(sh, sl, dd[0]!, dd[1]!); // atanh(s)
  const ah = 2 * dd[0]!;
  const al = 2 * dd[1]!;
  ddAdd(logTableHi[i + LOG_TABLE_OFFSET]!, logTableLo[i + LOG_TABLE_OFFSET]!, ah, al);
  if (k !== 0) {
    const rh = dd[0]!;
    const rl = dd[1]!;
    ddMulD(LN2_HI, LN2_LO, k);
    ddAdd(dd[0]!, dd[1]!, rh, rl);
  }
}

/**
 * Natural logarithm, correctly rounded (round to nearest even).
 *
 * log(0) = -Infinity, log(x < 0) = NaN, log(Infinity) = Infinity, like C's log.
 *
 * Example: `log(2)` is 0.6931471805599453.
 */
export function log(x: number): number {
  if (!(x > 0) || x === Infinity) {
    if (x === 0) return -Infinity;
    return x === Infinity ? x : NaN;
  }
  if (x === 1) return 0;
  initTables();
  logDD(x, 0);
  if (roundsToHi(dd[0]!, dd[1]!, REL_ERR)) return dd[0]!;
  return logExact(x);
}

/**
 * log(1 + x), correctly rounded, accurate for x near 0.
 *
 * log1p(-1) = -Infinity, log1p(x < -1) = NaN, log1p(±0) = ±0.
 *
 * Example: `log1p(1e-10)` is 9.999999999500000e-11.
 */
export function log1p(x: number): number {
  if (!(x > -1) || x === Infinity) {
    if (x === -1) return -Infinity;
    return x === Infinity ? x : NaN;
  }
  const ax = x < 0 ? -x : x;
  // log1p(x) = x - x²/2 + ...: for |x| < 2^-54 the correction is below a quarter ulp of x.
  if (ax < 5.551115123125783e-17) return x;
  initTables();
  // 1 + x = s + e exactly (TwoSum), then log(s + e) with the double-double argument.
  const s = 1 + x;
  const v = s - 1;
  const e = 1 - (s - v) + (x - v);
  logDD(s, e);
  if (roundsToHi(dd[0]!, dd[1]!, REL_ERR)) return dd[0]!;
  return log1pExact(x);
}

// ---------------------------------------------------------------------------------------------
// sin and cos

const TWO_OVER_PI = 0.6366197723675814;
const FAST_REDUCTION_LIMIT = 1048576; // 2^20: k < 2^21 keeps k·PIO2_0 exact

// Outputs of sinCosDD: sin and cos of the reduced argument (double-doubles), the quadrant,
// and the relative error added by the reduction. A Float64Array, because doubles stored in
// module variables are boxed on every write.
const SIN_H = 0;
const SIN_L = 1;
const COS_H = 2;
const COS_L = 3;
const RED_ERR = 4;
const sc = new Float64Array(5);
let quadrant = 0;

/**
 * sin and cos of |x| (x finite, 2^-27 <= |x| <= 2^20) in double-double: sinH/sinL, cosH/cosL
 * for the reduced argument r, quadrant in 0..3, reductionErr the relative error added by the
 * reduction.
 */
function sinCosDD(ax: number): void {
  let rh: number;
  let rl: number;
  if (ax <= 0.7853981633974483) {
    rh = ax;
    rl = 0;
    quadrant = 0;
    sc[RED_ERR] = 0;
  } else {
    // Cody–Waite: r = ax - k·(pi/2) with pi/2 in four pieces; k·PIO2_0 and the difference are
    // exact, the other products are exact double-doubles (Dekker), summed in double-double.
    const k = Math.round(ax * TWO_OVER_PI);
    const t0 = ax - k * PIO2_0;
    ddMulD(PIO2_1, 0, k); // exact: k < 2^21
    const a1 = dd[0]!;
    const b1 = dd[1]!;
    ddMulD(PIO2_2, 0, k);
    const a2 = dd[0]!;
    const b2 = dd[1]!;
    ddAddD(t0, 0, -a1);
    ddAddD(dd[0]!, dd[1]!, -b1);
    ddAddD(dd[0]!, dd[1]!, -a2);
    ddAddD(dd[0]!, dd[1]!, -(b2 + k * PIO2_3));
    rh = dd[0]!;
    rl = dd[1]!;
    quadrant = k & 3;
    // pi/2 is represented to about 2^-190; k times that, relative to r. Plus the sums' 2^-100.
    sc[RED_ERR] = (k * 2 ** -185) / (rh < 0 ? -rh : rh) + 2 ** -100;
  }
  // r = a + b with a = j/64 from the table and |b| <= 1/128 + tiny.
  const j = Math.round(rh * 64);
  const aj = j < 0 ? -j : j;
  const bh0 = rh - j / 64; // exact
  const bh = bh0 + rl;
  const bl = rl - (bh - bh0);
  ddMul(bh, bl, bh, bl);
  const zh = dd[0]!;
  const zl = dd[1]!;

  // sin b = b + b·z·(-1/6 + z/120 - z²/5040 + ...), tail in double.
  const sTail = -1 / 5040 + zh * (1 / 362880 + zh * (-1 / 39916800 + zh * (1 / 6227020800)));
  ddMulD(zh, zl, sTail);
  ddAdd(INV120_HI, INV120_LO, dd[0]!, dd[1]!);
  ddMul(zh, zl, dd[0]!, dd[1]!);
  ddAdd(-INV6_HI, -INV6_LO, dd[0]!, dd[1]!);
  const sph = dd[0]!;
  const spl = dd[1]!;
  ddMul(bh, bl, zh, zl);
  ddMul(dd[0]!, dd[1]!, sph, spl);
  ddAdd(bh, bl, dd[0]!, dd[1]!);
  const sbh = dd[0]!;
  const sbl = dd[1]!;

  // cos b = 1 + z·(-1/2 + z·(1/24 - z/720 + ...)), tail in double.
  const cTail = -1 / 720 + zh * (1 / 40320 + zh * (-1 / 3628800 + zh * (1 / 479001600)));
  ddMulD(zh, zl, cTail);
  ddAdd(INV24_HI, INV24_LO, dd[0]!, dd[1]!);
  ddMul(zh, zl, dd[0]!, dd[1]!);
  ddAddD(dd[0]!, dd[1]!, -0.5);
  ddMul(zh, zl, dd[0]!, dd[1]!);
  ddAddD(dd[0]!, dd[1]!, 1);
  const cbh = dd[0]!;
  const cbl = dd[1]!;

  if (j === 0) {
    sc[SIN_H] = sbh;
    sc[SIN_L] = sbl;
    sc[COS_H] = cbh;
    sc[COS_L] = cbl;
    return;
  }
  // sin(a+b) = sin a cos b + cos a sin b;  cos(a+b) = cos a cos b - sin a sin b.
  const sah = j < 0 ? -sinTableHi[aj]! : sinTableHi[aj]!;
  const sal = j < 0 ? -sinTableLo[aj]! : sinTableLo[aj]!;
  const cah = cosTableHi[aj]!;
  const cal = cosTableLo[aj]!;
  ddMul(sah, sal, cbh, cbl);
  const p1h = dd[0]!;
  const p1l = dd[1]!;
  ddMul(cah, cal, sbh, sbl);
  ddAdd(p1h, p1l, dd[0]!, dd[1]!);
  sc[SIN_H] = dd[0]!;
  sc[SIN_L] = dd[1]!;
  ddMul(cah, cal, cbh, cbl);
  const p2h = dd[0]!;
  const p2l = dd[1]!;
  ddMul(sah, sal, sbh, sbl);
  ddAdd(p2h, p2l, -dd[0]!, -dd[1]!);
  sc[COS_H] = dd[0]!;
  sc[COS_L] = dd[1]!;
}

/** Outputs of sinCos: [sin x, cos x]. */
export const sinCosOut = new Float64Array(2);

/**
 * sin(x) and cos(x), each correctly rounded, sharing one argument reduction: into
 * `sinCosOut` ([sin, cos]). Box–Muller needs both of the same angle.
 */
export function sinCos(x: number): void {
  const ax = x < 0 ? -x : x;
  if (!(ax <= 1.7976931348623157e308)) {
    sinCosOut[0] = NaN;
    sinCosOut[1] = NaN;
    return;
  }
  if (ax < 7.450580596923828e-9) {
    // sin x = x (1 - x²/6 + ...) and cos x = 1 - x²/2 + ...: below 2^-27 the corrections are
    // under half an ulp.
    sinCosOut[0] = x;
    sinCosOut[1] = 1;
    return;
  }
  if (ax > FAST_REDUCTION_LIMIT) {
    sinCosOut[0] = sinExact(x);
    sinCosOut[1] = cosExact(x);
    return;
  }
  initTables();
  sinCosDD(ax);
  // sin and cos of |x| from those of r, by quadrant.
  let sh: number, sl: number, ch: number, cl: number;
  switch (quadrant) {
    case 0:
      sh = sc[SIN_H]!;
      sl = sc[SIN_L]!;
      ch = sc[COS_H]!;
      cl = sc[COS_L]!;
      break;
    case 1:
      sh = sc[COS_H]!;
      sl = sc[COS_L]!;
      ch = -sc[SIN_H]!;
      cl = -sc[SIN_L]!;
      break;
    case 2:
      sh = -sc[SIN_H]!;
      sl = -sc[SIN_L]!;
      ch = -sc[COS_H]!;
      cl = -sc[COS_L]!;
      break;
    default:
      sh = -sc[COS_H]!;
      sl = -sc[COS_L]!;
      ch = sc[SIN_H]!;
      cl = sc[SIN_L]!;
  }
  const errBound = REL_ERR + 2 * sc[RED_ERR]!;
  sinCosOut[0] = roundsToHi(sh, sl, errBound) ? (x < 0 ? -sh : sh) : sinExact(x);
  sinCosOut[1] = roundsToHi(ch, cl, errBound) ? ch : cosExact(x);
}

/**
 * Sine, correctly rounded (round to nearest even). sin(±Infinity) and sin(NaN) are NaN.
 *
 * Example: `sin(1)` is 0.8414709848078965.
 */
export function sin(x: number): number {
  sinCos(x);
  return sinCosOut[0]!;
}

/**
 * Cosine, correctly rounded (round to nearest even). cos(±Infinity) and cos(NaN) are NaN.
 *
 * Example: `cos(1)` is 0.5403023058681398.
 */
export function cos(x: number): number {
  sinCos(x);
  return sinCosOut[1]!;
}
