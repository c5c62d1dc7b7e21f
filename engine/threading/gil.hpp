#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "engine/threading/runtime.hpp"

namespace samovar::threading {

// CPython's global interpreter lock, as a model: Python-level work runs only while holding it.
// A thread that has waited a switch interval without the GIL changing hands asks the holder
// to drop it; the holder does at its next checkpoint and waits until another thread took it
// (CPython's forced switching). Blocking waits drop it (WaitScope). Its holds are spans on a
// lane of their own, "GIL". Thread-safe.
class Gil {
 public:
  Gil(Runtime& rt, double switch_interval_s);

  // Blocks until `me` holds it; false if the run ended the wait first (deadline, daemon stop).
  bool take(ThreadState& me);
  // `forced`: asked to by a waiter; returns once another thread holds it (or none waits).
  void drop(ThreadState& me, bool forced);
  bool drop_requested() const noexcept { return drop_request_.load(std::memory_order_relaxed); }
  std::uint64_t switches() const;

 private:
  Runtime& rt_;
  const platform::Nanos interval_;
  const trace::LaneId lane_;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::condition_variable switched_;
  ThreadState* holder_ = nullptr;
  int waiters_ = 0;
  std::uint64_t switches_ = 0;
  platform::Nanos held_since_ = 0;
  std::atomic<bool> drop_request_{false};
};

}  // namespace samovar::threading
