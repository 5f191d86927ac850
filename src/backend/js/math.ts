/**
 * Scalar functions that JavaScript's Math lacks, with PyTorch's semantics: round half to even,
 * Python's floor division and modulo, erf, erfc, erfinv.
 */

/** torch.round: halves go to the even neighbour (0.5 -> 0, 1.5 -> 2, -2.5 -> -2). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  // Math.round sends halves up; pull a half that landed on an odd number back down.
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r;
}

/** Python's float `a // b`: floor of the exact quotient, computed through fmod like CPython. */
export function floorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) {
    // copysign(0, a / b): the quotient's sign, -0 included.
    const q = a / b;
    return q < 0 || Object.is(q, -0) ? -0 : 0;
  }
  const floordiv = Math.floor(div);
  return div - floordiv > 0.5 ? floordiv + 1 : floordiv;
}

/** Python's float `a % b`: the result takes the divisor's sign. */
export function remainder(a: number, b: number): number {
  const mod = a % b;
  if (mod !== 0 && b < 0 !== mod < 0) return mod + b;
  return mod;
}

// ---- erf, erfc, erfinv ------------------------------------------------------------------------
//
// erf and erfc follow the algorithm of Sun's fdlibm (s_erf.c, "Copyright (C) 1993 by Sun
// Microsystems, Inc. Developed at SunPro, a Sun Microsystems, Inc. business. Permission to use,
// copy, modify, and distribute this software is freely granted, provided that this notice is
// preserved."), from which most C libraries' erf descends: rational approximations on four
// ranges, under one ulp. Its coefficients are below.

const ERX = 8.45062911510467529297e-1;
const EFX = 1.28379167095512586316e-1;
const EFX8 = 1.02703333676410069053e0;
// erf on [0, 0.84375]: x + x·PP(x²)/QQ(x²)
const PP = [1.28379167095512558561e-1, -3.2504210724700149937e-1, -2.84817495755985104766e-2,
  -5.77027029648944159157e-3, -2.37630166566501626084e-5];
const QQ = [1, 3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3,
  1.32494738004321644526e-4, -3.9602282787753681232e-6];
// erf on [0.84375, 1.25]: erx + PA(s)/QA(s), s = |x| - 1
const PA = [-2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1,
  3.18346619901161753674e-1, -1.10894694282396677476e-1, 3.54783043256182359371e-2,
  -2.166375594868790843e-3];
const QA = [1, 1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2,
  1.26171219808761642112e-1, 1.36370839120290507362e-2, 1.1984499846799107417e-2];
// erfc on [1.25, 1/0.35] and [1/0.35, 28]: exp(-x² - 0.5625 + R(1/x²)/S(1/x²)) / x
const RA = [-9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1,
  -6.23753324503260060396e1, -1.62396669462573470355e2, -1.84605092906711035994e2,
  -8.12874355063065934246e1, -9.81432934416914548592e0];
const SA = [1, 1.96512716674392571292e1, 1.376577541435190426e2, 4.34565877475229228821e2,
  6.45387271733267880336e2, 4.29008140027567833386e2, 1.08635005541779435134e2,
  6.57024977031928170135e0, -6.04244152148580987438e-2];
const RB = [-9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1,
  -1.60636384855821916062e2, -6.37566443368389627722e2, -1.02509513161107724954e3,
  -4.83519191608651397019e2];
const SB = [1, 3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3,
  3.19985821950859553908e3, 2.55305040643316442583e3, 4.74528541206955367215e2,
  -2.24409524465858183362e1];

function poly(c: readonly number[], x: number): number {
  let acc = c[c.length - 1]!;
  for (let i = c.length - 2; i >= 0; i--) acc = c[i]! + x * acc;
  return acc;
}

const words = new Float64Array(1);
const wordsU32 = new Uint32Array(words.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: word 1

/** The high 32 bits of |x|, which fdlibm compares its ranges against. */
function highWord(x: number): number {
  words[0] = x;
  return wordsU32[HI]! & 0x7fffffff;
}

/** e^(-x²)·e^(R/S - 0.5625) / x without the error of rounding x² (x is split at 32 bits). */
function erfcTail(ax: number, ix: number): number {
  const s = 1 / (ax * ax);
  const rs = ix < 0x4006db6e ? poly(RA, s) / poly(SA, s) : poly(RB, s) / poly(SB, s);
  words[0] = ax;
  wordsU32[1 - HI] = 0;
  const z = words[0];
  return (Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + rs)) / ax;
}

/** erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ix = highWord(x);
  const ax = Math.abs(x);
  if (ix < 0x3feb0000) {
    if (ix < 0x3e300000) return ix < 0x00800000 ? 0.125 * (8 * x + EFX8 * x) : x + EFX * x;
    const z = x * x;
    return x + x * (poly(PP, z) / poly(QQ, z));
  }
  if (ix < 0x3ff40000) {
    const pq = poly(PA, ax - 1) / poly(QA, ax - 1);
    return x < 0 ? -ERX - pq : ERX + pq;
  }
  if (ix >= 0x40180000) return x < 0 ? -1 : 1;
  const r = erfcTail(ax, ix);
  return x < 0 ? r - 1 : 1 - r;
}

/** erfc(x) = 1 − erf(x), without the cancellation for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  const ix = highWord(x);
  const ax = Math.abs(x);
  if (ix < 0x3feb0000) {
    if (ix < 0x3c700000) return 1 - x;
    const z = x * x;
    const y = poly(PP, z) / poly(QQ, z);
    // Below 1/4 directly; above, as 1/2 - (x·y + (x - 1/2)) to keep the low bits.
    return x < 0.25 ? 1 - (x + x * y) : 0.5 - (x * y + (x - 0.5));
  }
  if (ix < 0x3ff40000) {
    const pq = poly(PA, ax - 1) / poly(QA, ax - 1);
    return x >= 0 ? 1 - ERX - pq : 1 + (ERX + pq);
  }
  if (ix < 0x403c0000) {
    if (x < 0 && ix >= 0x40180000) return 2;
    const r = erfcTail(ax, ix);
    return x > 0 ? r : 2 - r;
  }
  return x > 0 ? 0 : 2;
}

/**
 * erfinv(y) on [-1, 1]: an initial rational guess (Giles, "Approximating the erfinv function",
 * single precision) refined by Newton steps. The residual is y − erf(x) for |y| < 1/2 and
 * erfc(x) − (1 − |y|) above, where 1 − |y| is exact: erf is flat next to ±1, and its error
 * there would swamp the step. The result is within an ulp or two of the true value; PyTorch's
 * own (Newton on erf alone) is several ulps off next to ±1.
 */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
    x = p * y;
  }
  const a = Math.abs(y);
  x = Math.abs(x);
  for (let i = 0; i < 3; i++) {
    const residual = a < 0.5 ? a - erf(x) : erfc(x) - (1 - a);
    x += residual / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  }
  return y < 0 ? -x : x;
}
