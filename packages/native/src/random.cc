// PyTorch's CPU generator (mt19937, as src/random/generator.ts implements it) in bulk: Dropout
// draws two 32-bit words per element, and in JS the twister ran at about 9 ns a word here.

#include "kernels.h"

namespace tsn {

namespace {
constexpr int N = 624;
constexpr int M = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfu;
constexpr uint32_t kUpper = 0x80000000u;
constexpr uint32_t kLower = 0x7fffffffu;

void twist(uint32_t* mt) {
  int k = 0;
  for (; k < N - M; k++) {
    const uint32_t y = (mt[k] & kUpper) | (mt[k + 1] & kLower);
    mt[k] = mt[k + M] ^ (y >> 1) ^ ((mt[k + 1] & 1u) ? kMatrixA : 0u);
  }
  for (; k < N - 1; k++) {
    const uint32_t y = (mt[k] & kUpper) | (mt[k + 1] & kLower);
    mt[k] = mt[k + M - N] ^ (y >> 1) ^ ((mt[k + 1] & 1u) ? kMatrixA : 0u);
  }
  const uint32_t y = (mt[N - 1] & kUpper) | (mt[0] & kLower);
  mt[N - 1] = mt[M - 1] ^ (y >> 1) ^ ((mt[0] & 1u) ? kMatrixA : 0u);
}
}  // namespace

void mt_fill(uint32_t* mt, int64_t& left, int64_t& next, uint32_t* out, int64_t n) {
  int64_t i = 0;
  while (i < n) {
    if (--left == 0) {
      twist(mt);
      left = N;
      next = 0;
    }
    // Draws left in this block, the current one included (left counts it).
    int64_t take = n - i < left ? n - i : left;
    for (int64_t end = i + take; i < end; i++, next++) {
      uint32_t y = mt[next];
      y ^= y >> 11;
      y ^= (y << 7) & 0x9d2c5680u;
      y ^= (y << 15) & 0xefc60000u;
      y ^= y >> 18;
      out[i] = y;
    }
    left -= take - 1;
  }
}

void mt_bernoulli53(uint32_t* mt, int64_t& left, int64_t& next, float* out, int64_t n, double p) {
  // Two words per element (uniform_real_distribution<double>: the low 53 bits of a 64-bit
  // draw, high word first), drawn in chunks so the comparison runs over a small buffer.
  uint32_t raw[1024];
  for (int64_t i = 0; i < n;) {
    const int64_t chunk = n - i < 512 ? n - i : 512;
    mt_fill(mt, left, next, raw, 2 * chunk);
    for (int64_t k = 0; k < chunk; k++) {
      const double u = (static_cast<double>(raw[2 * k] & 0x1fffffu) * 4294967296.0 + static_cast<double>(raw[2 * k + 1])) *
                       1.1102230246251565e-16;
      out[i + k] = u < p ? 1.0f : 0.0f;
    }
    i += chunk;
  }
}

}  // namespace tsn
