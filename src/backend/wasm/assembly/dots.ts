// Dot-product kernels for a few rows of A times Wᵀ (nn.Linear on a small batch, inference with
// batch 1): W's rows are contiguous along k, so the sums run along them with no packing, which
// for so few rows would cost as much as the product.

import { EDGE, elemBytes, madd } from "./common";

@inline function sumLanes(v: v128): f32 {
  const pairs = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(pairs, 0) + f32x4.extract_lane(pairs, 1);
}

/**
 * c[j] = Σ_k x[k]·W[j, k] for one row x (contiguous) and the rows of W (`wRow` elements apart,
 * each contiguous): eight dot products at a time, four k per step.
 */
export function dotsOneRow(N: i32, K: i32, x: usize, w: usize, wRow: i32, c: usize): void {
  const K4 = K & ~3;
  for (let j = 0; j < N; j += 8) {
    const nr = min(8, N - j);
    // Past the last column, repeat it: the extra sums are computed and dropped.
    const w0 = w + elemBytes(j, wRow);
    const w1 = w + elemBytes(j + min(1, nr - 1), wRow);
    const w2 = w + elemBytes(j + min(2, nr - 1), wRow);
    const w3 = w + elemBytes(j + min(3, nr - 1), wRow);
    const w4 = w + elemBytes(j + min(4, nr - 1), wRow);
    const w5 = w + elemBytes(j + min(5, nr - 1), wRow);
    const w6 = w + elemBytes(j + min(6, nr - 1), wRow);
    const w7 = w + elemBytes(j + min(7, nr - 1), wRow);
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let s4 = f32x4.splat(0), s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0);
    for (let k = 0; k < K4; k += 4) {
      const at = <usize>k << 2;
      const xv = v128.load(x + at);
      s0 = madd(xv, v128.load(w0 + at), s0);
      s1 = madd(xv, v128.load(w1 + at), s1);
      s2 = madd(xv, v128.load(w2 + at), s2);
      s3 = madd(xv, v128.load(w3 + at), s3);
      s4 = madd(xv, v128.load(w4 + at), s4);
      s5 = madd(xv, v128.load(w5 + at), s5);
      s6 = madd(xv, v128.load(w6 + at), s6);
      s7 = madd(xv, v128.load(w7 + at), s7);
    }
    v128.store(EDGE, s0);
    v128.store(EDGE, s1, 16);
    v128.store(EDGE, s2, 32);
    v128.store(EDGE, s3, 48);
    v128.store(EDGE, s4, 64);
    v128.store(EDGE, s5, 80);
    v128.store(EDGE, s6, 96);
    v128.store(EDGE, s7, 112);
    for (let q = 0; q < nr; q++) {
      const wq = w + elemBytes(j + q, wRow);
      let sum = sumLanes(v128.load(EDGE + <usize>(q * 16)));
      for (let k = K4; k < K; k++) sum += f32.load(x + (<usize>k << 2)) * f32.load(wq + (<usize>k << 2));
      f32.store(c + elemBytes(j + q, 1), sum);
    }
  }
}

/**
 * C[i, j] = Σ_k A[i, k]·W[j, k] for 2 to 4 contiguous rows of A and the rows of W: a 4 × 2
 * block of dot products at a time (a missing row repeats the last one and is dropped).
 */
export function dotsFourRows(M: i32, N: i32, K: i32, a: usize, aRow: i32, w: usize, wRow: i32, c: usize, ldc: i32): void {
  const K4 = K & ~3;
  const a0 = a;
  const a1 = a + elemBytes(min(1, M - 1), aRow);
  const a2 = a + elemBytes(min(2, M - 1), aRow);
  const a3 = a + elemBytes(min(3, M - 1), aRow);
  for (let j = 0; j < N; j += 2) {
    const nr = min(2, N - j);
    const w0 = w + elemBytes(j, wRow);
    const w1 = w + elemBytes(j + nr - 1, wRow);
    let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
    let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
    for (let k = 0; k < K4; k += 4) {
      const at = <usize>k << 2;
      const v0 = v128.load(w0 + at);
      const v1 = v128.load(w1 + at);
      let x = v128.load(a0 + at);
      s00 = madd(x, v0, s00);
      s01 = madd(x, v1, s01);
      x = v128.load(a1 + at);
      s10 = madd(x, v0, s10);
      s11 = madd(x, v1, s11);
      x = v128.load(a2 + at);
      s20 = madd(x, v0, s20);
      s21 = madd(x, v1, s21);
      x = v128.load(a3 + at);
      s30 = madd(x, v0, s30);
      s31 = madd(x, v1, s31);
    }
    v128.store(EDGE, s00);
    v128.store(EDGE, s01, 16);
    v128.store(EDGE, s10, 32);
    v128.store(EDGE, s11, 48);
    v128.store(EDGE, s20, 64);
    v128.store(EDGE, s21, 80);
    v128.store(EDGE, s30, 96);
    v128.store(EDGE, s31, 112);
    for (let i = 0; i < M; i++) {
      const ai = a + elemBytes(i, aRow);
      for (let q = 0; q < nr; q++) {
        const wq = w + elemBytes(j + q, wRow);
        let sum = sumLanes(v128.load(EDGE + <usize>((i * 2 + q) * 16)));
        for (let k = K4; k < K; k++) sum += f32.load(ai + (<usize>k << 2)) * f32.load(wq + (<usize>k << 2));
        f32.store(c + elemBytes(i, ldc) + elemBytes(j + q, 1), sum);
      }
    }
  }
}
