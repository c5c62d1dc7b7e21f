#include "engine/platform/shared_memory.hpp"

#include <algorithm>
#include <mutex>
#include <new>
#include <vector>

// The allocator, the same on both targets: first fit over a map of used words. Only the
// parent allocates, and rarely (a few words per Value, Lock or Queue), so it stays simple.
namespace samovar::platform::shared_memory {

namespace {
struct Allocator {
  std::mutex mutex;
  std::vector<bool> used = std::vector<bool>(capacity(), false);
  std::size_t count = 0;
};
Allocator& allocator() {
  static Allocator* a = new Allocator;  // never destroyed: workers may outlive static teardown
  return *a;
}
}  // namespace

Word allocate(std::size_t count) {
  if (count == 0) count = 1;
  Allocator& a = allocator();
  std::lock_guard lock(a.mutex);
  std::size_t run = 0;
  for (std::size_t i = 0; i < a.used.size(); ++i) {
    run = a.used[i] ? 0 : run + 1;
    if (run == count) {
      const std::size_t first = i + 1 - count;
      std::fill_n(a.used.begin() + static_cast<std::ptrdiff_t>(first), count, true);
      a.count += count;
      for (std::size_t w = first; w <= i; ++w) store(static_cast<Word>(w), 0);
      return static_cast<Word>(first);
    }
  }
  throw std::bad_alloc();
}

void release(Word first, std::size_t count) noexcept {
  if (count == 0) count = 1;
  Allocator& a = allocator();
  std::lock_guard lock(a.mutex);
  for (std::size_t w = first; w < first + count && w < a.used.size(); ++w) {
    a.count -= a.used[w] ? 1 : 0;
    a.used[w] = false;
  }
}

std::size_t in_use() noexcept {
  Allocator& a = allocator();
  std::lock_guard lock(a.mutex);
  return a.count;
}

}  // namespace samovar::platform::shared_memory
