#pragma once
#include <chrono>
#include <thread>

namespace samovar::platform {

// Polls `ready` for at most `budget` before the caller blocks. Between two threads on two cores a
// hand-over then costs a cache-line transfer instead of a futex sleep and wake (~5 us each way
// here). On one core the other thread cannot run while this one spins: no spinning there.
template <class Ready>
bool spin_until(Ready ready, std::chrono::nanoseconds budget = std::chrono::microseconds(20)) {
  static const bool worth_it = std::thread::hardware_concurrency() > 1;
  if (!worth_it) return ready();
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 0;; ++i) {
    if (ready()) return true;
    if (i % 64 == 63 && std::chrono::steady_clock::now() - start > budget) return false;
  }
}

}  // namespace samovar::platform
