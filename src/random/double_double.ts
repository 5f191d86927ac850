/**
 * Double-double arithmetic: a value is hi + lo with |lo| <= ulp(hi)/2, about 106 bits.
 *
 * The algorithms are the classical ones (Dekker 1971; Joldes, Muller and Popescu, "Tight and
 * rigorous error bounds for basic building blocks of double-word arithmetic", 2017) without
 * FMA. Relative error bounds, u = 2^-53: add 3u², mul (dd·dd) 7u², mul (dd·double) 3u²,
 * div 15u². libm.ts budgets 2^-90 for a whole evaluation, far above their sum.
 *
 * Results go to the register `dd` (dd[0] = hi, dd[1] = lo; read them right after the call):
 * these run several times per random normal, and returning a fresh pair, or storing doubles in
 * module variables (which V8 boxes as heap numbers), costs more than the arithmetic.
 */

/** The result of the last double-double operation: [hi, lo]. */
export const dd = new Float64Array(2);

const SPLITTER = 134217729; // 2^27 + 1

/** (ah + al) + (bh + bl). */
export function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  let v = s - ah;
  let e = ah - (s - v) + (bh - v); // TwoSum(ah, bh)
  const t = al + bl;
  v = t - al;
  const f = al - (t - v) + (bl - v); // TwoSum(al, bl)
  e += t;
  const h = s + e;
  e -= h - s;
  e += f;
  const hi = h + e;
  dd[1] = e - (hi - h);
  dd[0] = hi;
}

/** (ah + al) + b. */
export function ddAddD(ah: number, al: number, b: number): void {
  const s = ah + b;
  const v = s - ah;
  let e = ah - (s - v) + (b - v);
  e += al;
  const h = s + e;
  dd[1] = e - (h - s);
  dd[0] = h;
}

/** (ah + al) · (bh + bl). */
export function ddMul(ah: number, al: number, bh: number, bl: number): void {
  const p = ah * bh;
  let t = SPLITTER * ah;
  const ahh = t - (t - ah);
  const ahl = ah - ahh;
  t = SPLITTER * bh;
  const bhh = t - (t - bh);
  const bhl = bh - bhh;
  let e = ahh * bhh - p + ahh * bhl + ahl * bhh + ahl * bhl;
  e += ah * bl + al * bh;
  const h = p + e;
  dd[1] = e - (h - p);
  dd[0] = h;
}

/** (ah + al) · b. */
export function ddMulD(ah: number, al: number, b: number): void {
  const p = ah * b;
  let t = SPLITTER * ah;
  const ahh = t - (t - ah);
  const ahl = ah - ahh;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  let e = ahh * bh - p + ahh * bl + ahl * bh + ahl * bl;
  e += al * b;
  const h = p + e;
  dd[1] = e - (h - p);
  dd[0] = h;
}

/** (ah + al) / (bh + bl). */
export function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q = ah / bh;
  // r = a - q·b, computed with the exact product q·bh.
  const p = q * bh;
  let t = SPLITTER * q;
  const qh = t - (t - q);
  const ql = q - qh;
  t = SPLITTER * bh;
  const bhh = t - (t - bh);
  const bhl = bh - bhh;
  const pe = qh * bhh - p + qh * bhl + ql * bhh + ql * bhl;
  // a - (p + pe + q·bl)
  const s = ah - p; // exact by Sterbenz: p is within a few ulps of ah
  const r = s - pe + al - q * bl;
  const q2 = r / bh;
  const h = q + q2;
  dd[1] = q2 - (h - q);
  dd[0] = h;
}
