// The batched matrix product of Backend.matmul: picks the kernel build, owns the per-thread
// packing buffers, and spreads batches and slices of C over the pool.

#include "gemm.h"

#include <atomic>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>
#if defined(_WIN32)
#include <malloc.h>
#endif

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

constexpr size_t aligned_bytes(int64_t floats) { return static_cast<size_t>((floats * 4 + 63) / 64 * 64); }

// 64-byte-aligned floats, or null. The Windows C runtime has no aligned_alloc (its blocks must
// be freed by _aligned_free).
float* alloc_aligned(int64_t floats) {
#if defined(_WIN32)
  return static_cast<float*>(_aligned_malloc(aligned_bytes(floats), 64));
#else
  return static_cast<float*>(std::aligned_alloc(64, aligned_bytes(floats)));
#endif
}

void free_aligned(float* p) {
#if defined(_WIN32)
  _aligned_free(p);
#else
  std::free(p);
#endif
}

struct PackBuffers {
  float* a = nullptr;
  float* b = nullptr;
  ~PackBuffers() {
    free_aligned(a);
    free_aligned(b);
  }
};

// Test only: TORCH_TS_NATIVE_FAIL_ALLOC=worker makes the pool workers' packing buffers fail to
// allocate, =caller the calling (JS) thread's, =all both (test/backend/native_resources.test.ts).
// Unset (the default) it does nothing. Read once per process.
enum FailAlloc : int { kFailNone = 0, kFailWorker = 1, kFailCaller = 2 };
int fail_alloc() {
  static const int mode = [] {
    const char* v = std::getenv("TORCH_TS_NATIVE_FAIL_ALLOC");
    if (v == nullptr) return int{kFailNone};
    if (std::strcmp(v, "worker") == 0) return int{kFailWorker};
    if (std::strcmp(v, "caller") == 0) return int{kFailCaller};
    if (std::strcmp(v, "all") == 0) return kFailWorker | kFailCaller;
    return int{kFailNone};
  }();
  return mode;
}

// This thread's packing buffers, allocated on its first product; null where that failed (the
// next product tries again). The aligned allocation reports failure by returning null, which must not
// reach the kernels: a worker without buffers declines the job's parts (Pool's Ready), and a
// caller without them runs nothing and the export throws.
PackBuffers* pack_buffers(bool worker) {
  thread_local PackBuffers buffers;
  if (buffers.a == nullptr || buffers.b == nullptr) {
    if (fail_alloc() & (worker ? kFailWorker : kFailCaller)) return nullptr;
    if (buffers.a == nullptr) buffers.a = alloc_aligned(PACK_A_FLOATS);
    if (buffers.b == nullptr) buffers.b = alloc_aligned(PACK_B_FLOATS);
    if (buffers.a == nullptr || buffers.b == nullptr) return nullptr;
  }
  return &buffers;
}

bool worker_ready(void*) { return pack_buffers(true) != nullptr; }

