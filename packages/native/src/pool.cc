#include "pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TSN_PAUSE() _mm_pause()
#else
#define TSN_PAUSE() std::this_thread::yield()
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
}  // namespace

Pool::~Pool() { stop(); }

void Pool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  stopping_.store(false);
}

void Pool::resize(int threads) {
  if (threads < 1) threads = 1;
  if (threads == size()) return;
  stop();
  slots_ = std::vector<Slot>(static_cast<size_t>(threads - 1));
  for (int i = 0; i < threads - 1; i++) workers_.emplace_back([this, i] { work(i); });
}

void Pool::drain() {
  for (;;) {
    const int p = next_.fetch_add(1, std::memory_order_relaxed);
    if (p >= parts_) return;
    task_(context_, p);
  }
}

void Pool::run(int parts, Task task, void* context) {
  if (parts <= 0) return;
  if (parts == 1 || workers_.empty()) {
    for (int p = 0; p < parts; p++) task(context, p);
    return;
  }
  task_ = task;
  context_ = context;
  parts_ = parts;
  next_.store(0, std::memory_order_relaxed);
  const size_t offers = static_cast<size_t>(parts - 1) < slots_.size() ? static_cast<size_t>(parts - 1) : slots_.size();
  for (size_t i = 0; i < offers; i++) slots_[i].state.store(kOffered, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  drain();
  for (size_t i = 0; i < offers; i++) {
    int expected = kOffered;
    if (slots_[i].state.compare_exchange_strong(expected, kIdle, std::memory_order_acq_rel)) continue;
    // A worker that claimed a part is running it; on a busy machine it may be descheduled, so
    // after a short spin give it the core rather than spinning against it.
    for (int spins = 0; slots_[i].state.load(std::memory_order_acquire) == kClaimed; spins++) {
      if (spins < 4096) TSN_PAUSE();
      else std::this_thread::yield();
    }
  }
}

void Pool::work(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  auto last = std::chrono::steady_clock::now();
  for (;;) {
    int spins = 0;
    while (slot.state.load(std::memory_order_acquire) != kOffered) {
      if (stopping_.load(std::memory_order_relaxed)) return;
      TSN_PAUSE();
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
      drain();
      slot.state.store(kIdle, std::memory_order_release);
    }
    last = std::chrono::steady_clock::now();
  }
}

}  // namespace tsn
