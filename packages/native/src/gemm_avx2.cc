// The AVX2 + FMA kernel build: a 6x16 register-blocked microkernel (12 accumulators of 8 floats,
// two B vectors, one broadcast A value: 16 ymm registers) and packing that transposes 8x8 blocks
// in registers, so that x·Wᵀ (B read along its rows) packs as fast as x·W.
//
// Compiled for avx2,fma by a pragma rather than by -mavx2 for the whole addon: the dispatcher
// (gemm.cc) picks this build at run time with __builtin_cpu_supports, so the addon still loads on
// an x86-64 without AVX2. Standard headers are included before the pragma so that nothing they
// define is compiled for AVX2.

#include <cstdint>

#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TSN_AVX2 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#include <immintrin.h>
#endif

namespace tsn {

#if TSN_AVX2
namespace {

// Transposes r[0..7] (8 rows of 8 floats) in place: r[t] becomes column t.
inline void transpose8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]);
  const __m256 t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]);
  const __m256 t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]);
  const __m256 t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]);
  const __m256 t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44);
  const __m256 s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44);
  const __m256 s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44);
  const __m256 s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44);
  const __m256 s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// Loads the 8x8 block of rows src, src + ld, ..., src + 7·ld (8 floats each) and writes its
// columns into r[0..7]. Each register starts as the 4-float halves of rows t and t + 4 (the
// second half inserted from memory), so only the in-lane 4x4 transposes remain: 16 one-cycle
// shuffles instead of transpose8's 24, a third of them lane-crossing.
inline void load_transposed8(const float* src, int64_t ld, __m256 r[8]) {
  __m256 a[8];
  for (int t = 0; t < 4; t++) {
    a[t] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(src + t * ld)), _mm_loadu_ps(src + (t + 4) * ld), 1);
    a[t + 4] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(src + t * ld + 4)),
                                    _mm_loadu_ps(src + (t + 4) * ld + 4), 1);
  }
  for (int h = 0; h < 2; h++) {
    const __m256* x = a + 4 * h;
    const __m256 t0 = _mm256_unpacklo_ps(x[0], x[1]);
    const __m256 t1 = _mm256_unpackhi_ps(x[0], x[1]);
    const __m256 t2 = _mm256_unpacklo_ps(x[2], x[3]);
    const __m256 t3 = _mm256_unpackhi_ps(x[2], x[3]);
    r[4 * h + 0] = _mm256_shuffle_ps(t0, t2, 0x44);
    r[4 * h + 1] = _mm256_shuffle_ps(t0, t2, 0xEE);
    r[4 * h + 2] = _mm256_shuffle_ps(t1, t3, 0x44);
    r[4 * h + 3] = _mm256_shuffle_ps(t1, t3, 0xEE);
  }
}

void pack_a(int64_t mc, int64_t kc, const float* a, int64_t aRow, int64_t aCol, float* dst) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    const int64_t mr = mc - i0 < MR ? mc - i0 : MR;
    float* d = dst + i0 * kc;
    const float* src = a + i0 * aRow;
    if (mr == MR && aCol == 1) {
      // Rows run along k: transpose 8 k at a time (rows 6 and 7 repeat row 5 and are
      // dropped). Each column is stored as 8 floats at a 6-float step, the next store
      // overwriting the 2 extra; the last one's spill is rewritten by the tail or by the next
      // panel, or lands in the buffer's slack.
      int64_t k = 0;
      for (; k + 8 <= kc; k += 8) {
        __m256 r[8];
        for (int t = 0; t < 6; t++) r[t] = _mm256_loadu_ps(src + t * aRow + k);
        r[6] = r[5];
        r[7] = r[5];
        transpose8(r);
        for (int t = 0; t < 8; t++) _mm256_storeu_ps(d + (k + t) * MR, r[t]);
      }
      for (; k < kc; k++) {
        for (int64_t t = 0; t < MR; t++) d[k * MR + t] = src[t * aRow + k];
      }
    } else if (mr == MR && aRow == 1) {
      for (int64_t k = 0; k < kc; k++) {
        const float* s = src + k * aCol;
        for (int64_t t = 0; t < MR; t++) d[k * MR + t] = s[t];
      }
    } else {
      for (int64_t k = 0; k < kc; k++) {
        for (int64_t t = 0; t < mr; t++) d[k * MR + t] = src[t * aRow + k * aCol];
        for (int64_t t = mr; t < MR; t++) d[k * MR + t] = 0.0f;
      }
    }
  }
}

