/**
 * erf, erfc and erfinv in binary64, correctly rounded but for rare hard cases (re-exported by
 * math.ts with the other scalar functions JavaScript's Math lacks).
 */

import { dd, ddAddD, ddDiv, ddMul, ddMulD } from "../../random/double_double.js";

// Each value is computed as a double-double (hi + lo, relative error about 2^-90 or better)
// and rounded once, so results are correctly rounded except where the true value lies within
// that error of a rounding boundary, and never more than an ulp off.
//
// erf on |x| < 2.5: the Maclaurin series 2/√π · Σ (-1)^n x^(2n+1) / (n!(2n+1)). Its terms
// peak near 16 at x = 2.5, so the alternating sum loses only ~4 of the ~106 bits, and
// erfc = 1 − erf there (4·10^-4) still keeps ~90.
// erfc on x >= 2.5: the even part of Laplace's continued fraction,
//   erfc x = 2x/√π · e^(-x²) / (2x²+1 − 1·2/(2x²+5 − 3·4/(2x²+9 − ...))),
// evaluated backwards from a depth that makes its truncation error below 2^-118 (10 + 440/x²
// levels, checked against mpmath on [2.4, 28]). e^(-x²) is a double-double exp of the exact
// square, so the ~745 units of x² cost no accuracy.
// The other cases are 1 − erf, 1 − erfc, 1 + erf and 2 − erfc in double-double.

/** 2/√π and √π/2 as double-doubles. */
const TWO_OVER_SQRT_PI_HI = 1.1283791670955126;
const TWO_OVER_SQRT_PI_LO = 1.533545961316588e-17;
const SQRT_PI_OVER_TWO_HI = 0.886226925452758;
const SQRT_PI_OVER_TWO_LO = -3.8332932499128993e-17;
const SQRT_PI = 1.7724538509055159;
const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
/** ln 2 = LN2_A + LN2_B + LN2_C to 106 bits, the first two with 42-bit significands. */
const LN2_A = split42(LN2_HI);
const LN2_B = split42(LN2_HI - LN2_A + LN2_LO);
const LN2_C = LN2_HI - LN2_A - LN2_B + LN2_LO;
/** Below this the Maclaurin series gives erf; above, the continued fraction gives erfc. */
const SERIES_LIMIT = 2.5;
const SERIES_CUTOFF = 2 ** -115;
const SPLITTER = 134217729; // 2^27 + 1, Dekker's split

/** x rounded to its leading 42 bits (Dekker's split with 2^11 + 1). */
function split42(x: number): number {
  const t = 2049 * x;
  return t - (t - x);
}

const pow2View = new DataView(new ArrayBuffer(8));

/** 2^k, exactly, for integer -1022 <= k <= 1023. */
function pow2(k: number): number {
  pow2View.setUint32(0, (k + 1023) << 20);
  pow2View.setUint32(4, 0);
  return pow2View.getFloat64(0);
}

/** 1/q as a double-double [hi, lo], from a 128-bit quotient (run once per table entry). */
function reciprocal(q: bigint): [number, number] {
  const shift = q.toString(2).length + 127;
  const scaled = (1n << BigInt(shift)) / q;
  const hi = Number(scaled);
  const lo = Number(scaled - BigInt(hi));
  const unit = pow2(-shift);
  return [hi * unit, lo * unit];
}

/** Double-double tables: (-1)^n / (n!(2n+1)) for the erf series, 1/n! for exp. */
const SERIES_HI: number[] = [];
const SERIES_LO: number[] = [];
const INV_FACT_HI: number[] = [];
const INV_FACT_LO: number[] = [];
{
  let factorial = 1n;
  for (let n = 0; n < 72; n++) {
    if (n > 0) factorial *= BigInt(n);
    const [hi, lo] = reciprocal(factorial * BigInt(2 * n + 1));
    SERIES_HI.push(n % 2 === 0 ? hi : -hi);
    SERIES_LO.push(n % 2 === 0 ? lo : -lo);
    if (n <= 10) {
      const [fh, fl] = reciprocal(factorial);
      INV_FACT_HI.push(fh);
      INV_FACT_LO.push(fl);
    }
  }
}

/** The power of two that scales the last result of ddExp / erfcLarge. */
let ddScale = 0;

/**
 * e^(ah + al) for -760 < ah <= 0, as (dd[0] + dd[1])·2^ddScale so that the far tail keeps full
 * precision where e^(ah + al) alone would be subnormal.
 */
