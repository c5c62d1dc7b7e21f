#include "engine/platform/clock.hpp"

#include <algorithm>
#include <thread>

namespace samovar::platform {

Nanos now() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void sleep_for(Nanos duration) noexcept {
  if (duration > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(duration));
}

double timer_resolution_seconds() noexcept {
  Nanos best = INT64_MAX;
  for (int i = 0; i < 1000; ++i) {
    const Nanos a = now();
    Nanos b = now();
    while (b == a) b = now();
    best = std::min(best, b - a);
  }
  return to_seconds(best);
}

}  // namespace samovar::platform
