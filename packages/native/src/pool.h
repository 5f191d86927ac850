// The intra-op thread pool: (threads − 1) workers plus the calling thread.
//
// A job is `parts` independent pieces, taken from a shared counter by whoever is free. Workers
// spin for a short while after each job (a training step issues its products back to back)
// and then sleep. The caller never waits for a worker that has not started: before it returns
// it withdraws every offer not yet claimed (a CAS on the worker's state), and waits only for
// workers that claimed one, so a sleeping worker costs its wake-up, never the caller's time.
//
// Nothing here may abort the process (the addon is built without exceptions): workers start
// through the platform's error-returning call (pthread_create, CreateThread), not std::thread,
// whose failure throws; a worker that the OS refuses (RLIMIT_NPROC, a cgroup's pids.max) is
// simply not there, and the jobs run on the workers that did start, or on the caller alone.
// Slots and thread handles are fixed arrays, so resizing allocates nothing either.

#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <emmintrin.h>
#endif

#if defined(_WIN32)
#define TSN_POOL_WIN32 1
#else
#include <pthread.h>
#endif

namespace tsn {

// The processor's spin-wait hint (PAUSE on x86), or a yield where there is none.
inline void cpu_pause() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Waits until done() holds: spins with the hint for a short while (a wait between threads that
// are both running ends within microseconds), then yields the core on every try, since on a busy
// machine the thread waited for may be descheduled and need this core to finish.
template <class Done>
void spin_then_yield(Done done) {
  for (int spins = 0; !done(); spins++) {
    if (spins < 4096) cpu_pause();
    else std::this_thread::yield();
  }
}

class Pool {
 public:
  using Task = void (*)(void* context, int part);
  // Asked by a worker before it takes parts of a job: false means it cannot run them (it could
  // not get its work space), and it leaves them to the caller and the other workers.
  using Ready = bool (*)(void* context);

  // As checks.h's kMaxThreads (the caller plus 63 workers).
  static constexpr int kMaxWorkers = 63;

  Pool() = default;
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Asks for `threads` in total, the caller included (clamped to [1, kMaxWorkers + 1]). Workers
  // the OS refuses to start are left out: size() says how many threads the pool really has.
  void resize(int threads);
  // Threads the jobs run on, the caller included (at least 1).
  int size() const { return workers_ + 1; }

  // Runs task(context, p) for p in [0, parts), on the caller and the workers; returns when all
  // are done. A worker for which `ready` (if given) says false takes no part.
  void run(int parts, Task task, void* context, Ready ready = nullptr);

 private:
  enum State : int { kIdle = 0, kOffered = 1, kClaimed = 2 };
  struct alignas(64) Slot {
    std::atomic<int> state{kIdle};
    Pool* pool = nullptr;
    int index = 0;
  };
#if defined(TSN_POOL_WIN32)
  using Handle = void*;
#else
  using Handle = pthread_t;
#endif

  bool start(int index);
#if defined(TSN_POOL_WIN32)
  static unsigned long __stdcall entry(void* slot);
#else
  static void* entry(void* slot);
#endif
  void work(int index);
  void drain();
  void stop();

  Slot slots_[kMaxWorkers];
  Handle handles_[kMaxWorkers];
  int workers_ = 0;  // started workers: slots_[0, workers_) have a thread
  // The current job; written before the offers are published, read only by claimants.
  Task task_ = nullptr;
  Ready ready_ = nullptr;
  void* context_ = nullptr;
  int parts_ = 0;
  alignas(64) std::atomic<int> next_{0};
  alignas(64) std::atomic<int> sleepers_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

// Elementwise jobs (and the fused optimizer steps) above this many elements (512 KiB of float32
// per operand, past L2) are split over the pool: below it one core streams them in ~30 µs, and a
// split saves less than a wake-up may cost.
constexpr int64_t kParallelElements = 1 << 17;

// Splits [0, total) over the pool when it is large, else runs it here.
template <class Range>
void parallel_range(Pool& pool, int64_t total, Range range) {
  const int threads = total >= kParallelElements ? pool.size() : 1;
  if (threads == 1) return range(0, total);
  struct Context {
    Range* range;
    int64_t total;
    int parts;
  } context{&range, total, threads};
  pool.run(
      threads,
      [](void* c, int part) {
        const Context& ctx = *static_cast<const Context*>(c);
        // Part boundaries on 16-float (64-byte) lines, so no two threads write one cache line.
        int64_t chunk = (ctx.total + ctx.parts - 1) / ctx.parts;
        chunk = (chunk + 15) / 16 * 16;
        const int64_t lo = part * chunk;
        const int64_t hi = lo + chunk < ctx.total ? lo + chunk : ctx.total;
        if (lo < hi) (*ctx.range)(lo, hi);
      },
      &context);
}

}  // namespace tsn
