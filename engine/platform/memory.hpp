#pragma once
#include <cstddef>

namespace samovar::platform {

// Bytes the allocator has handed out and not taken back (malloc's own count, both targets).
std::size_t heap_in_use() noexcept;

}  // namespace samovar::platform
