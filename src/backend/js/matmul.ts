/**
 * The JS backend's batched matrix product: the plain triple loop, ordered i-k-j so the inner
 * loop walks a row of b and of the output, accumulating each output row in binary64.
 */

import type { StridedView } from "../backend.js";
import { dataOf } from "./storage.js";
import { binary } from "./elementwise.js";

export function matmul(out: StridedView, a: StridedView, b: StridedView): void {
  const nd = out.shape.length;
  const M = out.shape[nd - 2]!;
  const N = out.shape[nd - 1]!;
  const K = a.shape[nd - 1]!;
  const aRow = a.strides[nd - 2]!;
  const aCol = a.strides[nd - 1]!;
  const bRow = b.strides[nd - 2]!;
  const bCol = b.strides[nd - 1]!;
  const oRow = out.strides[nd - 2]!;
  const oCol = out.strides[nd - 1]!;
  const x = dataOf(a) as Float32Array | Float64Array | Int32Array;
  const y = dataOf(b) as Float32Array | Float64Array | Int32Array;
  const o = dataOf(out) as Float32Array | Float64Array | Int32Array;
  if (x instanceof BigInt64Array) return matmulInt64(out, a, b);
  if (nd === 2) return matmul2d(o, out.offset, oRow, oCol, x, a.offset, aRow, aCol, y, b.offset, bRow, bCol, M, N, K);
  const batchShape: number[] = [];
  let batches = 1;
  for (let d = 0; d < nd - 2; d++) {
    batchShape.push(out.shape[d]!);
    batches *= out.shape[d]!;
  }
  const counter = new Array<number>(batchShape.length).fill(0);
  for (let bi = 0; bi < batches; bi++) {
    let pa = a.offset;
    let pb = b.offset;
    let po = out.offset;
    for (let d = 0; d < batchShape.length; d++) {
      pa += counter[d]! * a.strides[d]!;
      pb += counter[d]! * b.strides[d]!;
      po += counter[d]! * out.strides[d]!;
    }
    matmul2d(o, po, oRow, oCol, x, pa, aRow, aCol, y, pb, bRow, bCol, M, N, K);
    for (let d = batchShape.length - 1; d >= 0; d--) {
      if (++counter[d]! < batchShape[d]!) break;
      counter[d] = 0;
    }
  }
}

type NumberArray = Float32Array | Float64Array | Int32Array;

/** One product of the 2-D case (most calls: Linear's), without the batch walk's allocations. */
function matmul2d(
  o: NumberArray, po: number, oRow: number, oCol: number,
  x: NumberArray, pa: number, aRow: number, aCol: number,
  y: NumberArray, pb: number, bRow: number, bCol: number,
  M: number, N: number, K: number,
): void {
  if (N >= 1 && N <= 4) {
    // Four columns or fewer (a small nn.Linear's products and gradients): the row sums in
    // locals rather than the scratch array, the same sums in the same order (k ascending, in
    // binary64), so the same bits, ~15% faster on a 4x2·2x3 product.
    for (let i = 0; i < M; i++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = pa + i * aRow;
      for (let k = 0, q = pb; k < K; k++, q += bRow) {
        const aik = x[p]!;
        s0 += aik * y[q]!;
        if (N > 1) s1 += aik * y[q + bCol]!;
        if (N > 2) s2 += aik * y[q + 2 * bCol]!;
        if (N > 3) s3 += aik * y[q + 3 * bCol]!;
        p += aCol;
      }
      const r = po + i * oRow;
      o[r] = s0;
      if (N > 1) o[r + oCol] = s1;
      if (N > 2) o[r + 2 * oCol] = s2;
      if (N > 3) o[r + 3 * oCol] = s3;
    }
    return;
  }
  const acc = N <= scratch.length ? scratch : new Float64Array(N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) acc[j] = 0; // (TypedArray.fill's call costs more at small N)
    for (let k = 0; k < K; k++) {
      const aik = x[pa + i * aRow + k * aCol]!;
      const rowB = pb + k * bRow;
      for (let j = 0; j < N; j++) acc[j]! += aik * y[rowB + j * bCol]!;
    }
    const rowO = po + i * oRow;
    for (let j = 0; j < N; j++) o[rowO + j * oCol] = acc[j]!;
  }
}

/**
 * `out = input + a·b` for 2-D float views: each output row accumulated in binary64 as matmul2d
 * does, rounded once to out's dtype, then added to input and rounded again, as the binary
 * kernel adds it; so the bits of `matmul` then `binary("add")`, in one pass. Why: for a small
 * nn.Linear (4x2 input, 3 outputs) the second kernel's call and walk were a third of F.linear's
 * 1.4 µs. Other dtypes run the two kernels.
 */