function ddExp(ah: number, al: number): void {
  const k = Math.round(ah / LN2_HI);
  // r = a − k·ln2 with k·LN2_A and k·LN2_B exact (|k| < 2^11) and a − k·LN2_A exact (Sterbenz).
  const r1 = ah - k * LN2_A;
  const kb = k * LN2_B;
  let sh = r1 - kb;
  let v = sh - r1;
  let sl = r1 - (sh - v) - (kb + v) + al - k * LN2_C;
  // e^r = (e^(r/256))^256, and at |r/256| < 2^-9.5 the Taylor series needs ten terms, the
  // last six (below 2^-54 of the sum) in plain doubles.
  const rh = sh / 256;
  const rl = sl / 256;
  let q = INV_FACT_HI[10]!;
  for (let i = 9; i >= 5; i--) q = INV_FACT_HI[i]! + rh * q;
  let t = SPLITTER * rh;
  const rhh = t - (t - rh);
  const rhl = rh - rhh;
  let ph = q;
  let pl = 0;
  for (let i = 4; i >= 0; i--) {
    // p ← p·r + 1/i!, the last pass (i = 0) only multiplying: p = e^(r/256) − 1.
    t = SPLITTER * ph;
    const phh = t - (t - ph);
    const phl = ph - phh;
    const m = ph * rh;
    const me = phh * rhh - m + phh * rhl + phl * rhh + phl * rhl + (ph * rl + pl * rh);
    if (i === 0) {
      ph = m + me;
      pl = me - (ph - m);
      break;
    }
    const c = INV_FACT_HI[i]!;
    sh = m + c;
    v = sh - m;
    sl = m - (sh - v) + (c - v) + me + INV_FACT_LO[i]!;
    ph = sh + sl;
    pl = sl - (ph - sh);
  }
  // Square eight times as p ← p·(p + 2), which keeps the small e^s − 1 relatively accurate.
  for (let i = 0; i < 8; i++) {
    const uh = 2 + ph;
    const ul = ph - (uh - 2) + pl;
    t = SPLITTER * ph;
    const phh = t - (t - ph);
    const phl = ph - phh;
    t = SPLITTER * uh;
    const uhh = t - (t - uh);
    const uhl = uh - uhh;
    const m = ph * uh;
    const me = phh * uhh - m + phh * uhl + phl * uhh + phl * uhl + (ph * ul + pl * uh);
    ph = m + me;
    pl = me - (ph - m);
  }
  const h = 1 + ph;
  const e = ph - (h - 1) + pl;
  dd[0] = h + e;
  dd[1] = e - (dd[0] - h);
  ddScale = k;
}

/**
 * rn((hi + lo)·2^k) for k <= 0 and |hi| >= 2^-122, with hi = rn(hi + lo). Scaling hi alone is
 * exact unless the result is subnormal; there hi is rounded to the subnormal grid, which can
 * disagree with rounding hi + lo only when hi is exactly halfway and lo breaks the tie.
 */
function roundScaled(hi: number, lo: number, k: number): number {
  if (k >= -900) return hi * pow2(k);
  let r = hi * pow2(-900) * pow2(k + 900);
  if (Math.abs(r) >= pow2(-1022)) return r;
  const back = r * pow2(900) * pow2(-k - 900);
  const d = hi - back;
  if (lo !== 0 && Math.abs(d) === pow2(-1075 - k) && d > 0 === lo > 0) {
    r += d > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  }
  return r;
}

/** erf(x) for 2^-900 <= x < SERIES_LIMIT into dd (Maclaurin series in x²). */
function erfSeries(x: number): void {
  ddMulD(x, 0, x);
  const x2h = dd[0]!;
  const x2l = dd[1]!;
  // Terms below 2^-115 of the sum (which is at least 0.35) change nothing.
  let n = 1;
  for (let m = x2h; n < SERIES_HI.length && Math.abs(SERIES_HI[n]!) * m >= SERIES_CUTOFF; m *= x2h) n++;
  // Horner's rule p ← p·x² + c in double-double, written out: this loop is most of erf's cost.
  let t = SPLITTER * x2h;
  const xh = t - (t - x2h);
  const xl = x2h - xh;
  let ph = SERIES_HI[n - 1]!;
  let pl = SERIES_LO[n - 1]!;
  for (let i = n - 2; i >= 0; i--) {
    t = SPLITTER * ph;
    const phh = t - (t - ph);
    const phl = ph - phh;
    const m = ph * x2h;
    const me = phh * xh - m + phh * xl + phl * xh + phl * xl + (ph * x2l + pl * x2h);
    const c = SERIES_HI[i]!;
    const s = m + c;
    const v = s - m;
    const se = m - (s - v) + (c - v) + me + SERIES_LO[i]!;
    ph = s + se;
    pl = se - (ph - s);
  }
  ddMul(ph, pl, TWO_OVER_SQRT_PI_HI, TWO_OVER_SQRT_PI_LO);
  ddMulD(dd[0]!, dd[1]!, x);
}

