#include "engine/platform/clock.hpp"

#include <algorithm>
#include <climits>
#include <thread>

namespace samovar::platform {

namespace {
thread_local const std::atomic<Nanos>* followed = nullptr;
}  // namespace

Nanos now() noexcept {
  if (followed != nullptr) return followed->load(std::memory_order_relaxed);
  return machine_now();
}

void follow_clock(const std::atomic<Nanos>* clock) noexcept {
  followed = clock;
}

// Both targets' std::this_thread::sleep_for really sleeps (a futex wait on a WASM pthread).
void sleep_for(Nanos duration) noexcept {
  if (duration > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(duration));
}

double timer_resolution_seconds() noexcept {
  Nanos best = LLONG_MAX;
  for (int i = 0; i < 200; ++i) {
    const Nanos a = machine_now();
    Nanos b = machine_now();
    while (b == a) b = machine_now();
    best = std::min(best, b - a);
  }
  return to_seconds(best);
}

}  // namespace samovar::platform
