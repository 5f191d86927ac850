// Dot-product kernels for a few rows of A times Wᵀ (nn.Linear on a small batch, inference with
// batch 1): W's rows are contiguous along k, so the sums run along them with no packing, which
// for so few rows would cost as much as the product.
//
// Every output is summed in one order, whichever kernel and block it falls in: lane l of a
// vector accumulator adds A[i, k]·W[j, k] for k ≡ l (mod 4) over the first K & ~3 values of k, in
// order; the lanes are added as (l0 + l2) + (l1 + l3); then the last K % 4 products one by one.
// So a row's result does not depend on how many rows came with it.
//
// How the loops are written matters to V8's optimizing compiler, which keeps each loop's loads
// ahead of its multiply-adds: a block of outputs needs a register per accumulator and per value
// loaded in one step, 15 at most (16 xmm registers, one kept as scratch). Blocks of 8 outputs
// (8 + 9) spilled an accumulator to the stack on every step, and the row pointers computed as
// base + offset ran out of general registers and were reloaded from the stack each step: the
// one-row kernel ran at 9 GFLOP/s (Linear(784, 64) on one row: 10.7 µs). Now the blocks are 6 × 1,
// 2 × 4 and 4 × 2 (at most 6 + 7 and 8 + 6 registers) and each row pointer steps by itself.

import { EDGE, elemBytes, madd, park8 } from "./common";

@inline function sumLanes(v: v128): f32 {
  const pairs = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(pairs, 0) + f32x4.extract_lane(pairs, 1);
}

/** `rows` at `w`, `rowBytes` apart, the last repeated past `valid`: the address of row q. */
@inline function rowAt(w: usize, rowBytes: usize, q: i32, valid: i32): usize {
  return w + rowBytes * <usize>min(q, valid - 1);
}

/**
 * Finishes the `mr` × `nr` valid outputs of a block whose accumulators were parked at EDGE, one
 * vector per output in row-major order of a block `nb` columns wide: sums the lanes, adds the
 * K % 4 products left, stores C[i, j].
 */
@inline function finish(
  mr: i32, nr: i32, nb: i32, K: i32, a: usize, aRowBytes: usize, w: usize, wRowBytes: usize, c: usize, ldcBytes: usize,
): void {
  const K4 = K & ~3;
  for (let i = 0; i < mr; i++) {
    const ai = a + <usize>i * aRowBytes;
    for (let q = 0; q < nr; q++) {
      const wq = w + <usize>q * wRowBytes;
      let sum = sumLanes(v128.load(EDGE + <usize>((i * nb + q) * 16)));
      for (let k = K4; k < K; k++) sum += f32.load(ai + (<usize>k << 2)) * f32.load(wq + (<usize>k << 2));
      f32.store(c + <usize>i * ldcBytes + (<usize>q << 2), sum);
    }
  }
}

/**
 * c[j] = Σ_k x[k]·W[j, k] for one row x (contiguous) and the rows of W (`wRow` elements apart,
 * each contiguous): six dot products at a time, four k per step.
 */
export function dotsOneRow(N: i32, K: i32, x: usize, w: usize, wRow: i32, c: usize): void {
  const kBytes = <usize>(K & ~3) << 2;
  const rowBytes = <usize>wRow << 2;
  for (let j = 0; j < N; j += 6) {
    const nr = min(6, N - j);
    const wj = w + elemBytes(j, wRow);
    // Past the last column, repeat it: the extra sums are computed and dropped.
    let p0 = wj;
    let p1 = rowAt(wj, rowBytes, 1, nr);
    let p2 = rowAt(wj, rowBytes, 2, nr);
    let p3 = rowAt(wj, rowBytes, 3, nr);
    let p4 = rowAt(wj, rowBytes, 4, nr);
    let p5 = rowAt(wj, rowBytes, 5, nr);
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0), s4 = f32x4.splat(0), s5 = f32x4.splat(0);
    const end = x + kBytes;
    for (let px = x; px < end; px += 16) {
      const xv = v128.load(px);
      s0 = madd(xv, v128.load(p0), s0);
      s1 = madd(xv, v128.load(p1), s1);
      s2 = madd(xv, v128.load(p2), s2);
      s3 = madd(xv, v128.load(p3), s3);
      s4 = madd(xv, v128.load(p4), s4);
      s5 = madd(xv, v128.load(p5), s5);
      p0 += 16;
      p1 += 16;
      p2 += 16;
      p3 += 16;
      p4 += 16;
      p5 += 16;
    }
    v128.store(EDGE, s0);
    v128.store(EDGE, s1, 16);
    v128.store(EDGE, s2, 32);
    v128.store(EDGE, s3, 48);
    v128.store(EDGE, s4, 64);
    v128.store(EDGE, s5, 80);
    finish(1, nr, 6, K, x, 0, wj, rowBytes, c + elemBytes(j, 1), 0);
  }
}

