// The intra-op thread pool: (threads − 1) workers plus the calling thread.
//
// A job is `parts` independent pieces, taken from a shared counter by whoever is free. Workers
// spin for a short while after each job (a training step issues its products back to back)
// and then sleep. The caller never waits for a worker that has not started: before it returns
// it withdraws every offer not yet claimed (a CAS on the worker's state), and waits only for
// workers that claimed one, so a sleeping worker costs its wake-up, never the caller's time.

#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tsn {

class Pool {
 public:
  using Task = void (*)(void* context, int part);

  Pool() = default;
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Total threads, the caller included (at least 1).
  void resize(int threads);
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs task(context, p) for p in [0, parts), on the caller and the workers; returns when all are done.
  void run(int parts, Task task, void* context);

 private:
  enum State : int { kIdle = 0, kOffered = 1, kClaimed = 2 };
  struct alignas(64) Slot {
    std::atomic<int> state{kIdle};
  };

  void work(int index);
  void drain();
  void stop();

  std::vector<std::thread> workers_;
  std::vector<Slot> slots_;
  // The current job; written before the offers are published, read only by claimants.
  Task task_ = nullptr;
  void* context_ = nullptr;
  int parts_ = 0;
  alignas(64) std::atomic<int> next_{0};
  alignas(64) std::atomic<int> sleepers_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

}  // namespace tsn