void pack_b(int64_t kc, int64_t nc, const float* b, int64_t bRow, int64_t bCol, float* dst) {
  for (int64_t j0 = 0; j0 < nc; j0 += NR) {
    const int64_t nr = nc - j0 < NR ? nc - j0 : NR;
    float* d = dst + j0 * kc;
    const float* src = b + j0 * bCol;
    if (nr == NR && bCol == 1) {
      for (int64_t k = 0; k < kc; k++) {
        const float* s = src + k * bRow;
        _mm256_store_ps(d + k * NR, _mm256_loadu_ps(s));
        _mm256_store_ps(d + k * NR + 8, _mm256_loadu_ps(s + 8));
      }
    } else if (nr == NR && bRow == 1) {
      // x·Wᵀ: column j of B is row j of W, contiguous along k. Two 8x8 transposes per 8 k.
      int64_t k = 0;
      for (; k + 8 <= kc; k += 8) {
        for (int half = 0; half < 2; half++) {
          __m256 r[8];
          const float* s = src + half * 8 * bCol + k;
          for (int t = 0; t < 8; t++) r[t] = _mm256_loadu_ps(s + t * bCol);
          transpose8(r);
          for (int t = 0; t < 8; t++) _mm256_store_ps(d + (k + t) * NR + half * 8, r[t]);
        }
      }
      for (; k < kc; k++) {
        for (int64_t j = 0; j < NR; j++) d[k * NR + j] = src[k + j * bCol];
      }
    } else {
      for (int64_t k = 0; k < kc; k++) {
        for (int64_t j = 0; j < nr; j++) d[k * NR + j] = src[k * bRow + j * bCol];
        for (int64_t j = nr; j < NR; j++) d[k * NR + j] = 0.0f;
      }
    }
  }
}

// The tile of the last R < MR rows of a block (M = 64 leaves 4): only R rows of products,
// stored as vectors. Each element is the same chain of FMAs over k as in the full tile, so the
// bits do not depend on which tile a row falls in.
template <int R>
void micro_rows(int64_t kc, const float* A, const float* B, float* C, int64_t cRow, bool accumulate) {
  __m256 c0[R];
  __m256 c1[R];
#pragma GCC unroll 6
  for (int i = 0; i < R; i++) {
    c0[i] = _mm256_setzero_ps();
    c1[i] = _mm256_setzero_ps();
  }
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_load_ps(B);
    const __m256 b1 = _mm256_load_ps(B + 8);
#pragma GCC unroll 6
    for (int i = 0; i < R; i++) {
      const __m256 a = _mm256_broadcast_ss(A + i);
      c0[i] = _mm256_fmadd_ps(a, b0, c0[i]);
      c1[i] = _mm256_fmadd_ps(a, b1, c1[i]);
    }
    A += MR;
    B += NR;
  }
#pragma GCC unroll 6
  for (int i = 0; i < R; i++) {
    float* r = C + i * cRow;
    if (accumulate) {
      c0[i] = _mm256_add_ps(c0[i], _mm256_loadu_ps(r));
      c1[i] = _mm256_add_ps(c1[i], _mm256_loadu_ps(r + 8));
    }
    _mm256_storeu_ps(r, c0[i]);
    _mm256_storeu_ps(r + 8, c1[i]);
  }
}