/**
 * C[i, j] = Σ_k A[i, k]·W[j, k] for 2 to 4 contiguous rows of A and the rows of W: blocks of
 * 2 × 4 outputs for two rows, 4 × 2 for three or four (a missing row repeats the last one and is
 * dropped).
 */
export function dotsFourRows(M: i32, N: i32, K: i32, a: usize, aRow: i32, w: usize, wRow: i32, c: usize, ldc: i32): void {
  if (M == 2) dotsTwoRows(N, K, a, aRow, w, wRow, c, ldc);
  else dotsRows4x2(M, N, K, a, aRow, w, wRow, c, ldc);
}

function dotsRows4x2(M: i32, N: i32, K: i32, a: usize, aRow: i32, w: usize, wRow: i32, c: usize, ldc: i32): void {
  const kBytes = <usize>(K & ~3) << 2;
  const aRowBytes = <usize>aRow << 2;
  const rowBytes = <usize>wRow << 2;
  const a1 = rowAt(a, aRowBytes, 1, M);
  const a2 = rowAt(a, aRowBytes, 2, M);
  const a3 = rowAt(a, aRowBytes, 3, M);
  for (let j = 0; j < N; j += 2) {
    const nr = min(2, N - j);
    const wj = w + elemBytes(j, wRow);
    let p0 = wj;
    let p1 = rowAt(wj, rowBytes, 1, nr);
    let q0 = a, q1 = a1, q2 = a2, q3 = a3;
    let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
    let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
    const end = wj + kBytes;
    for (; p0 < end; p0 += 16) {
      const v0 = v128.load(p0);
      const v1 = v128.load(p1);
      let x = v128.load(q0);
      s00 = madd(x, v0, s00);
      s01 = madd(x, v1, s01);
      x = v128.load(q1);
      s10 = madd(x, v0, s10);
      s11 = madd(x, v1, s11);
      x = v128.load(q2);
      s20 = madd(x, v0, s20);
      s21 = madd(x, v1, s21);
      x = v128.load(q3);
      s30 = madd(x, v0, s30);
      s31 = madd(x, v1, s31);
      p1 += 16;
      q0 += 16;
      q1 += 16;
      q2 += 16;
      q3 += 16;
    }
    park8(s00, s01, s10, s11, s20, s21, s30, s31);
    finish(M, nr, 2, K, a, aRowBytes, wj, rowBytes, c + elemBytes(j, 1), <usize>ldc << 2);
  }
}

function dotsTwoRows(N: i32, K: i32, a: usize, aRow: i32, w: usize, wRow: i32, c: usize, ldc: i32): void {
  const kBytes = <usize>(K & ~3) << 2;
  const aRowBytes = <usize>aRow << 2;
  const rowBytes = <usize>wRow << 2;
  const a1 = a + aRowBytes;
  for (let j = 0; j < N; j += 4) {
    const nr = min(4, N - j);
    const wj = w + elemBytes(j, wRow);
    let p0 = wj;
    let p1 = rowAt(wj, rowBytes, 1, nr);
    let p2 = rowAt(wj, rowBytes, 2, nr);
    let p3 = rowAt(wj, rowBytes, 3, nr);
    let q0 = a, q1 = a1;
    let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
    let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
    const end = a + kBytes;
    for (; q0 < end; q0 += 16) {
      const x0 = v128.load(q0);
      const x1 = v128.load(q1);
      let v = v128.load(p0);
      s00 = madd(x0, v, s00);
      s10 = madd(x1, v, s10);
      v = v128.load(p1);
      s01 = madd(x0, v, s01);
      s11 = madd(x1, v, s11);
      v = v128.load(p2);
      s02 = madd(x0, v, s02);
      s12 = madd(x1, v, s12);
      v = v128.load(p3);
      s03 = madd(x0, v, s03);
      s13 = madd(x1, v, s13);
      q1 += 16;
      p0 += 16;
      p1 += 16;
      p2 += 16;
      p3 += 16;
    }
    park8(s00, s01, s02, s03, s10, s11, s12, s13);
    finish(2, nr, 4, K, a, aRowBytes, wj, rowBytes, c + elemBytes(j, 1), <usize>ldc << 2);
  }
}
