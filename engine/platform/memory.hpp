#pragma once
#include <cstddef>

namespace samovar::platform {

// Bytes the allocator has handed out and not taken back (malloc's own count, both targets).
std::size_t heap_in_use() noexcept;

// What the run holds as this target can count it: natively the OS's resident bytes of this
// process and its children, in WASM the module's heap. `what` says which, for the report.
struct MemoryReading {
  std::size_t bytes;
  const char* what;
};
MemoryReading memory_in_use();

}  // namespace samovar::platform