void micro(int64_t kc, const float* A, const float* B, float* C, int64_t cRow, int64_t cCol, int64_t mr, int64_t nr,
           bool accumulate) {
  if (mr < MR && nr == NR && cCol == 1) {
    switch (mr) {
      case 1: return micro_rows<1>(kc, A, B, C, cRow, accumulate);
      case 2: return micro_rows<2>(kc, A, B, C, cRow, accumulate);
      case 3: return micro_rows<3>(kc, A, B, C, cRow, accumulate);
      case 4: return micro_rows<4>(kc, A, B, C, cRow, accumulate);
      default: return micro_rows<5>(kc, A, B, C, cRow, accumulate);
    }
  }
  for (int64_t i = 0; i < mr; i++) {
    // C's rows lie a row stride apart (4 KiB for N = 1024: they share L1 sets and miss), so
    // ask for them now, to arrive while the k loop runs.
    _mm_prefetch(reinterpret_cast<const char*>(C + i * cRow), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(C + i * cRow + (nr - 1) * cCol), _MM_HINT_T0);
  }
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_load_ps(B);
    const __m256 b1 = _mm256_load_ps(B + 8);
    __m256 a = _mm256_broadcast_ss(A + 0);
    c00 = _mm256_fmadd_ps(a, b0, c00);
    c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(A + 1);
    c10 = _mm256_fmadd_ps(a, b0, c10);
    c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(A + 2);
    c20 = _mm256_fmadd_ps(a, b0, c20);
    c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(A + 3);
    c30 = _mm256_fmadd_ps(a, b0, c30);
    c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(A + 4);
    c40 = _mm256_fmadd_ps(a, b0, c40);
    c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(A + 5);
    c50 = _mm256_fmadd_ps(a, b0, c50);
    c51 = _mm256_fmadd_ps(a, b1, c51);
    A += MR;
    B += NR;
  }
  if (mr == MR && nr == NR && cCol == 1) {
    float* r0 = C;
    float* r1 = C + cRow;
    float* r2 = C + 2 * cRow;
    float* r3 = C + 3 * cRow;
    float* r4 = C + 4 * cRow;
    float* r5 = C + 5 * cRow;
    if (accumulate) {
      c00 = _mm256_add_ps(c00, _mm256_loadu_ps(r0));
      c01 = _mm256_add_ps(c01, _mm256_loadu_ps(r0 + 8));
      c10 = _mm256_add_ps(c10, _mm256_loadu_ps(r1));
      c11 = _mm256_add_ps(c11, _mm256_loadu_ps(r1 + 8));
      c20 = _mm256_add_ps(c20, _mm256_loadu_ps(r2));
      c21 = _mm256_add_ps(c21, _mm256_loadu_ps(r2 + 8));
      c30 = _mm256_add_ps(c30, _mm256_loadu_ps(r3));
      c31 = _mm256_add_ps(c31, _mm256_loadu_ps(r3 + 8));
      c40 = _mm256_add_ps(c40, _mm256_loadu_ps(r4));
      c41 = _mm256_add_ps(c41, _mm256_loadu_ps(r4 + 8));
      c50 = _mm256_add_ps(c50, _mm256_loadu_ps(r5));
      c51 = _mm256_add_ps(c51, _mm256_loadu_ps(r5 + 8));
    }
    _mm256_storeu_ps(r0, c00);
    _mm256_storeu_ps(r0 + 8, c01);
    _mm256_storeu_ps(r1, c10);
    _mm256_storeu_ps(r1 + 8, c11);
    _mm256_storeu_ps(r2, c20);
    _mm256_storeu_ps(r2 + 8, c21);
    _mm256_storeu_ps(r3, c30);
    _mm256_storeu_ps(r3 + 8, c31);
    _mm256_storeu_ps(r4, c40);
    _mm256_storeu_ps(r4 + 8, c41);
    _mm256_storeu_ps(r5, c50);
    _mm256_storeu_ps(r5 + 8, c51);
    return;
  }
  // An edge tile, or C with a column stride: through a tile on the stack.
  alignas(32) float t[MR * NR];
  _mm256_store_ps(t + 0, c00);
  _mm256_store_ps(t + 8, c01);
  _mm256_store_ps(t + 16, c10);
  _mm256_store_ps(t + 24, c11);
  _mm256_store_ps(t + 32, c20);
  _mm256_store_ps(t + 40, c21);
  _mm256_store_ps(t + 48, c30);
  _mm256_store_ps(t + 56, c31);
  _mm256_store_ps(t + 64, c40);
  _mm256_store_ps(t + 72, c41);
  _mm256_store_ps(t + 80, c50);
  _mm256_store_ps(t + 88, c51);
  for (int64_t i = 0; i < mr; i++) {
    for (int64_t j = 0; j < nr; j++) {
      float* c = C + i * cRow + j * cCol;
      *c = accumulate ? *c + t[i * NR + j] : t[i * NR + j];
    }
  }
}

// A block of at most MR rows of A against B read where it lies, without packing B: each element
// is the same chain of FMAs over k as in micro / micro_rows on a packed panel, so the bits are
// the packed path's. With so few rows packing B cost more than the product, and a tile of R ≤ 3
// rows by 16 columns leaves the FMA units waiting on their own latency (2R chains), so these run
// P panels side by side. nn.Linear(784, 512) on one row: 89 µs packed (x·Wᵀ), 78 (x·W).
//
// Writes R rows of P·16 accumulators to C (added to what is there after the first KC block).
template <int R, int P>
inline void store_tile(const __m256 (&c)[R][2 * P], float* C, int64_t cRow, bool accumulate) {
#pragma GCC unroll 6
  for (int i = 0; i < R; i++) {
#pragma GCC unroll 8
    for (int v = 0; v < 2 * P; v++) {
      float* out = C + i * cRow + 8 * v;
      __m256 x = c[i][v];
      if (accumulate) x = _mm256_add_ps(x, _mm256_loadu_ps(out));
      _mm256_storeu_ps(out, x);
    }
  }
}

