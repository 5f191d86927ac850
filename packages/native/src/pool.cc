#include "pool.h"

#include <chrono>
#include <cstdlib>

#if defined(TSN_POOL_WIN32)
#include <windows.h>
#endif

namespace tsn {

namespace {
// How long a worker spins for the next job before it sleeps: long enough to stay awake through
// the JS work between the products of a training step (an MLP step's products lie 0.2-0.6 ms
// apart), so they do not pay a wake-up, which on this 2-vCPU VM often put the woken worker on
// the caller's core behind it. Measured, MLP 784-256-10 step at 2 threads, alternating builds:
// 300 µs 1368 / 1189 µs a step (weight gradient 348 / 323 µs), 3 ms 1221 / 1082 µs (325 / 285);
// noisy, but the same way both times. Between steps (data loading, logging) it sleeps.
constexpr auto kSpin = std::chrono::microseconds(3000);

// Test only: TORCH_TS_NATIVE_FAIL_THREADS=n lets each resize start at most n workers and fails
// the rest as an exhausted RLIMIT_NPROC would (test/backend/native_resources.test.ts). Unset
// (the default), or not a count, it does nothing. Read once per process.
int thread_starts_allowed() {
  static const int allowed = [] {
    const char* v = std::getenv("TORCH_TS_NATIVE_FAIL_THREADS");
    if (v == nullptr || *v < '0' || *v > '9') return -1;
    return std::atoi(v);
  }();
  return allowed;
}
}  // namespace

Pool::~Pool() { stop(); }

void Pool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  for (int i = 0; i < workers_; i++) {
#if defined(TSN_POOL_WIN32)
    WaitForSingleObject(handles_[i], INFINITE);
    CloseHandle(handles_[i]);
#else
    pthread_join(handles_[i], nullptr);
#endif
  }
  workers_ = 0;
  stopping_.store(false);
}

#if defined(TSN_POOL_WIN32)
unsigned long __stdcall Pool::entry(void* slot) {
#else
void* Pool::entry(void* slot) {
#endif
  Slot& s = *static_cast<Slot*>(slot);
  s.pool->work(s.index);
  return 0;
}

bool Pool::start(int index) {
  Slot& slot = slots_[index];
  slot.state.store(kIdle);
  slot.pool = this;
  slot.index = index;
  const int allowed = thread_starts_allowed();
  if (allowed >= 0 && index >= allowed) return false;
#if defined(TSN_POOL_WIN32)
  handles_[index] = CreateThread(nullptr, 0, entry, &slot, 0, nullptr);
  return handles_[index] != nullptr;
#else
  return pthread_create(&handles_[index], nullptr, entry, &slot) == 0;
#endif
}

void Pool::resize(int threads) {
  if (threads < 1) threads = 1;
  if (threads > kMaxWorkers + 1) threads = kMaxWorkers + 1;
  // After the OS refused some workers size() is below what was asked, and asking again retries.
  if (threads == size()) return;
  stop();
  // Workers are counted as they start, so a refused one ends the pool where it is: the ones
  // before it stay, and run() offers parts to those only.
  while (workers_ < threads - 1 && start(workers_)) workers_++;
}

void Pool::drain() {
  for (;;) {
    const int p = next_.fetch_add(1, std::memory_order_relaxed);
    if (p >= parts_) return;
    task_(context_, p);
  }
}

void Pool::run(int parts, Task task, void* context, Ready ready) {
  if (parts <= 0) return;
  if (parts == 1 || workers_ == 0) {
    for (int p = 0; p < parts; p++) task(context, p);
    return;
  }
  task_ = task;
  ready_ = ready;
  context_ = context;
  parts_ = parts;
  next_.store(0, std::memory_order_relaxed);
  const int offers = parts - 1 < workers_ ? parts - 1 : workers_;
  for (int i = 0; i < offers; i++) slots_[i].state.store(kOffered, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  drain();
  for (int i = 0; i < offers; i++) {
    int expected = kOffered;
    if (slots_[i].state.compare_exchange_strong(expected, kIdle, std::memory_order_acq_rel)) continue;
    // A worker that claimed a part is running it; on a busy machine it may be descheduled, so
    // after a short spin give it the core rather than spinning against it.
    spin_then_yield([&] { return slots_[i].state.load(std::memory_order_acquire) != kClaimed; });
  }
}

void Pool::work(int index) {
  Slot& slot = slots_[index];
  auto last = std::chrono::steady_clock::now();
  for (;;) {
    int spins = 0;
    while (slot.state.load(std::memory_order_acquire) != kOffered) {
      if (stopping_.load(std::memory_order_relaxed)) return;
      cpu_pause();
      if (++spins % 256 != 0) continue;
      if (std::chrono::steady_clock::now() - last < kSpin) continue;
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      wake_.wait(lock, [&] { return stopping_.load() || slot.state.load(std::memory_order_seq_cst) == kOffered; });
      sleepers_.fetch_sub(1, std::memory_order_seq_cst);
      if (stopping_.load()) return;
    }
    int expected = kOffered;
    if (slot.state.compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel)) {
      // A worker that cannot run this job's parts claims none; the caller's drain takes them.
      if (ready_ == nullptr || ready_(context_)) drain();
      slot.state.store(kIdle, std::memory_order_release);
    }
    last = std::chrono::steady_clock::now();
  }
}

}  // namespace tsn
