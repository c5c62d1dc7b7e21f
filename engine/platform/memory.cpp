#include "engine/platform/memory.hpp"

#include <malloc.h>

namespace samovar::platform {

// glibc and Emscripten's dlmalloc both keep this count; only the call's width differs.
std::size_t heap_in_use() noexcept {
#if defined(__GLIBC__)
  return mallinfo2().uordblks;
#else
  return static_cast<std::size_t>(mallinfo().uordblks);
#endif
}

}  // namespace samovar::platform
