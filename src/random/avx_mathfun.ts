/**
 * One lane of PyTorch's AVX2 `log256_ps` and `sincos256_ps` (aten/src/ATen/native/cpu/
 * avx_mathfun.h, Cephes-style float32 approximations), exactly as GCC compiles them into
 * Debian's libtorch_cpu (docs/pytorch-rng.md section 5.2): every step one float32 rounding,
 * except the multiply-adds the compiler fused, which are `fma32`.
 *
 * These are not good logarithms or sines (a few ulps off); they are PyTorch's, which is the
 * point: path V32 of randn uses them for every float32 tensor of 16 or more elements.
 */

import { float32Bits, float32FromBits } from "./ieee754.js";
import { fma32 } from "./fma.js";

const fround = Math.fround;

// Constants as float32 (the bit patterns are those of the spec's table).
const SQRTHF = float32FromBits(0x3f3504f3);
const P0 = float32FromBits(0x3d9021bb);
const P1 = float32FromBits(0xbdebd1b8);
const P2 = float32FromBits(0x3def251a);
const P3 = float32FromBits(0xbdfe5d4f);
const P4 = float32FromBits(0x3e11e9bf);
const P5 = float32FromBits(0xbe2aae50);
const P6 = float32FromBits(0x3e4cceac);
const P7 = float32FromBits(0xbe7ffffc);
const P8 = float32FromBits(0x3eaaaaaa);
const Q1 = float32FromBits(0xb95e8083);
const Q2 = float32FromBits(0x3f318000);
const FOPI = float32FromBits(0x3fa2f983);
const DP1 = float32FromBits(0xbf490000);
const DP2 = float32FromBits(0xb97da000);
const DP3 = float32FromBits(0xb3222169);
const C0 = float32FromBits(0x37ccf5ce);
const C1 = float32FromBits(0xbab6061a);
const C2 = float32FromBits(0x3d2aaaa5);
const S0 = float32FromBits(0xb94ca1f9);
const S1 = float32FromBits(0x3c08839e);
const S2 = float32FromBits(0xbe2aaaa3);
const MIN_NORM_POS = float32FromBits(0x00800000);

/**
 * log256_ps for one lane: natural log of a float32 a > 0 (the sampler passes a in (0, 1]).
 */
export function logAvx(a: number): number {
  if (a < MIN_NORM_POS) a = MIN_NORM_POS; // "cut off denormalized stuff"
  const bits = float32Bits(a);
  let e = (bits >>> 23) - 126; // exponent + 1, an exact small integer
  const m = float32FromBits((bits & 0x807fffff) | 0x3f000000); // mantissa in [0.5, 1)
  let v: number;
  if (m < SQRTHF) {
    e -= 1;
    v = fround(fround(m - 1) + m); // 2m - 1, exact
  } else {
    v = fround(m - 1); // exact
  }
  const z = fround(v * v);
  let y = P0;
  y = fma32(y, v, P1);
  y = fma32(y, v, P2);
  y = fma32(y, v, P3);
  y = fma32(y, v, P4);
  y = fma32(y, v, P5);
  y = fma32(y, v, P6);
  y = fma32(y, v, P7);
  y = fma32(y, v, P8);
  y = fround(y * v); // a product feeding a product: not fused
  y = fma32(y, z, fround(e * Q1));
  y = fround(y - z * 0.5); // z·0.5 is exact
  const r = fround(v + y);
  return fround(r + e * Q2); // e·Q2 is exact (fused in the binary, same result)
}

/** Results of sinCosAvx: [sin, cos]. */
export const sinCosAvxOut = new Float64Array(2);

/**
 * sincos256_ps for one lane: float32 sine and cosine of t (the sampler passes t in [0, 2π)),
 * into sinCosAvxOut.
 */
export function sinCosAvx(t: number): void {
  let signSin = t < 0 || Object.is(t, -0);
  const ax = t < 0 ? -t : t;
  // q = the octant, rounded up to even: (trunc(ax·4/π) + 1) & ~1.
  let q = Math.trunc(fround(ax * FOPI)) | 0;
  q = (q + 1) & ~1;
  const yq = q; // exact as float32 (a small integer)
  if (q & 4) signSin = !signSin;
  const useCosPolyForCos = (q & 2) === 0;
  const flipCos = (~(q - 2) & 4) !== 0;
  // x = ax - yq·π/4 in three fused steps ("extended precision modular arithmetic").
  let x = fma32(yq, DP1, ax);
  x = fma32(yq, DP2, x);
  x = fma32(yq, DP3, x);
  const z = fround(x * x);

  let c = fma32(C0, z, C1);
  c = fma32(c, z, C2);
  c = fround(z * c); // not fused
  c = fma32(c, z, -fround(z * 0.5)); // fused multiply-subtract
  c = fround(c + 1);

  let p = fma32(S0, z, S1);
  p = fma32(p, z, S2);
  p = fround(z * p); // not fused
  p = fma32(p, x, x);

  // Branch-free selection, kept literal: the masked-out term is +0, and the sums below round.
  const ps = useCosPolyForCos ? p : 0;
  const pc = useCosPolyForCos ? 0 : c;
  let sn = fround(pc + ps);
  let cs = fround(fround(p - ps) + fround(c - pc));
  if (signSin) sn = -sn;
  if (flipCos) cs = -cs;
  sinCosAvxOut[0] = sn;
  sinCosAvxOut[1] = cs;
}