// B row-major (x·W, a gradient g·W), or the panels of a B packed beforehand: each k reads P·16
// floats, panel p's at B + p · panelStep (16 for B's row, kc · NR for packed panels), and the
// next k's `rowStep` floats further on.
template <int R, int P>
void direct_nn(int64_t kc, const float* A, const float* B, int64_t rowStep, int64_t panelStep, float* C, int64_t cRow,
               bool accumulate) {
  __m256 c[R][2 * P];
#pragma GCC unroll 6
  for (int i = 0; i < R; i++) {
#pragma GCC unroll 8
    for (int v = 0; v < 2 * P; v++) c[i][v] = _mm256_setzero_ps();
  }
#pragma GCC unroll 2
  for (int64_t k = 0; k < kc; k++) {
#pragma GCC unroll 8
    for (int v = 0; v < 2 * P; v++) {
      const __m256 b = _mm256_loadu_ps(B + (v >> 1) * panelStep + 8 * (v & 1));
#pragma GCC unroll 6
      for (int i = 0; i < R; i++) c[i][v] = _mm256_fmadd_ps(_mm256_broadcast_ss(A + i), b, c[i][v]);
    }
    A += MR;
    B += rowStep;
  }
  store_tile<R, P>(c, C, cRow, accumulate);
}

// B = Wᵀ (x·Wᵀ: column j of B is row j of W, contiguous along k, rows `ldw` apart). Per 8 k,
// each 8x8 block of W is transposed in registers into a small table in L1 (8 k × P·16
// columns), which the FMAs then read as they would a packed panel.
template <int R, int P>
void direct_nt(int64_t kc, const float* A, const float* W, int64_t ldw, float* C, int64_t cRow, bool accumulate) {
  alignas(32) float table[8 * 16 * P];
  __m256 c[R][2 * P];
#pragma GCC unroll 6
  for (int i = 0; i < R; i++) {
#pragma GCC unroll 8
    for (int v = 0; v < 2 * P; v++) c[i][v] = _mm256_setzero_ps();
  }
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    for (int v = 0; v < 2 * P; v++) {
      __m256 r[8];
      load_transposed8(W + 8 * v * ldw + k, ldw, r);
      for (int t = 0; t < 8; t++) _mm256_store_ps(table + t * 16 * P + 8 * v, r[t]);
    }
    const float* a = A + k * MR;
    for (int t = 0; t < 8; t++) {
#pragma GCC unroll 8
      for (int v = 0; v < 2 * P; v++) {
        const __m256 b = _mm256_load_ps(table + t * 16 * P + 8 * v);
#pragma GCC unroll 6
        for (int i = 0; i < R; i++) c[i][v] = _mm256_fmadd_ps(_mm256_broadcast_ss(a + t * MR + i), b, c[i][v]);
      }
    }
  }
  for (; k < kc; k++) {
    for (int v = 0; v < 2 * P; v++) {
      const float* w = W + 8 * v * ldw + k;
      const __m256 b = _mm256_setr_ps(w[0], w[ldw], w[2 * ldw], w[3 * ldw], w[4 * ldw], w[5 * ldw], w[6 * ldw],
                                      w[7 * ldw]);
#pragma GCC unroll 6
      for (int i = 0; i < R; i++) c[i][v] = _mm256_fmadd_ps(_mm256_broadcast_ss(A + k * MR + i), b, c[i][v]);
    }
  }
  store_tile<R, P>(c, C, cRow, accumulate);
}

// Panels a call takes for R rows: enough chains to cover the FMA latency, at most 12
// accumulators.
template <int R>
constexpr int direct_panels() {
  return R == 1 ? 4 : R <= 3 ? 2 : 1;
}

template <int R>
int64_t direct_rows(int64_t kc, const float* A, const float* b, int64_t bRow, int64_t bCol, float* C, int64_t cRow,
                    int64_t nc, bool accumulate) {
  constexpr int P = direct_panels<R>();
  const bool nn = bCol == 1;
  int64_t j = 0;
  for (; j + P * NR <= nc; j += P * NR) {
    if (nn) direct_nn<R, P>(kc, A, b + j, bRow, NR, C + j, cRow, accumulate);
    else direct_nt<R, P>(kc, A, b + j * bCol, bCol, C + j, cRow, accumulate);
  }
  for (; j + NR <= nc; j += NR) {
    if (nn) direct_nn<R, 1>(kc, A, b + j, bRow, NR, C + j, cRow, accumulate);
    else direct_nt<R, 1>(kc, A, b + j * bCol, bCol, C + j, cRow, accumulate);
  }
  return j;
}

