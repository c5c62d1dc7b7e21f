#include "engine/platform/clock.hpp"

#include <emscripten/emscripten.h>

#include <algorithm>
#include <thread>

namespace samovar::platform {

// performance.now(): its resolution is what the browser allows (5 us cross-origin isolated,
// 100 us otherwise), which is why the report states it.
Nanos now() noexcept { return static_cast<Nanos>(emscripten_get_now() * 1e6); }

void sleep_for(Nanos duration) noexcept {
  if (duration > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(duration));
}

double timer_resolution_seconds() noexcept {
  Nanos best = INT64_MAX;
  for (int i = 0; i < 200; ++i) {
    const Nanos a = now();
    Nanos b = now();
    while (b == a) b = now();
    best = std::min(best, b - a);
  }
  return to_seconds(best);
}

}  // namespace samovar::platform