/** erfc(x) for SERIES_LIMIT <= x < 27.3 as (dd[0] + dd[1])·2^ddScale (continued fraction). */
function erfcLarge(x: number): void {
  ddMulD(x, 0, x);
  const x2h = 2 * dd[0]!;
  const x2l = 2 * dd[1]!;
  const depth = Math.ceil(10 + 880 / x2h);
  ddAddD(x2h, x2l, 4 * depth + 1);
  let th = dd[0]!;
  let tl = dd[1]!;
  // t ← (2x² + 4n − 3) − a/t with a = (2n−1)·2n, in double-double, written out.
  for (let n = depth; n >= 1; n--) {
    const a = (2 * n - 1) * (2 * n);
    const q = a / th;
    // a − q·(th + tl) exactly enough: q·th splits into p + pe; a − p is exact (p ≈ a).
    let t = SPLITTER * q;
    const qh = t - (t - q);
    const ql = q - qh;
    t = SPLITTER * th;
    const thh = t - (t - th);
    const thl = th - thh;
    const p = q * th;
    const pe = qh * thh - p + qh * thl + ql * thh + ql * thl;
    const q2 = (a - p - pe - q * tl) / th;
    // (4n − 3 − q) + 2x², TwoSum for each leading pair, then the small parts.
    const b = 4 * n - 3;
    const s1 = b - q;
    let v = s1 - b;
    const e1 = b - (s1 - v) - (q + v);
    const s2 = s1 + x2h;
    v = s2 - s1;
    const e2 = s1 - (s2 - v) + (x2h - v);
    const lo = e1 + e2 + x2l - q2;
    th = s2 + lo;
    tl = lo - (th - s2);
  }
  ddMulD(TWO_OVER_SQRT_PI_HI, TWO_OVER_SQRT_PI_LO, x);
  ddDiv(dd[0]!, dd[1]!, th, tl);
  const fh = dd[0]!;
  const fl = dd[1]!;
  ddExp(-x2h / 2, -x2l / 2);
  ddMul(fh, fl, dd[0]!, dd[1]!);
}

/** erfc(x) for 2^-900 <= x < 27.3 as (dd[0] + dd[1])·2^ddScale. */
function erfcDD(x: number): void {
  if (x >= SERIES_LIMIT) return erfcLarge(x);
  erfSeries(x);
  ddAddD(-dd[0]!, -dd[1]!, 1);
  ddScale = 0;
}

/**
 * The error function of one binary64 value (the scalar kernel of torch.erf).
 *
 * erf(x) = 2/√π ∫₀ˣ e^(−t²) dt
 *
 * Correctly rounded but for rare hard cases, never off by more than an ulp; erf(±0) = ±0,
 * erf(±∞) = ±1.
 *
 * Example: `erf(0.5)` is 0.5204998778130465.
 */
export function erf(x: number): number {
  if (Number.isNaN(x) || x === 0) return x;
  const a = Math.abs(x);
  let r: number;
  if (a < 2 ** -900) {
    // 2/√π·a (a² is below 2^-1800 of it), scaled up so that the product's low half and a
    // subnormal result keep their bits.
    ddMulD(TWO_OVER_SQRT_PI_HI, TWO_OVER_SQRT_PI_LO, a * pow2(1000) * pow2(74));
    r = roundScaled(dd[0]!, dd[1]!, -1074);
  } else if (a < SERIES_LIMIT) {
    erfSeries(a);
    r = dd[0]!;
  } else if (a < 6) {
    // erfc(6) < 2^-54: from 6 on, 1 − erfc rounds to 1.
    erfcLarge(a);
    const s = pow2(ddScale);
    ddAddD(-dd[0]! * s, -dd[1]! * s, 1);
    r = dd[0]!;
  } else {
    r = 1;
  }
  return x < 0 ? -r : r;
}

