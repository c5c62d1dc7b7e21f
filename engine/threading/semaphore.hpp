#pragma once
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>

#include "engine/threading/runtime.hpp"

namespace samovar::threading {

// threading.Semaphore: `value` permits; acquire takes one, waiting while there is none.
// lock()/unlock() make it BasicLockable, for `with sem:`. Thread-safe.
class Semaphore {
 public:
  Semaphore(Runtime& rt, std::size_t value, const std::string& name = "semaphore");

  // Python's acquire(blocking=True, timeout=None): a negative timeout waits as long as it takes.
  bool acquire(bool blocking = true, double timeout = -1);
  void release(std::size_t n = 1);
  std::size_t value() const;

  void lock() { acquire(); }
  void unlock() { release(); }

 private:
  Runtime& rt_;
  trace::LaneId lane_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t value_;
};

}  // namespace samovar::threading
