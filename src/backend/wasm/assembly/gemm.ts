// The float32 matrix product C = A·B for the WebAssembly backend, written in AssemblyScript.
//
// BLIS's loop nest: B is packed into NR-column panels for a KC × NC block, A into MR-row panels
// for an MC × KC block, and a 4×8 register tile (eight f32x4 accumulators) runs over each pair
// of panels. More live vectors (wider tiles, or this loop unrolled over k) make V8 spill
// registers: 2-3x slower in the measurements, 2x for a k-unroll by two here.
//
// This one source is compiled twice, with and without relaxed SIMD: `ASC_FEATURE_RELAXED_SIMD`
// folds at compile time, so the relaxed build multiplies and adds in one f32x4.relaxed_madd (a
// fused multiply-add on x86 with FMA) and the plain build does a multiply, then an add.
//
// Operands are addressed by byte pointers into this module's memory plus strides in elements, so
// the backend (../matmul.ts) copies JS storage in as it lies and the packing below absorbs
// transposes, steps and broadcasts. The module has no static data (its edge-tile scratch is the
// start of the work space): the first 64 KiB page is the backend's control block, everything
// else belongs to the caller. This source is also compiled for a shared, imported memory that
// several threads run it on at once (../pool.ts): each thread passes its own work space, and
// `runTask` and `runSharedTask` below are how a thread finds its part of a product. Accumulation is float32, as in PyTorch's CPU
// GEMM (DESIGN.md: never narrower than the data).

import { EDGE, EDGE_BYTES, elemBytes, madd, park8, roundUp, setEdge } from "./common";
import { dotsFourRows, dotsOneRow } from "./dots";
import { rowsTimesB } from "./rows";

const MR = 4;
const NR = 8;
/** Depth of one packed block: one A panel (16 × KC bytes) and one B panel (32 × KC) stay in L1. */
const KC = 256;
/** Rows of A packed at a time: MC × KC × 4 = 96 KiB, in L2 beside the B panel being reused. */
const MC = 96;
/** Columns of B packed at a time: KC × NC × 4 = 2 MiB. */
const NC = 2048;
/**
 * Products x·Wᵀ of up to this many rows run as dot products along W's rows (./dots.ts) rather
 * than packed. Measured (relaxed SIMD, one process, medians of 9, K = 784, N = 512): 8 rows
 * 162 µs against 210 packed, 12 rows 260 against 284; 13 rows packed 354, 16 rows 350, where
 * four passes of four rows would gain little; W of 2048 x 2048 (16 MiB, out of cache), 8 rows:
 * 2.56 against 2.88 ms.
 */
const DOT_ROWS = 12;


/** Bytes of working space `sgemm` needs at `work` for a product of these sizes (16-aligned). */
export function workBytes(M: i32, N: i32, K: i32): i32 {
  const kc = min(K, KC);
  const mc = min(roundUp(M, MR), MC);
  const nc = min(roundUp(N, NR), NC);
  return EDGE_BYTES + (mc * kc + kc * nc) * 4;
}

/**
 * C[i, j] = Σ_k A[i, k]·B[k, j] for an M × K matrix A and a K × N matrix B, each given by a byte
 * pointer and row / column strides in elements (zero for a broadcast dimension); C is written
 * row-major with row stride `ldc` elements. K must be positive. `work` points at `workBytes`
 * bytes, 16-aligned.
 */