// The full 16-column panels of a kc × nc block of B against mr ≤ MR packed rows of A, B in
// place; returns how many columns it did (0 where it does not apply: a strided C, B with
// neither stride 1, or six rows of x·Wᵀ). The rest is packed as usual.
int64_t direct_block(int64_t kc, const float* A, const float* b, int64_t bRow, int64_t bCol, float* C, int64_t cRow,
                     int64_t cCol, int64_t mr, int64_t nc, bool accumulate) {
  if (cCol != 1 || (bCol != 1 && bRow != 1)) return 0;
  // Six rows of x·Wᵀ (12 accumulators beside the 8 transposed vectors) ran no faster than
  // packing: 104-106 µs packed, 108-128 in place, on Linear(784, 512).
  if (bCol != 1 && mr == MR) return 0;
  switch (mr) {
    case 1: return direct_rows<1>(kc, A, b, bRow, bCol, C, cRow, nc, accumulate);
    case 2: return direct_rows<2>(kc, A, b, bRow, bCol, C, cRow, nc, accumulate);
    case 3: return direct_rows<3>(kc, A, b, bRow, bCol, C, cRow, nc, accumulate);
    case 4: return direct_rows<4>(kc, A, b, bRow, bCol, C, cRow, nc, accumulate);
    case 5: return direct_rows<5>(kc, A, b, bRow, bCol, C, cRow, nc, accumulate);
    case 6: return direct_rows<6>(kc, A, b, bRow, bCol, C, cRow, nc, accumulate);
    default: return 0;
  }
}

template <int R>
int64_t packed_panels(int64_t kc, const float* A, const float* packed, float* C, int64_t cRow, int64_t nc,
                      bool accumulate) {
  constexpr int P = direct_panels<R>();
  int64_t j = 0;
  for (; j + P * NR <= nc; j += P * NR) direct_nn<R, P>(kc, A, packed + j * kc, NR, kc * NR, C + j, cRow, accumulate);
  return j;
}

// Up to three rows against a B packed beforehand run P of its panels side by side (direct_nn over
// the panels: micro_rows's chain of FMAs per element, so the same bits); four to six rows already
// have enough chains in micro_rows / micro (returns 0: all of it is left to them).
int64_t packed_block(int64_t kc, const float* A, const float* packed, float* C, int64_t cRow, int64_t cCol, int64_t mr,
                     int64_t nc, bool accumulate) {
  if (cCol != 1) return 0;
  switch (mr) {
    case 1: return packed_panels<1>(kc, A, packed, C, cRow, nc, accumulate);
    case 2: return packed_panels<2>(kc, A, packed, C, cRow, nc, accumulate);
    case 3: return packed_panels<3>(kc, A, packed, C, cRow, nc, accumulate);
    default: return 0;
  }
}

#include "gemm_driver.h"

}  // namespace

void gemm_range_avx2(const Gemm& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float* packA, float* packB) {
  drive(g, m0, m1, n0, n1, packA, packB);
}

void pack_b_whole_avx2(int64_t K, int64_t N, const float* b, int64_t bRow, int64_t bCol, float* dst) {
  pack_whole(K, N, b, bRow, bCol, dst);
}

void pack_panels_avx2(const Gemm& g, int64_t pc, int64_t kc, int64_t jc, int64_t j0, int64_t j1, float* panels) {
  pack_panels(g, pc, kc, jc, j0, j1, panels);
}

void rows_block_avx2(const Gemm& g, int64_t ic, int64_t mc, int64_t pc, int64_t kc, int64_t jc, int64_t nc,
                   const float* panels, float* packA) {
  rows_block(g, ic, mc, pc, kc, jc, nc, panels, packA);
}

bool gemm_avx2_compiled() { return true; }

#else

void gemm_range_avx2(const Gemm&, int64_t, int64_t, int64_t, int64_t, float*, float*) {}
void pack_b_whole_avx2(int64_t, int64_t, const float*, int64_t, int64_t, float*) {}
void pack_panels_avx2(const Gemm&, int64_t, int64_t, int64_t, int64_t, int64_t, float*) {}
void rows_block_avx2(const Gemm&, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, const float*, float*) {}
bool gemm_avx2_compiled() { return false; }

#endif

}  // namespace tsn

#if TSN_AVX2
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
