#pragma once
#include <atomic>

#include "engine/threading/runtime.hpp"

namespace samovar::threading::detail {

// A node of the wait-for graph: a lock, its owner, and its trace lane (its name).
struct Owned {
  std::atomic<ThreadState*> owner{nullptr};
  trace::LaneId lane = trace::kNoLane;
};

}  // namespace samovar::threading::detail