export function sgemm(
  M: i32, N: i32, K: i32,
  a: usize, aRow: i32, aCol: i32,
  b: usize, bRow: i32, bCol: i32,
  c: usize, ldc: i32,
  work: usize,
): void {
  setEdge(work);
  work += EDGE_BYTES;
  // A few rows times Wᵀ (nn.Linear on a small batch): packing W would cost as much as the
  // product, so take dot products along W's contiguous rows instead, four rows at a time.
  if (M <= DOT_ROWS && aCol == 1 && bRow == 1) {
    for (let i = 0; i < M; i += MR) {
      const m = min(MR, M - i);
      const ai = a + elemBytes(i, aRow);
      const ci = c + elemBytes(i, ldc);
      if (m == 1) dotsOneRow(N, K, ai, b, bCol, ci);
      else dotsFourRows(m, N, K, ai, aRow, b, bCol, ci, ldc);
    }
    return;
  }
  // One or two rows times a row-major B: B's rows read in place, without the 4-row tile.
  if (M <= 2 && bCol == 1) {
    for (let pc = 0; pc < K; pc += KC) {
      rowsTimesB(M, N, min(KC, K - pc), a + elemBytes(pc, aCol), aRow, aCol, b + elemBytes(pc, bRow), bRow, c, ldc, pc > 0);
    }
    return;
  }
  // A few rows times a row-major B: one row panel of A, so B's rows are read in place.
  const directB = M <= MR && bCol == 1;
  const kcMax = min(K, KC);
  const packA = work;
  const packB = work + <usize>(min(roundUp(M, MR), MC) * kcMax * 4);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const bBlock = b + elemBytes(pc, bRow) + elemBytes(jc, bCol);
      if (!directB) packPanelsB(kc, nc, bBlock, bRow, bCol, packB);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packPanelsA(mc, kc, a + elemBytes(ic, aRow) + elemBytes(pc, aCol), aRow, aCol, packA);
        const cBlock = c + elemBytes(ic, ldc) + elemBytes(jc, 1);
        gemmBlock(mc, nc, kc, packA, packB, directB ? bBlock : 0, bRow, bCol, cBlock, ldc, pc > 0);
      }
    }
  }
}

/**
 * The tiles of one mc × nc block of C from a packed A block and B's packed panels (or, with
 * `directB` non-zero, B's rows where they lie, from that byte pointer). A function of its own,
 * called once per block, because an engine that optimizes a function after it has run a while
 * switches only calls made after that: with the tile loops inside `sgemm`, a first large product
 * ran all of them as baseline code (V8's Liftoff, every accumulator on the stack; 512³: 43-58 ms
 * against 7-12 for the products after it), where now the blocks after the first few run
 * optimized code (17-25 ms). Warming the kernels up on a small product at instantiation added
 * nothing to that: the optimized code is compiled in the background, and was not ready yet. Exported so that the optimizer keeps it a function (one that is
 * called from one place only is inlined there).
 */
export function gemmBlock(
  mc: i32, nc: i32, kc: i32, packA: usize, packB: usize, directB: usize, bRow: i32, bCol: i32,
  c: usize, ldc: i32, accumulate: bool,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let pb = packB + <usize>(jr * kc * 4);
    let pbStep: usize = NR * 4;
    if (directB != 0 && nr == NR) {
      pb = directB + elemBytes(jr, 1);
      pbStep = <usize>bRow << 2;
    } else if (directB != 0) {
      packPanelsB(kc, nr, directB + elemBytes(jr, 1), bRow, bCol, packB);
      pb = packB;
    }
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      tile(kc, packA + <usize>(ir * kc * 4), pb, pbStep, c + elemBytes(ir, ldc) + elemBytes(jr, 1), ldc, mr, nr, accumulate);
    }
  }
}

/**
 * One MR × NR tile of C from an A panel (kc × MR, k-major) and a B panel (kc rows of NR floats,
 * `pbStep` bytes apart: packed, or B itself). The first KC block overwrites C; later ones add.
 */