void gemm_rect(bool avx2, const Gemm& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  // Only threads whose buffers exist get here: the caller checked its own before the job, a
  // worker in worker_ready; once allocated they stay until the thread ends.
  PackBuffers& p = *pack_buffers(false);
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

// The shared-B schedule (BLIS's), for one large matrix on several threads: for each kc × nc
// block of B in turn, the threads first pack its panels together into one buffer (a few tasks
// of panels each) and then take its blocks of rows one at a time, each thread packing its own
// block of A. Against one slice of C per thread (run_part), A is packed once rather than once
// per thread, the threads read one block of B in L3 rather than one each, and a thread that
// the machine slows down (a busy host takes a vCPU for milliseconds) takes fewer blocks
// instead of holding up the whole product.
//
// Tasks are numbered in order and the pool hands them out in that order (one shared counter),
// so a task waits only for tasks with smaller numbers, which running threads have already
// taken: every wait ends, and on one thread the tasks simply run in order. A block of rows
// waits for its block of B to be packed and for the block of k before it on the same rows
// (both add to C); packing into one of the two buffers waits until the blocks of rows that read
// it two steps before are done.
struct Shared {
  const Gemm* g;
  bool avx2;
  int64_t kcb, ncb, mcb;
  int64_t kSteps, mBlocks;  // blocks of k per block of columns; blocks of rows
  int64_t packTasks, tasksPerStep;
  float* buffers[2];
  std::atomic<int>* packed;    // per step: its pack tasks done
  std::atomic<int>* rowsDone;  // per step: its blocks of rows done
  std::atomic<int>* progress;  // per block of rows: steps done on it
};

void wait_at_least(const std::atomic<int>& counter, int target) {
  spin_then_yield([&] { return counter.load(std::memory_order_acquire) >= target; });
}

void run_shared_task(void* context, int task) {
  const Shared& sh = *static_cast<const Shared*>(context);
  const Gemm& g = *sh.g;
  const int64_t step = task / sh.tasksPerStep;
  const int64_t slot = task % sh.tasksPerStep;
  const int64_t jc = step / sh.kSteps * sh.ncb;
  const int64_t pc = step % sh.kSteps * sh.kcb;
  const int64_t nc = g.N - jc < sh.ncb ? g.N - jc : sh.ncb;
  const int64_t kc = g.K - pc < sh.kcb ? g.K - pc : sh.kcb;
  float* panels = sh.buffers[step & 1];
  const bool avx2 = sh.avx2 && kAvx2;
  if (slot < sh.packTasks) {
    if (step >= 2) wait_at_least(sh.rowsDone[step - 2], static_cast<int>(sh.mBlocks));
    const int64_t units = (nc + NR - 1) / NR;
    const int64_t per = (units + sh.packTasks - 1) / sh.packTasks;
    const int64_t j0 = slot * per * NR;
    const int64_t j1 = j0 + per * NR < nc ? j0 + per * NR : nc;
    if (j0 < j1) {
      if (avx2) pack_panels_avx2(g, pc, kc, jc, j0, j1, panels);
      else pack_panels_portable(g, pc, kc, jc, j0, j1, panels);
    }
    sh.packed[step].fetch_add(1, std::memory_order_acq_rel);
    return;
  }
  const int64_t block = slot - sh.packTasks;
  const int64_t ic = block * sh.mcb;
  const int64_t mc = g.M - ic < sh.mcb ? g.M - ic : sh.mcb;
  wait_at_least(sh.packed[step], static_cast<int>(sh.packTasks));
  wait_at_least(sh.progress[block], static_cast<int>(step));
  float* packA = pack_buffers(false)->a;
  if (avx2) rows_block_avx2(g, ic, mc, pc, kc, jc, nc, panels, packA);
  else rows_block_portable(g, ic, mc, pc, kc, jc, nc, panels, packA);
  sh.progress[block].store(static_cast<int>(step + 1), std::memory_order_release);
  sh.rowsDone[step].fetch_add(1, std::memory_order_acq_rel);
}

// The shared-B schedule pays from a few blocks of rows per thread and a product long enough
// for its per-call work space (two blocks of B, a few MB) to be small beside it. Measured on
// this 2-core VM, one process alternating it with the sliced schedule at 2 threads: 4096³ NN
// median 834 against 888 ms, x·Wᵀ 814 against 896; 2048³ NN 109 against 121 ms; 1024³ 13 against 14.
bool use_shared(const Gemm& g, int threads) {
  return g.M >= 2 * threads * MC && static_cast<double>(g.M) * g.N * g.K >= 1e8;
}

// Runs one matrix by the shared-B schedule; false (nothing written) where its work space could
// not be had or the tasks would not fit an int, and the caller slices C instead.
bool matmul_shared(Pool& pool, const Gemm& g, bool avx2, int threads) {
  Shared sh{};
  sh.g = &g;
  sh.avx2 = avx2;
  sh.kcb = balanced_block(g.K, KC, 8);
  sh.ncb = balanced_block(g.N, NC, NR);
  sh.mcb = balanced_block(g.M, MC, MR);
  sh.kSteps = (g.K + sh.kcb - 1) / sh.kcb;
  sh.mBlocks = (g.M + sh.mcb - 1) / sh.mcb;
  const int64_t steps = (g.N + sh.ncb - 1) / sh.ncb * sh.kSteps;
  sh.packTasks = 2 * threads;
  sh.tasksPerStep = sh.packTasks + sh.mBlocks;
  if (steps * sh.tasksPerStep > INT_MAX || sh.mBlocks > INT_MAX) return false;
  const int64_t bufferFloats = sh.kcb * ((sh.ncb + NR - 1) / NR * NR) + 64;
  sh.buffers[0] = alloc_aligned(bufferFloats);
  sh.buffers[1] = alloc_aligned(bufferFloats);
  std::atomic<int>* counters = new (std::nothrow) std::atomic<int>[2 * steps + sh.mBlocks];
  bool ok = sh.buffers[0] != nullptr && sh.buffers[1] != nullptr && counters != nullptr;
  if (ok) {
    for (int64_t i = 0; i < 2 * steps + sh.mBlocks; i++) counters[i].store(0, std::memory_order_relaxed);
    sh.packed = counters;
    sh.rowsDone = counters + steps;
    sh.progress = counters + 2 * steps;
    pool.run(static_cast<int>(steps * sh.tasksPerStep), run_shared_task, &sh, worker_ready);
  }
  delete[] counters;
  free_aligned(sh.buffers[0]);
  free_aligned(sh.buffers[1]);
  return ok;
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

void pack_b_whole(bool avx2, int64_t K, int64_t N, const float* b, int64_t bRow, int64_t bCol, float* dst) {
  if (avx2 && kAvx2) pack_b_whole_avx2(K, N, b, bRow, bCol, dst);
  else pack_b_whole_portable(K, N, b, bRow, bCol, dst);
}

size_t pack_buffer_bytes() { return aligned_bytes(PACK_A_FLOATS) + aligned_bytes(PACK_B_FLOATS); }

bool matmul(Pool& pool, const MatmulArgs& m) {
  const Gemm& g = m.g;
  if (m.batches == 0 || g.M == 0 || g.N == 0) return true;
  if (g.K == 0) {
    zero_fill(m);
    return true;
  }
  if (pack_buffers(false) == nullptr) return false;
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
  if (job.slices > 1 && m.batches == 1 && g.packedB == nullptr && use_shared(g, threads) &&
      matmul_shared(pool, g, m.avx2, threads)) {
    return true;
  }
  const int64_t parts = m.batches * job.slices;
  if (threads == 1) {
    for (int64_t p = 0; p < parts; p++) run_part(&job, static_cast<int>(p));
    return true;
  }
  pool.run(static_cast<int>(parts), run_part, &job, worker_ready);
  return true;
}

}  // namespace tsn
