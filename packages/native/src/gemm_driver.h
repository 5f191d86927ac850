// The BLIS loop nest around a packed microkernel, shared by both kernel builds. Each build
// includes this inside its own anonymous namespace after defining
//   pack_a(mc, kc, a, aRow, aCol, dst)   MR-row panels of an mc×kc block of A, zero-padded
//   pack_b(kc, nc, b, bRow, bCol, dst)   NR-column panels of a kc×nc block of B, zero-padded
//   micro(kc, A, B, C, cRow, cCol, mr, nr, accumulate)   an mr×nr tile of C (+)= A·B
//   direct_block(kc, A, b, bRow, bCol, C, cRow, cCol, mr, nc, accumulate)   the tiles of a block of
//       at most MR rows with B read in place, unpacked; returns the columns it did (whole panels)
//   packed_block(kc, A, packed, C, cRow, cCol, mr, nc, accumulate)   the same over panels of a B
//       packed beforehand (kc · NR floats apart); returns the columns it did (0: leave it to micro)
// so the loops are compiled for that build's instruction set and nothing is shared between
// the two translation units (no inline function of one target leaks into the other).

void drive(const Gemm& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float* packA, float* packB) {
  const int64_t kcb = balanced_block(g.K, KC, 8);
  const int64_t mcb = balanced_block(m1 - m0, MC, MR);
  const int64_t npad = (g.N + NR - 1) / NR * NR;
  for (int64_t jc = n0; jc < n1; jc += NC) {
    const int64_t nc = n1 - jc < NC ? n1 - jc : NC;
    for (int64_t pc = 0; pc < g.K; pc += kcb) {
      const int64_t kc = g.K - pc < kcb ? g.K - pc : kcb;
      // With B packed beforehand, panel jr of this block lies at packed + jr · kc.
      const float* packed = g.packedB != nullptr ? g.packedB + pc * npad + jc * kc : nullptr;
      for (int64_t ic = m0; ic < m1; ic += mcb) {
        const int64_t mc = m1 - ic < mcb ? m1 - ic : mcb;
        pack_a(mc, kc, g.a + ic * g.aRow + pc * g.aCol, g.aRow, g.aCol, packA);
        // A block of at most MR rows uses each panel of B once: packing it would cost more than
        // the product (nn.Linear on a batch of a few rows), so B is read where it lies (or, packed
        // beforehand, a few panels at a time). Every block of a rectangle has at most as many
        // rows as its first, so a panel left to the packed path here was packed during the first.
        int64_t direct = 0;
        if (mc <= MR) {
          float* c = g.c + ic * g.cRow + jc * g.cCol;
          direct = packed != nullptr ? packed_block(kc, packA, packed, c, g.cRow, g.cCol, mc, nc, pc > 0)
                                     : direct_block(kc, packA, g.b + pc * g.bRow + jc * g.bCol, g.bRow, g.bCol, c, g.cRow,
                                                    g.cCol, mc, nc, pc > 0);
        }
        for (int64_t jr = direct; jr < nc; jr += NR) {
          const int64_t nr = nc - jr < NR ? nc - jr : NR;
          // B is packed one panel at a time during the first block of rows, just before its
          // first use: the panel is written into L1 and read from there at once. With few rows
          // (nn.Linear's batch of 64) packing B is a large share of the work, and this overlaps
          // its reads of B with the arithmetic.
          const float* panel = packed != nullptr ? packed + jr * kc : packB + jr * kc;
          if (packed == nullptr && ic == m0) {
            pack_b(kc, nr, g.b + pc * g.bRow + (jc + jr) * g.bCol, g.bRow, g.bCol, packB + jr * kc);
          }
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t mr = mc - ir < MR ? mc - ir : MR;
            micro(kc, packA + ir * kc, panel, g.c + (ic + ir) * g.cRow + (jc + jr) * g.cCol, g.cRow, g.cCol, mr, nr,
                  pc > 0);
          }
        }
      }
    }
  }
}

// B packed whole, laid out as gemm.h describes: each KC block of k is packed as the product
// would pack it, all of its panels side by side.
void pack_whole(int64_t K, int64_t N, const float* b, int64_t bRow, int64_t bCol, float* dst) {
  const int64_t kcb = balanced_block(K, KC, 8);
  const int64_t npad = (N + NR - 1) / NR * NR;
  for (int64_t pc = 0; pc < K; pc += kcb) {
    const int64_t kc = K - pc < kcb ? K - pc : kcb;
    pack_b(kc, N, b + pc * bRow, bRow, bCol, dst + pc * npad);
  }
}

// The two halves of gemm.cc's shared-B schedule, where the threads pack a kc × nc block of B
// together into one buffer (`panels`: panel jr at panels + jr · kc, as drive's packB) and then
// take its blocks of rows. pack_panels packs the columns [j0, j1) of the block (j0 a multiple of
// NR); rows_block computes rows [ic, ic + mc) of C against the whole block, packing that block of
// A into packA. The loops and the microkernel calls are drive's, so every element of C is the
// same chain of FMAs.
void pack_panels(const Gemm& g, int64_t pc, int64_t kc, int64_t jc, int64_t j0, int64_t j1, float* panels) {
  pack_b(kc, j1 - j0, g.b + pc * g.bRow + (jc + j0) * g.bCol, g.bRow, g.bCol, panels + j0 * kc);
}

void rows_block(const Gemm& g, int64_t ic, int64_t mc, int64_t pc, int64_t kc, int64_t jc, int64_t nc,
                const float* panels, float* packA) {
  pack_a(mc, kc, g.a + ic * g.aRow + pc * g.aCol, g.aRow, g.aCol, packA);
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t nr = nc - jr < NR ? nc - jr : NR;
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int64_t mr = mc - ir < MR ? mc - ir : MR;
      micro(kc, packA + ir * kc, panels + jr * kc, g.c + (ic + ir) * g.cRow + (jc + jr) * g.cCol, g.cRow, g.cCol, mr,
            nr, pc > 0);
    }
  }
}