@inline function tile(
  kc: i32, pa: usize, pb: usize, pbStep: usize, c: usize, ldc: i32, mr: i32, nr: i32, accumulate: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let ai = v128.load32_splat(pa);
    c00 = madd(ai, b0, c00);
    c01 = madd(ai, b1, c01);
    ai = v128.load32_splat(pa, 4);
    c10 = madd(ai, b0, c10);
    c11 = madd(ai, b1, c11);
    ai = v128.load32_splat(pa, 8);
    c20 = madd(ai, b0, c20);
    c21 = madd(ai, b1, c21);
    ai = v128.load32_splat(pa, 12);
    c30 = madd(ai, b0, c30);
    c31 = madd(ai, b1, c31);
    pa += MR * 4;
    pb += pbStep;
  }
  const ldcBytes = <usize>ldc << 2;
  if (mr == MR && nr == NR) {
    if (accumulate) {
      c00 = f32x4.add(c00, v128.load(c));
      c01 = f32x4.add(c01, v128.load(c, 16));
      c10 = f32x4.add(c10, v128.load(c + ldcBytes));
      c11 = f32x4.add(c11, v128.load(c + ldcBytes, 16));
      c20 = f32x4.add(c20, v128.load(c + 2 * ldcBytes));
      c21 = f32x4.add(c21, v128.load(c + 2 * ldcBytes, 16));
      c30 = f32x4.add(c30, v128.load(c + 3 * ldcBytes));
      c31 = f32x4.add(c31, v128.load(c + 3 * ldcBytes, 16));
    }
    v128.store(c, c00);
    v128.store(c, c01, 16);
    v128.store(c + ldcBytes, c10);
    v128.store(c + ldcBytes, c11, 16);
    v128.store(c + 2 * ldcBytes, c20);
    v128.store(c + 2 * ldcBytes, c21, 16);
    v128.store(c + 3 * ldcBytes, c30);
    v128.store(c + 3 * ldcBytes, c31, 16);
    return;
  }
  // An edge tile: park it, then copy the valid mr × nr part.
  park8(c00, c01, c10, c11, c20, c21, c30, c31);
  for (let i = 0; i < mr; i++) {
    const row = c + <usize>i * ldcBytes;
    const src = EDGE + <usize>(i * NR * 4);
    for (let j = 0; j < nr; j++) {
      const at = row + (<usize>j << 2);
      const v = f32.load(src + (<usize>j << 2));
      f32.store(at, accumulate ? f32.load(at) + v : v);
    }
  }
}

/**
 * Packs a kc × nc block of B into ceil(nc / NR) panels, each kc rows of NR floats, zero-padded
 * past nc. Row-major B (bCol = 1) copies vectors; B that is a transposed row-major matrix
 * (bRow = 1, the x·Wᵀ of nn.Linear) transposes 4 × 4 blocks in registers.
 */
function packPanelsB(kc: i32, nc: i32, b: usize, bRow: i32, bCol: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const src = b + elemBytes(jr, bCol);
    const out = dst + <usize>(jr * kc * 4);
    if (nr == NR && bCol == 1 && jr + 2 * NR <= nc) {
      // Two panels at once, from whole 64-byte lines of B's rows. One panel at a time reads half
      // of each line and leaves the other half for the next panel; when rows lie a power of two
      // apart (N = 1024: 4 KiB) they all fall in the same cache sets, the line is gone by then,
      // and each is fetched twice (the NN product ran 20% slower than NT).
      const rowBytes = <usize>bRow << 2;
      const next = out + <usize>(kc * NR * 4);
      let p = src;
      for (let k = 0; k < kc; k++) {
        const at = <usize>(k * NR * 4);
        v128.store(out + at, v128.load(p));
        v128.store(out + at, v128.load(p, 16), 16);
        v128.store(next + at, v128.load(p, 32));
        v128.store(next + at, v128.load(p, 48), 16);
        p += rowBytes;
      }
      jr += NR;
    } else if (nr == NR && bCol == 1) {
      const rowBytes = <usize>bRow << 2;
      let p = src;
      for (let k = 0; k < kc; k++) {
        v128.store(out + <usize>(k * NR * 4), v128.load(p));
        v128.store(out + <usize>(k * NR * 4), v128.load(p, 16), 16);
        p += rowBytes;
      }
    } else if (nr == NR && bRow == 1) {
      const colBytes = <usize>bCol << 2;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const p = src + (<usize>k << 2);
        const o = out + <usize>(k * NR * 4);
        transpose4(p, colBytes, o, NR * 4);
        transpose4(p + 4 * colBytes, colBytes, o + 16, NR * 4);
      }
      for (; k < kc; k++) {
        for (let j = 0; j < NR; j++) {
          f32.store(out + <usize>((k * NR + j) * 4), f32.load(src + elemBytes(j, bCol) + (<usize>k << 2)));
        }
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const rowSrc = src + elemBytes(k, bRow);
        const rowOut = out + <usize>(k * NR * 4);
        for (let j = 0; j < NR; j++) {
          const v: f32 = j < nr ? f32.load(rowSrc + elemBytes(j, bCol)) : 0;
          f32.store(rowOut + (<usize>j << 2), v);
        }
      }
    }
  }
}

