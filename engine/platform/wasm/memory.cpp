#include "engine/platform/memory.hpp"

namespace samovar::platform {

// The module's memory only grows, so what it holds for the run is the heap in use (thread
// stacks included: Emscripten allocates them there). Process workers' instances are not counted.
MemoryReading memory_in_use() {
  return {heap_in_use(), "the module's heap in use"};
}

}  // namespace samovar::platform
