#include <emscripten/emscripten.h>

#include "engine/platform/clock.hpp"

namespace samovar::platform {

// performance.now(): its resolution is what the browser allows (5 us cross-origin isolated,
// 100 us otherwise), which is why the report states it.
Nanos now() noexcept { return static_cast<Nanos>(emscripten_get_now() * 1e6); }

}  // namespace samovar::platform