/**
 * Packs an mc × kc block of A into ceil(mc / MR) panels, each kc columns of MR floats, zero-padded
 * past mc. A that is a transposed row-major matrix (aRow = 1, the xᵀ·g of a weight gradient)
 * copies vectors; row-major A transposes 4 × 4 blocks.
 */
function packPanelsA(mc: i32, kc: i32, a: usize, aRow: i32, aCol: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const src = a + elemBytes(ir, aRow);
    const out = dst + <usize>(ir * kc * 4);
    if (mr == MR && aRow == 1) {
      const colBytes = <usize>aCol << 2;
      let p = src;
      for (let k = 0; k < kc; k++) {
        v128.store(out + <usize>(k * MR * 4), v128.load(p));
        p += colBytes;
      }
    } else if (mr == MR && aCol == 1) {
      const rowBytes = <usize>aRow << 2;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        transpose4(src + (<usize>k << 2), rowBytes, out + <usize>(k * MR * 4), MR * 4);
      }
      for (; k < kc; k++) {
        for (let i = 0; i < MR; i++) {
          f32.store(out + <usize>((k * MR + i) * 4), f32.load(src + elemBytes(i, aRow) + (<usize>k << 2)));
        }
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const colSrc = src + elemBytes(k, aCol);
        const colOut = out + <usize>(k * MR * 4);
        for (let i = 0; i < MR; i++) {
          const v: f32 = i < mr ? f32.load(colSrc + elemBytes(i, aRow)) : 0;
          f32.store(colOut + (<usize>i << 2), v);
        }
      }
    }
  }
}

/**
 * Reads four rows of four floats (`rowBytes` apart) and writes them transposed: four rows of
 * four floats `outBytes` apart.
 */