export function addmm(out: StridedView, input: StridedView, a: StridedView, b: StridedView): void {
  const o = dataOf(out);
  const z = dataOf(input);
  const x = dataOf(a);
  const y = dataOf(b);
  // (instanceof on each: comparing the arrays' constructors cost a fifth of a 4x3x2 call.)
  if (out.shape.length === 2) {
    if (o instanceof Float32Array && x instanceof Float32Array && y instanceof Float32Array && z instanceof Float32Array) {
      return addmm2d(out, input, a, b, o, z, x, y, true);
    }
    if (o instanceof Float64Array && x instanceof Float64Array && y instanceof Float64Array && z instanceof Float64Array) {
      return addmm2d(out, input, a, b, o, z, x, y, false);
    }
  }
  matmul(out, a, b);
  binary("add", out, input, out);
}

type FloatArray = Float32Array | Float64Array;

function addmm2d(
  out: StridedView, input: StridedView, a: StridedView, b: StridedView,
  fo: FloatArray, fz: FloatArray, fx: FloatArray, fy: FloatArray, float32: boolean,
): void {
  const M = out.shape[0]!;
  const N = out.shape[1]!;
  const K = a.shape[1]!;
  const aRow = a.strides[0]!;
  const aCol = a.strides[1]!;
  const bRow = b.strides[0]!;
  const bCol = b.strides[1]!;
  const oRow = out.strides[0]!;
  const oCol = out.strides[1]!;
  const zRow = input.strides[0]!;
  const zCol = input.strides[1]!;
  if (N >= 1 && N <= 4) {
    // As matmul2d's narrow case: the row sums in locals, the same sums in the same order (a
    // call of matmul2d and an add pass over the output measured 11% slower on the tiny forward).
    for (let i = 0; i < M; i++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = a.offset + i * aRow;
      const q0 = b.offset;
      for (let k = 0, q = q0; k < K; k++, q += bRow) {
        const aik = fx[p]!;
        s0 += aik * fy[q]!;
        if (N > 1) s1 += aik * fy[q + bCol]!;
        if (N > 2) s2 += aik * fy[q + 2 * bCol]!;
        if (N > 3) s3 += aik * fy[q + 3 * bCol]!;
        p += aCol;
      }
      const r = out.offset + i * oRow;
      const z = input.offset + i * zRow;
      if (float32) {
        s0 = Math.fround(s0);
        s1 = Math.fround(s1);
        s2 = Math.fround(s2);
        s3 = Math.fround(s3);
      }
      fo[r] = fz[z]! + s0;
      if (N > 1) fo[r + oCol] = fz[z + zCol]! + s1;
      if (N > 2) fo[r + 2 * oCol] = fz[z + 2 * zCol]! + s2;
      if (N > 3) fo[r + 3 * oCol] = fz[z + 3 * zCol]! + s3;
    }
    return;
  }
  const acc = N <= scratch.length ? scratch : new Float64Array(N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) acc[j] = 0;
    const rowA = a.offset + i * aRow;
    for (let k = 0; k < K; k++) {
      const aik = fx[rowA + k * aCol]!;
      const rowB = b.offset + k * bRow;
      for (let j = 0; j < N; j++) acc[j]! += aik * fy[rowB + j * bCol]!;
    }
    const rowO = out.offset + i * oRow;
    const rowZ = input.offset + i * zRow;
    if (float32) for (let j = 0; j < N; j++) fo[rowO + j * oCol] = fz[rowZ + j * zCol]! + Math.fround(acc[j]!);
    else for (let j = 0; j < N; j++) fo[rowO + j * oCol] = fz[rowZ + j * zCol]! + acc[j]!;
  }
}

/** Row accumulators for matmul2d (a kernel never re-enters itself, so one is enough). */
const scratch = new Float64Array(1024);

/** int64 products, wrapping modulo 2^64 like C. Rare, so it walks every element by index. */
function matmulInt64(out: StridedView, a: StridedView, b: StridedView): void {
  const nd = out.shape.length;
  const [M, N, K] = [out.shape[nd - 2]!, out.shape[nd - 1]!, a.shape[nd - 1]!];
  const x = dataOf(a) as BigInt64Array;
  const y = dataOf(b) as BigInt64Array;
  const o = dataOf(out) as BigInt64Array;
  let batches = 1;
  for (let d = 0; d < nd - 2; d++) batches *= out.shape[d]!;
  for (let bi = 0; bi < batches; bi++) {
    let [pa, pb, po] = [a.offset, b.offset, out.offset];
    for (let d = nd - 3, rest = bi; d >= 0; d--) {
      const c = rest % out.shape[d]!;
      rest = Math.floor(rest / out.shape[d]!);
      pa += c * a.strides[d]!;
      pb += c * b.strides[d]!;
      po += c * out.strides[d]!;
    }
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let acc = 0n;
        for (let k = 0; k < K; k++) {
          acc += x[pa + i * a.strides[nd - 2]! + k * a.strides[nd - 1]!]! * y[pb + k * b.strides[nd - 2]! + j * b.strides[nd - 1]!]!;
        }
        o[po + i * out.strides[nd - 2]! + j * out.strides[nd - 1]!] = BigInt.asIntN(64, acc);
      }
    }
  }
}
