// The batched matrix product of Backend.matmul: picks the kernel build, owns the per-thread
// packing buffers, and spreads batches and slices of C over the pool.

#include "gemm.h"

#include <cstdlib>
#include <cstring>

#include "kernels.h"
#include "pool.h"

namespace tsn {

namespace {

// Products below this many multiply-adds run on the calling thread alone. Above it a slice
// takes at least ~2.5 µs at 80 GFLOP/s, against ~1 µs for handing it to a spinning worker plus
// its share of packing the operand both slices need. (Not measured as a crossover: the 2-core
// machine this was written on was shared and gave no stable two-thread timings.)
constexpr double kParallelWork = 400000.0;

bool detect_avx2() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // This runs from a static initializer, before the runtime may have probed the CPU.
  __builtin_cpu_init();
  return gemm_avx2_compiled() && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

const bool kAvx2 = detect_avx2();

struct PackBuffers {
  float* a = nullptr;
  float* b = nullptr;
  ~PackBuffers() {
    std::free(a);
    std::free(b);
  }
};

float* aligned_floats(int64_t n) {
  return static_cast<float*>(std::aligned_alloc(64, static_cast<size_t>((n * 4 + 63) / 64 * 64)));
}

PackBuffers& pack_buffers() {
  thread_local PackBuffers buffers;
  if (buffers.a == nullptr) {
    buffers.a = aligned_floats(PACK_A_FLOATS);
    buffers.b = aligned_floats(PACK_B_FLOATS);
  }
  return buffers;
}

void gemm_rect(bool avx2, const Gemm& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  PackBuffers& p = pack_buffers();
  if (avx2 && kAvx2) gemm_range_avx2(g, m0, m1, n0, n1, p.a, p.b);
  else gemm_range_portable(g, m0, m1, n0, n1, p.a, p.b);
}

// One batch's matrices, found from its flat index by walking the batch dims.
Gemm batch_gemm(const MatmulArgs& m, int64_t index) {
  Gemm g = m.g;
  for (int d = m.batchDims - 1; d >= 0; d--) {
    const int64_t size = m.batchShape[d];
    const int64_t i = index % size;
    index /= size;
    g.a += i * m.aBatch[d];
    g.b += i * m.bBatch[d];
    g.c += i * m.cBatch[d];
  }
  return g;
}

struct Job {
  const MatmulArgs* m;
  int64_t slices;      // slices per batch (1: whole matrices)
  bool alongN;         // slices split N (else M)
  int64_t sliceUnits;  // MR or NR units per slice
};

void run_part(void* context, int part) {
  const Job& job = *static_cast<const Job*>(context);
  const MatmulArgs& m = *job.m;
  const int64_t batch = part / job.slices;
  const int64_t slice = part % job.slices;
  const Gemm g = batch_gemm(m, batch);
  if (job.slices == 1) return gemm_rect(m.avx2, g, 0, g.M, 0, g.N);
  const int64_t unit = job.alongN ? NR : MR;
  const int64_t extent = job.alongN ? g.N : g.M;
  const int64_t lo = slice * job.sliceUnits * unit;
  int64_t hi = lo + job.sliceUnits * unit;
  if (hi > extent) hi = extent;
  if (lo >= hi) return;
  if (job.alongN) gemm_rect(m.avx2, g, 0, g.M, lo, hi);
  else gemm_rect(m.avx2, g, lo, hi, 0, g.N);
}

void zero_fill(const MatmulArgs& m) {
  for (int64_t bi = 0; bi < m.batches; bi++) {
    const Gemm g = batch_gemm(m, bi);
    for (int64_t i = 0; i < g.M; i++) {
      for (int64_t j = 0; j < g.N; j++) g.c[i * g.cRow + j * g.cCol] = 0.0f;
    }
  }
}

}  // namespace

bool avx2_available() { return kAvx2; }

void matmul(Pool& pool, const MatmulArgs& m) {
  const Gemm& g = m.g;
  if (m.batches == 0 || g.M == 0 || g.N == 0) return;
  if (g.K == 0) return zero_fill(m);
  const double work = static_cast<double>(m.batches) * g.M * g.N * g.K;
  const int threads = work < kParallelWork ? 1 : pool.size();
  Job job{&m, 1, false, 0};
  if (threads > 1 && m.batches % threads != 0 && m.batches < 4 * threads) {
    // Too few batches to share evenly: each one is cut into `threads` slices along its longer
    // side, so the operand packed twice is the smaller one.
    job.alongN = g.N >= g.M;
    const int64_t unit = job.alongN ? NR : MR;
    const int64_t units = ((job.alongN ? g.N : g.M) + unit - 1) / unit;
    job.sliceUnits = (units + threads - 1) / threads;
    job.slices = (units + job.sliceUnits - 1) / job.sliceUnits;
  }
  const int64_t parts = m.batches * job.slices;
  if (threads == 1) {
    for (int64_t p = 0; p < parts; p++) run_part(&job, static_cast<int>(p));
    return;
  }
  pool.run(static_cast<int>(parts), run_part, &job);
}

}  // namespace tsn