@inline function transpose4(src: usize, rowBytes: usize, out: usize, outBytes: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + rowBytes);
  const r2 = v128.load(src + 2 * rowBytes);
  const r3 = v128.load(src + 3 * rowBytes);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(out + outBytes, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(out + 2 * outBytes, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(out + 3 * outBytes, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/**
 * C[i, j] = Z[i, j] + C[i, j] for an M × N block of C (row stride `ldc`) and an addend Z given
 * by its row and column strides in elements (zero where it broadcasts: a bias is zRow = 0):
 * addmm's `input`, added in this memory before C is copied out instead of by a JS loop over the
 * copy (Linear(784, 512)'s bias on a batch of 64: ~170 µs in JS). One float32 addition per
 * element, the addend first as in the JS add (`binary("add", out, input, out)`), so the bits are
 * that add's.
 */
export function addTo(M: i32, N: i32, c: usize, ldc: i32, z: usize, zRow: i32, zCol: i32): void {
  for (let i = 0; i < M; i++) {
    const row = c + elemBytes(i, ldc);
    const zr = z + elemBytes(i, zRow);
    let j = 0;
    if (zCol == 1) {
      for (; j + 4 <= N; j += 4) {
        const at = row + (<usize>j << 2);
        v128.store(at, f32x4.add(v128.load(zr + (<usize>j << 2)), v128.load(at)));
      }
    } else if (zCol == 0) {
      const value = f32x4.splat(f32.load(zr));
      for (; j + 4 <= N; j += 4) {
        const at = row + (<usize>j << 2);
        v128.store(at, f32x4.add(value, v128.load(at)));
      }
    }
    for (; j < N; j++) {
      const at = row + (<usize>j << 2);
      f32.store(at, f32.load(zr + elemBytes(j, zCol)) + f32.load(at));
    }
  }
}

/**
 * Runs task `t` of the job described at `job` (i32 words; written by ../matmul.ts): the product
 * of batch ⌊t / pieces⌋ restricted to one rectangle of a rowPieces × colPieces grid over C.
 *
 *   0 M  1 N  2 K  3 a  4 aRow  5 aCol  6 b  7 bRow  8 bCol  9 c  10 ldc  11 cBatch
 *   12 rowStep  13 colStep  14 rowPieces  15 colPieces  16 nb
 *   17 …: nb batch sizes, then nb batch strides of A, then nb of B (elements; 0 = broadcast)
 *
 * C's batches lie cBatch elements apart. Each C element is summed by the same code in the same
 * order whichever rectangle holds it (the grid never leaves a piece of DOT_ROWS rows or fewer,
 * where dot products would take over; the one- and two-row kernel of ./rows.ts has the packed
 * kernel's bits anyway), so a threaded product equals the single-threaded one bit for bit.
 */
export function runTask(job: usize, t: i32, work: usize): void {
  const M = load<i32>(job), N = load<i32>(job, 4), K = load<i32>(job, 8);
  const aRow = load<i32>(job, 16), aCol = load<i32>(job, 20);
  const bRow = load<i32>(job, 28), bCol = load<i32>(job, 32);
  const ldc = load<i32>(job, 40);
  const rowStep = load<i32>(job, 48), colStep = load<i32>(job, 52);
  const colPieces = load<i32>(job, 60);
  const pieces = load<i32>(job, 56) * colPieces;
  const nb = load<i32>(job, 64);
  const batch = t / pieces;
  const piece = t - batch * pieces;
  let a = <usize>load<i32>(job, 12);
  let b = <usize>load<i32>(job, 24);
  let c = <usize>load<i32>(job, 36) + elemBytes(batch, load<i32>(job, 44));
  const sizes = job + 68;
  for (let d = nb - 1, rest = batch; d >= 0; d--) {
    const size = load<i32>(sizes + (<usize>d << 2));
    const index = rest % size;
    rest /= size;
    a += elemBytes(index, load<i32>(sizes + (<usize>(nb + d) << 2)));
    b += elemBytes(index, load<i32>(sizes + (<usize>(2 * nb + d) << 2)));
  }
  const r0 = (piece / colPieces) * rowStep;
  const c0 = (piece % colPieces) * colStep;
  const m = min(rowStep, M - r0);
  const n = min(colStep, N - c0);
  if (m <= 0 || n <= 0) return;
  sgemm(
    m, n, K,
    a + elemBytes(r0, aRow), aRow, aCol,
    b + elemBytes(c0, bCol), bRow, bCol,
    c + elemBytes(r0, ldc) + elemBytes(c0, 1), ldc,
    work,
  );
}

/**
 * Runs task `t` of a shared-B job (BLIS's schedule for one large product on several threads),
 * described at `job` (i32 words; written by ../matmul.ts):
 *
 *   0 M  1 N  2 K  3 a  4 aRow  5 aCol  6 b  7 bRow  8 bCol  9 c  10 ldc
 *   11 kSteps  12 mBlocks  13 packTasks  14 tasksPerStep  15 buffer 0  16 buffer 1
 *   17 packed  18 rowsDone  19 progress (byte pointers to i32 counters, zeroed)  20 abort word
 *
 * The product runs in steps, one per KC × NC block of B (columns outer, depth inner, as in
 * `sgemm`). Each step is `packTasks` tasks that pack a share of the block's panels into buffer
 * step % 2, then `mBlocks` tasks that each pack MC rows of A into their own work space and run
 * them against the packed block: so B is packed once for all threads, instead of once per
 * thread's share of C, and a thread the host slows down takes fewer blocks of rows instead of
 * holding up the product (one descheduled in the middle of a task still holds up the tasks that
 * wait on it: the waits spin, since a browser's main thread may not block, and WebAssembly has
 * no way to yield the core). Tasks are taken in increasing order (../pool.ts hands them out from
 * one counter) and wait only on lower-numbered ones, which running threads have taken: a pack
 * waits until the row blocks of two steps before are done with its buffer, a row block until its
 * step's block of B is packed and its rows are done with the step before. So no wait can last
 * forever, and one thread alone runs them all in order. Every tile is the one `sgemm` computes
 * (same blocks, same calls, in the same order of k), so the bits are the single-threaded ones.
 * A non-zero abort word (a worker's task threw) ends every wait, so the caller can report it.
 */
export function runSharedTask(job: usize, t: i32, work: usize): void {
  const M = load<i32>(job), N = load<i32>(job, 4), K = load<i32>(job, 8);
  const a = <usize>load<i32>(job, 12), aRow = load<i32>(job, 16), aCol = load<i32>(job, 20);
  const b = <usize>load<i32>(job, 24), bRow = load<i32>(job, 28), bCol = load<i32>(job, 32);
  const c = <usize>load<i32>(job, 36), ldc = load<i32>(job, 40);
  const kSteps = load<i32>(job, 44), mBlocks = load<i32>(job, 48);
  const packTasks = load<i32>(job, 52), tasksPerStep = load<i32>(job, 56);
  const step = t / tasksPerStep;
  const slot = t - step * tasksPerStep;
  const buffer = <usize>load<i32>(job + (step & 1 ? 64 : 60));
  const packed = <usize>load<i32>(job, 68) + (<usize>step << 2);
  const rowsDone = <usize>load<i32>(job, 72);
  const abort = <usize>load<i32>(job, 80);
  const jc = (step / kSteps) * NC;
  const pc = (step % kSteps) * KC;
  const nc = min(NC, N - jc);
  const kc = min(KC, K - pc);
  if (slot < packTasks) {
    if (step >= 2) waitAtLeast(rowsDone + (<usize>(step - 2) << 2), mBlocks, abort);
    const panels = (nc + NR - 1) / NR;
    const share = (panels + packTasks - 1) / packTasks;
    const first = slot * share * NR;
    const end = min(nc, (slot + 1) * share * NR);
    if (first < end) {
      packPanelsB(kc, end - first, b + elemBytes(pc, bRow) + elemBytes(jc + first, bCol), bRow, bCol, buffer + <usize>(first * kc * 4));
    }
    atomicAdd(packed, 1);
    return;
  }
  const block = slot - packTasks;
  const progress = <usize>load<i32>(job, 76) + (<usize>block << 2);
  waitAtLeast(packed, packTasks, abort);
  waitAtLeast(progress, step, abort);
  setEdge(work);
  const packA = work + EDGE_BYTES;
  const ic = block * MC;
  const mc = min(MC, M - ic);
  packPanelsA(mc, kc, a + elemBytes(ic, aRow) + elemBytes(pc, aCol), aRow, aCol, packA);
  gemmBlock(mc, nc, kc, packA, buffer, 0, bRow, bCol, c + elemBytes(ic, ldc) + elemBytes(jc, 1), ldc, pc > 0);
  atomicAdd(rowsDone + (<usize>step << 2), 1);
  atomicStore(progress, step + 1);
}

// The threaded builds' atomics. The own-memory builds have no threads feature and never run a
// shared-B job (../matmul.ts picks it only over the shared build); the plain loads and stores
// only let this source compile for them.
@inline function atomicAdd(at: usize, value: i32): void {
  if (ASC_FEATURE_THREADS) atomic.add<i32>(at, value);
  else store<i32>(at, load<i32>(at) + value);
}

@inline function atomicStore(at: usize, value: i32): void {
  if (ASC_FEATURE_THREADS) atomic.store<i32>(at, value);
  else store<i32>(at, value);
}

/** Spins until the i32 at `at` reaches `target` (or the abort word is set). */
@inline function waitAtLeast(at: usize, target: i32, abort: usize): void {
  if (ASC_FEATURE_THREADS) {
    while (atomic.load<i32>(at) < target && atomic.load<i32>(abort) == 0) {}
  }
}
