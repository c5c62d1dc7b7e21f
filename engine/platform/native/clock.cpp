#include <chrono>

#include "engine/platform/clock.hpp"

namespace samovar::platform {

Nanos now() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace samovar::platform