/**
 * The complementary error function of one binary64 value (the scalar kernel of torch.erfc).
 *
 * erfc(x) = 1 − erf(x) = 2/√π ∫ₓ^∞ e^(−t²) dt
 *
 * Accurate in the tail, where 1 − erf(x) would cancel: erfc(x) is subnormal from x ≈ 26.543 and
 * 0 from x ≈ 27.226. Correctly rounded but for rare hard cases, never off by more than an ulp.
 *
 * Example: `erfc(10)` is 2.088487583762545e-45.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  // erf(a) < 2^-59 rounds away next to 1.
  if (a < 2 ** -60) return 1;
  if (a < SERIES_LIMIT) {
    erfSeries(a);
    if (x < 0) ddAddD(dd[0]!, dd[1]!, 1);
    else ddAddD(-dd[0]!, -dd[1]!, 1);
    return dd[0]!;
  }
  if (x < 0) {
    // erfc(6) < 2^-53: from −6 down, 2 − erfc rounds to 2.
    if (a >= 6) return 2;
    erfcLarge(a);
    const s = pow2(ddScale);
    ddAddD(-dd[0]! * s, -dd[1]! * s, 2);
    return dd[0]!;
  }
  if (a >= 27.3) return 0;
  erfcLarge(a);
  return roundScaled(dd[0]!, dd[1]!, ddScale);
}

/**
 * The inverse error function of one binary64 value, erfinv(erf(x)) = x (the scalar kernel of
 * torch.erfinv).
 *
 * Defined on [−1, 1]: erfinv(±1) = ±∞, NaN outside. Within an ulp of the true value (correctly
 * rounded but for rare hard cases), including next to ±1, where PyTorch's own is several ulps
 * off.
 *
 * Example: `erfinv(0.5)` is 0.4769362762044699.
 */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 0) return y;
  const a = Math.abs(y);
  if (a === 1) return y * Infinity;
  const x = a < 2 ** -26 ? erfinvSmall(a) : erfinvHalley(a);
  return y < 0 ? -x : x;
}

/** erfinv(a) = √π/2·a·(1 + π/12·a² + O(a⁴)) for 0 < a < 2^-26, where a⁴ is below 2^-104. */
function erfinvSmall(a: number): number {
  if (a < 2 ** -900) {
    // Scaled up as in erf, for the product's low half and a subnormal result.
    ddMulD(SQRT_PI_OVER_TWO_HI, SQRT_PI_OVER_TWO_LO, a * pow2(1000) * pow2(74));
    return roundScaled(dd[0]!, dd[1]!, -1074);
  }
  ddAddD(SQRT_PI_OVER_TWO_HI, SQRT_PI_OVER_TWO_LO, SQRT_PI_OVER_TWO_HI * (Math.PI / 12) * a * a);
  ddMulD(dd[0]!, dd[1]!, a);
  return dd[0]!;
}

/**
 * erfinv(a) for 2^-26 <= a < 1: a first guess good to 2^-16 or better, refined by Halley steps
 * (cubic, so two steps in practice: the second only confirms). The residual a − erf(x) is taken
 * in double-double, as erfc(x) − (1 − a) above 1/2 (1 − a is exact there), so the last step, a
 * few ulps at most, lands on the correctly rounded root.
 */
function erfinvHalley(a: number): number {
  let x = 1 - a < 2 ** -25 ? erfinvTailGuess(1 - a) : erfinvGuess(a);
  for (let i = 0; i < 8; i++) {
    let residual: number;
    if (a <= 0.5) {
      erfSeries(x);
      ddAddD(-dd[0]!, -dd[1]!, a);
      residual = dd[0]!;
    } else {
      erfcDD(x);
      const s = pow2(ddScale);
      ddAddD(dd[0]! * s, dd[1]! * s, -(1 - a));
      residual = dd[0]!;
    }
    // Newton's step r/erf'(x), then Halley's correction for erf'' = −2x·erf'.
    const newton = residual * SQRT_PI_OVER_TWO_HI * Math.exp(x * x);
    const step = newton / (1 - x * newton);
    x += step;
    if (Math.abs(step) <= 2 ** -40 * x) break;
  }
  return x;
}

/** Giles's single-precision erfinv, good to about 2^-23 while 1 − a >= 2^-25. */
function erfinvGuess(a: number): number {
  let w = -Math.log((1 - a) * (1 + a));
  let p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  return p * a;
}

/**
 * erfinv(1 − ε) for ε < 2^-25, where Giles's fit no longer holds, to about 2^-16: the root of
 * the asymptotic erfc x ≈ e^(−x²)/(x√π)·(1 − 1/(2x²) + 3/(4x⁴)) by fixed-point iteration on x².
 */
function erfinvTailGuess(eps: number): number {
  const l = -Math.log(eps);
  let x = Math.sqrt(l);
  for (let i = 0; i < 4; i++) {
    const r = 1 / (x * x);
    x = Math.sqrt(l - Math.log(x * SQRT_PI) + Math.log1p(r * (0.75 * r - 0.5)));
  }
  return x;
}
