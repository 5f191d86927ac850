// The float32 GEMM: C = A·B over strided operands (any strides, zero for broadcast), one
// matrix at a time. gemm.cc holds the dispatcher and threading; each kernel build (AVX2+FMA,
// portable) provides `gemm_range_*`, which computes a rectangle of C single-threaded.

#pragma once

#include <cstdint>

namespace tsn {

struct Gemm {
  int64_t M, N, K;
  const float* a;
  int64_t aRow, aCol;
  const float* b;
  int64_t bRow, bCol;
  float* c;
  int64_t cRow, cCol;
  // B packed whole beforehand (pack_b_whole_*: a layer's weight kept packed between products),
  // or null: B is packed block by block as the product runs. Every batch shares it.
  const float* packedB = nullptr;
};

// Blocking (BLIS's names): a KC×NR panel of B (20 KiB) stays in L1 while the MR×KC panels of an
// MC×KC block of A (180 KiB) stream from L2; the KC×NC block of B lives in L3. Sized for 32 KiB
// L1d and 512 KiB L2 per core; KC 320 rather than 256 measured 2-5% faster on 1024³ and on
// nn.Linear(784, 512) (784 = 3 blocks of 264 instead of 4 of 196: fewer passes over C).
constexpr int64_t MR = 6;
constexpr int64_t NR = 16;
constexpr int64_t KC = 320;
constexpr int64_t MC = 144;
constexpr int64_t NC = 3072;

// Splits `total` into the fewest blocks of at most `cap`, of near-equal size rounded up to
// `unit`: K = 300 becomes 152 + 148 rather than 256 + 44, so no block is a thin remainder.
inline int64_t balanced_block(int64_t total, int64_t cap, int64_t unit) {
  const int64_t blocks = (total + cap - 1) / cap;
  int64_t size = (total + blocks - 1) / blocks;
  size = (size + unit - 1) / unit * unit;
  return size < cap ? size : cap;
}

// Packing work space for one thread, in floats (A block, B block, with slack for the packing
// stores that run two floats past the end of a panel).
constexpr int64_t PACK_A_FLOATS = MC * KC + 64;
constexpr int64_t PACK_B_FLOATS = KC * NC + 64;

// A whole packed B (K x N) is ceil(N / NR) · NR · K floats: for each KC block of k, starting at
// k0 · npad, its NR-column panels side by side, panel j (a multiple of NR) at j · kc, zero-padded
// past N. Both builds lay it out alike, so either can read what the other packed.

// Rows [m0, m1) and columns [n0, n1) of C, with the caller's packing buffers (32-byte aligned).
void gemm_range_avx2(const Gemm& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float* packA, float* packB);
void gemm_range_portable(const Gemm& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float* packA, float* packB);
// The shared-B schedule's halves (gemm_driver.h's pack_panels and rows_block).
void pack_panels_avx2(const Gemm& g, int64_t pc, int64_t kc, int64_t jc, int64_t j0, int64_t j1, float* panels);
void pack_panels_portable(const Gemm& g, int64_t pc, int64_t kc, int64_t jc, int64_t j0, int64_t j1, float* panels);
void rows_block_avx2(const Gemm& g, int64_t ic, int64_t mc, int64_t pc, int64_t kc, int64_t jc, int64_t nc,
                     const float* panels, float* packA);
void rows_block_portable(const Gemm& g, int64_t ic, int64_t mc, int64_t pc, int64_t kc, int64_t jc, int64_t nc,
                         const float* panels, float* packA);
// Packs the whole K x N matrix B into dst (laid out as above, 32-byte aligned).
void pack_b_whole_avx2(int64_t K, int64_t N, const float* b, int64_t bRow, int64_t bCol, float* dst);
void pack_b_whole_portable(int64_t K, int64_t N, const float* b, int64_t bRow, int64_t bCol, float* dst);
// Whether the AVX2 build was compiled in (x86-64 with a compiler that knows the target).
bool gemm_avx2_compiled();

}  // namespace tsn
