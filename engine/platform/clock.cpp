#include "engine/platform/clock.hpp"

#include <algorithm>
#include <climits>
#include <thread>

namespace samovar::platform {

// Both targets' std::this_thread::sleep_for really sleeps (a futex wait on a WASM pthread).
void sleep_for(Nanos duration) noexcept {
  if (duration > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(duration));
}

double timer_resolution_seconds() noexcept {
  Nanos best = LLONG_MAX;
  for (int i = 0; i < 200; ++i) {
    const Nanos a = now();
    Nanos b = now();
    while (b == a) b = now();
    best = std::min(best, b - a);
  }
  return to_seconds(best);
}

}  // namespace samovar::platform
