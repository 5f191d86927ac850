// The portable kernel build: plain loops that the compiler vectorizes for the baseline target
// (SSE2 on x86-64, NEON on arm64). Used where the CPU lacks AVX2 or FMA.

#include "gemm.h"

namespace tsn {
namespace {

void pack_a(int64_t mc, int64_t kc, const float* a, int64_t aRow, int64_t aCol, float* dst) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    const int64_t mr = mc - i0 < MR ? mc - i0 : MR;
    float* d = dst + i0 * kc;
    const float* src = a + i0 * aRow;
    for (int64_t k = 0; k < kc; k++) {
      for (int64_t r = 0; r < mr; r++) d[k * MR + r] = src[r * aRow + k * aCol];
      for (int64_t r = mr; r < MR; r++) d[k * MR + r] = 0.0f;
    }
  }
}

void pack_b(int64_t kc, int64_t nc, const float* b, int64_t bRow, int64_t bCol, float* dst) {
  for (int64_t j0 = 0; j0 < nc; j0 += NR) {
    const int64_t nr = nc - j0 < NR ? nc - j0 : NR;
    float* d = dst + j0 * kc;
    const float* src = b + j0 * bCol;
    for (int64_t k = 0; k < kc; k++) {
      for (int64_t j = 0; j < nr; j++) d[k * NR + j] = src[k * bRow + j * bCol];
      for (int64_t j = nr; j < NR; j++) d[k * NR + j] = 0.0f;
    }
  }
}

void micro(int64_t kc, const float* A, const float* B, float* C, int64_t cRow, int64_t cCol, int64_t mr, int64_t nr,
           bool accumulate) {
  float acc[MR][NR] = {};
  for (int64_t k = 0; k < kc; k++, A += MR, B += NR) {
    for (int64_t i = 0; i < MR; i++) {
      const float ai = A[i];
      for (int64_t j = 0; j < NR; j++) acc[i][j] += ai * B[j];
    }
  }
  for (int64_t i = 0; i < mr; i++) {
    for (int64_t j = 0; j < nr; j++) {
      float* c = C + i * cRow + j * cCol;
      *c = accumulate ? *c + acc[i][j] : acc[i][j];
    }
  }
}

// No direct path: every panel of B is packed (or read from a B packed beforehand).
int64_t direct_block(int64_t, const float*, const float*, int64_t, int64_t, float*, int64_t, int64_t, int64_t, int64_t,
                     bool) {
  return 0;
}

int64_t packed_block(int64_t, const float*, const float*, float*, int64_t, int64_t, int64_t, int64_t, bool) { return 0; }

#include "gemm_driver.h"

}  // namespace

void gemm_range_portable(const Gemm& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float* packA, float* packB) {
  drive(g, m0, m1, n0, n1, packA, packB);
}

void pack_b_whole_portable(int64_t K, int64_t N, const float* b, int64_t bRow, int64_t bCol, float* dst) {
  pack_whole(K, N, b, bRow, bCol, dst);
}

void pack_panels_portable(const Gemm& g, int64_t pc, int64_t kc, int64_t jc, int64_t j0, int64_t j1, float* panels) {
  pack_panels(g, pc, kc, jc, j0, j1, panels);
}

void rows_block_portable(const Gemm& g, int64_t ic, int64_t mc, int64_t pc, int64_t kc, int64_t jc, int64_t nc,
                   const float* panels, float* packA) {
  rows_block(g, ic, mc, pc, kc, jc, nc, panels, packA);
}

}  // namespace tsn
