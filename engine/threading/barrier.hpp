#pragma once
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

#include "engine/threading/runtime.hpp"

namespace samovar::threading {

// threading.Barrier: `parties` threads wait until all of them have arrived, then all go on
// together; it then serves the next round. Unlike std::latch, its wait gives up the GIL, as
// every blocking wait of the model does. Thread-safe.
class Barrier {
 public:
  Barrier(Runtime& rt, std::size_t parties, const std::string& name = "barrier");

  // Returns this thread's arrival index in the round, 0 to parties - 1, as Python does.
  std::size_t wait();

 private:
  Runtime& rt_;
  trace::LaneId lane_;
  const std::size_t parties_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t arrived_ = 0;
  std::uint64_t round_ = 0;
};

}  // namespace samovar::threading
