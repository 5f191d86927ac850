/**
 * How the threaded WebAssembly GEMM cuts a product into tasks (assembly/gemm.ts `runTask`): a
 * grid of rectangles over each batch's C, one task per rectangle per batch.
 */

/** The kernel's register tile (assembly/gemm.ts MR × NR). */
const MR = 4;
const NR = 8;
/** Up to this many rows, x·Wᵀ runs as dot products (assembly/gemm.ts DOT_ROWS). */
const DOT_ROWS = 12;

/**
 * How a product is cut into tasks: a rowPieces × colPieces grid of rectangles (rowStep × colStep,
 * the last ones smaller) over each batch's C.
 */
export interface Grid {
  rowStep: number;
  colStep: number;
  rowPieces: number;
  colPieces: number;
}

/**
 * The grid for `threads` threads: enough pieces per batch that the tasks divide evenly among
 * the threads (or are many), cut the way that packs least. A column split has each thread pack
 * all of A (M·K floats) and its share of B; a row split, all of B. Row pieces are multiples of
 * MR and never DOT_ROWS rows or fewer (where the kernel would switch to dot products and round
 * differently), column pieces multiples of NR, so the result is the single-threaded one.
 */
export function gridFor(batches: number, M: number, N: number, threads: number): Grid {
  const whole = { rowStep: M, colStep: N, rowPieces: 1, colPieces: 1 };
  if (threads <= 1) return whole;
  let k = 1;
  while (k < threads && (batches * k) % threads !== 0 && batches * k < 4 * threads) k++;
  for (; k > 1; k--) {
    let best: Grid | null = null;
    let bestCost = Infinity;
    for (let pr = 1; pr <= k; pr++) {
      if (k % pr !== 0) continue;
      const pc = k / pr;
      const rowStep = pr === 1 ? M : Math.ceil(Math.ceil(M / pr) / MR) * MR;
      const rowPieces = Math.ceil(M / rowStep);
      if (pr > 1 && (rowPieces < pr || M - (rowPieces - 1) * rowStep <= DOT_ROWS)) continue;
      const colStep = pc === 1 ? N : Math.ceil(Math.ceil(N / pc) / NR) * NR;
      const colPieces = Math.ceil(N / colStep);
      if (pc > 1 && colPieces < pc) continue;
      const cost = pr * N + pc * M;
      if (cost < bestCost) [best, bestCost] = [{ rowStep, colStep, rowPieces, colPieces }, cost];
    }
    if (best) return best;
  }
  return whole;
}
