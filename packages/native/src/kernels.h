// The kernels the addon exports, over resolved views (pointers already at each view's first
// element, strides in elements), as the JS side lays them out in the shared parameter array.

#pragma once

#include <cstddef>
#include <cstdint>

#include "gemm.h"

namespace tsn {

class Pool;

constexpr int kMaxDims = 16;

struct MatmulArgs {
  bool avx2;  // run the AVX2+FMA build (else the portable one)
  Gemm g;     // the first batch's matrices
  int64_t batches;
  int batchDims;
  int64_t batchShape[kMaxDims];
  int64_t aBatch[kMaxDims], bBatch[kMaxDims], cBatch[kMaxDims];
};

// False, having written nothing, when the calling thread could not allocate its packing
// buffers (pack_buffer_bytes() in all); workers that cannot get theirs leave their parts to it.
bool matmul(Pool& pool, const MatmulArgs& m);
size_t pack_buffer_bytes();
// Packs the whole K x N matrix B for products that reuse it (Gemm::packedB), laid out as gemm.h
// describes, at dst (32-byte aligned), with the build `avx2` picks (both lay it out alike).
void pack_b_whole(bool avx2, int64_t K, int64_t N, const float* b, int64_t bRow, int64_t bCol, float* dst);
// Whether this CPU runs the AVX2+FMA build (and it was compiled in).
bool avx2_available();

// Elementwise over up to three views of one shape (out first). `views` pointers are at each
// view's first element; strides[v][d] in elements.
struct Walk {
  int nd;
  int64_t shape[kMaxDims];
  int64_t strides[3][kMaxDims];
};

// Op codes shared with src/backend/native/ops.ts.
enum BinaryCode : int { kAdd = 0, kSub, kMul, kDiv, kMaximum, kMinimum, kReluBackward };
enum UnaryCode : int { kNeg = 0, kAbs, kRelu, kSqrt, kSquare, kReciprocal };

void binary(Pool& pool, int op, Walk& w, float* out, const float* a, const float* b);
void unary(Pool& pool, int op, Walk& w, float* out, const float* a);
void copy(Pool& pool, Walk& w, float* out, const float* a);
void fill(Walk& w, float* out, float value);
// out[o·inner + i] = Σ_r a[(o·reduced + r)·inner + i], in binary64, r in order; false when its
// `inner` accumulators could not be allocated.
bool sum_dense(float* out, const float* a, int64_t outer, int64_t reduced, int64_t inner);

struct SgdArgs {
  int64_t n;
  float wd, momentum, oneMinusDamp, negLr;
  bool decay, useMomentum, damped, nesterov, maximize, first;
};
void sgd_step(Pool& pool, const SgdArgs& h, float* p, const float* g, float* buf);

// PyTorch's MT19937: `n` draws into out from the 624-word state at (left, next), as
// Generator.nextUint32 makes them (twisting when a block is used up); left and next advance.
void mt_fill(uint32_t* mt, int64_t& left, int64_t& next, uint32_t* out, int64_t n);
// Bernoulli(p) as 0/1 floats from one 53-bit uniform per element (bernoulli_'s default kernel).
void mt_bernoulli53(uint32_t* mt, int64_t& left, int64_t& next, float* out, int64_t n, double p);

struct AdamArgs {
  int64_t n;
  float shrink, wd, w, oneMinusW, beta2, value, bc2, eps, negStep;
  bool decay, decoupled, small, maximize;
};
// Raises glibc's mmap and trim thresholds once per process (malloc_tune.cc); says what it did.
const char* tune_malloc();

void adam_step(Pool& pool, const AdamArgs& h, float* p, const float* g, float* m, float* v, float* vmax);

}  // namespace tsn
