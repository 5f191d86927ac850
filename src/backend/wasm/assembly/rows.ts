// One or two rows of A times a row-major B (x·W; the gradient g·W of nn.Linear on a batch of one
// or two): B's rows are read in place, as the packed kernel reads them for up to four rows, but
// without its 4-row tile, three quarters of whose multiply-adds would be on padding for one row.
//
// Each output is the chain that kernel's tile computes (gemm.ts `tile`): for each block of KC
// values of k, multiply-adds from zero in order of k, then the block's sum added to C after the
// first block; so the bits are those the row gets in a product of any number of rows. (The
// last columns, fewer than a vector, run the same lane operation on a vector of copies.)
// Blocks of outputs are sized for V8's registers as in ./dots.ts: 6 vectors for one row (6
// accumulators + 6 values loaded + 1), 2 × 4 for two rows (8 + 4 + 2).

import { madd } from "./common";

/**
 * C[i, j] (+)= Σ_{k < kc} A[i, k]·B[k, j] for the `mr` (1 or 2) rows of A at `a` (strides `aRow`,
 * `aCol` elements) and the kc rows of a row-major B at `b` (`bRow` elements apart), N columns;
 * C row-major with row stride `ldc`. `accumulate`: add to C (every block of k after the first).
 */
export function rowsTimesB(
  mr: i32, N: i32, kc: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, c: usize, ldc: i32, accumulate: bool,
): void {
  const aStep = <usize>aCol << 2;
  const bStep = <usize>bRow << 2;
  let j = 0;
  if (mr == 1) {
    for (; j + 24 <= N; j += 24) oneRow24(kc, a, aStep, b + (<usize>j << 2), bStep, c + (<usize>j << 2), accumulate);
  } else {
    const a1 = a + (<usize>aRow << 2);
    const c1 = c + (<usize>ldc << 2);
    for (; j + 16 <= N; j += 16) {
      twoRows16(kc, a, a1, aStep, b + (<usize>j << 2), bStep, c + (<usize>j << 2), c1 + (<usize>j << 2), accumulate);
    }
  }
  // The columns left: a vector at a time, then one at a time (its own chain, in lane 0).
  for (let i = 0; i < mr; i++) {
    const ai = a + <usize>i * (<usize>aRow << 2);
    const ci = c + <usize>i * (<usize>ldc << 2);
    let jj = j;
    for (; jj + 4 <= N; jj += 4) {
      let s = f32x4.splat(0);
      let pa = ai;
      let pb = b + (<usize>jj << 2);
      for (let k = 0; k < kc; k++) {
        s = madd(v128.load32_splat(pa), v128.load(pb), s);
        pa += aStep;
        pb += bStep;
      }
      const at = ci + (<usize>jj << 2);
      v128.store(at, accumulate ? f32x4.add(s, v128.load(at)) : s);
    }
    for (; jj < N; jj++) {
      let t = f32x4.splat(0);
      let pa = ai;
      let pb = b + (<usize>jj << 2);
      for (let k = 0; k < kc; k++) {
        t = madd(v128.load32_splat(pa), v128.load32_splat(pb), t);
        pa += aStep;
        pb += bStep;
      }
      const at = ci + (<usize>jj << 2);
      const v = f32x4.extract_lane(t, 0);
      f32.store(at, accumulate ? f32.load(at) + v : v);
    }
  }
}

function oneRow24(kc: i32, a: usize, aStep: usize, b: usize, bStep: usize, c: usize, accumulate: bool): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0), s4 = f32x4.splat(0), s5 = f32x4.splat(0);
  let pa = a;
  let pb = b;
  for (let k = 0; k < kc; k++) {
    const x = v128.load32_splat(pa);
    s0 = madd(x, v128.load(pb), s0);
    s1 = madd(x, v128.load(pb, 16), s1);
    s2 = madd(x, v128.load(pb, 32), s2);
    s3 = madd(x, v128.load(pb, 48), s3);
    s4 = madd(x, v128.load(pb, 64), s4);
    s5 = madd(x, v128.load(pb, 80), s5);
    pa += aStep;
    pb += bStep;
  }
  if (accumulate) {
    s0 = f32x4.add(s0, v128.load(c));
    s1 = f32x4.add(s1, v128.load(c, 16));
    s2 = f32x4.add(s2, v128.load(c, 32));
    s3 = f32x4.add(s3, v128.load(c, 48));
    s4 = f32x4.add(s4, v128.load(c, 64));
    s5 = f32x4.add(s5, v128.load(c, 80));
  }
  v128.store(c, s0);
  v128.store(c, s1, 16);
  v128.store(c, s2, 32);
  v128.store(c, s3, 48);
  v128.store(c, s4, 64);
  v128.store(c, s5, 80);
}

function twoRows16(
  kc: i32, a0: usize, a1: usize, aStep: usize, b: usize, bStep: usize, c0: usize, c1: usize, accumulate: bool,
): void {
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
  let p0 = a0;
  let p1 = a1;
  let pb = b;
  for (let k = 0; k < kc; k++) {
    const x0 = v128.load32_splat(p0);
    const x1 = v128.load32_splat(p1);
    let v = v128.load(pb);
    s00 = madd(x0, v, s00);
    s10 = madd(x1, v, s10);
    v = v128.load(pb, 16);
    s01 = madd(x0, v, s01);
    s11 = madd(x1, v, s11);
    v = v128.load(pb, 32);
    s02 = madd(x0, v, s02);
    s12 = madd(x1, v, s12);
    v = v128.load(pb, 48);
    s03 = madd(x0, v, s03);
    s13 = madd(x1, v, s13);
    p0 += aStep;
    p1 += aStep;
    pb += bStep;
  }
  if (accumulate) {
    s00 = f32x4.add(s00, v128.load(c0));
    s01 = f32x4.add(s01, v128.load(c0, 16));
    s02 = f32x4.add(s02, v128.load(c0, 32));
    s03 = f32x4.add(s03, v128.load(c0, 48));
    s10 = f32x4.add(s10, v128.load(c1));
    s11 = f32x4.add(s11, v128.load(c1, 16));
    s12 = f32x4.add(s12, v128.load(c1, 32));
    s13 = f32x4.add(s13, v128.load(c1, 48));
  }
  v128.store(c0, s00);
  v128.store(c0, s01, 16);
  v128.store(c0, s02, 32);
  v128.store(c0, s03, 48);
  v128.store(c1, s10);
  v128.store(c1, s11, 16);
  v128.store(c1, s12, 32);
  v128.store(c1, s13, 48);
}
