#pragma once
#include <cstddef>

#include "engine/multiprocessing/shared_words.hpp"
#include "engine/platform/clock.hpp"

namespace samovar::multiprocessing {

// multiprocessing.Barrier(parties): wait() returns once `parties` callers, in any processes,
// have called it; then it can be used again. The scenarios start their processes' work
// together with it, so that the processes really overlap.
class Barrier {
 public:
  explicit Barrier(std::size_t parties);
  static Barrier attach(SharedWords::Word handle) { return Barrier(SharedWords::attach(handle)); }
  SharedWords::Word handle() const noexcept { return words_.handle(); }

  // Throws std::runtime_error (Python: BrokenBarrierError) if the others did not come within
  // `timeout`.
  void wait(platform::Nanos timeout);

 private:
  explicit Barrier(SharedWords words) : words_(std::move(words)) {}
  SharedWords words_;  // [0] parties, [1] arrived in this round, [2] rounds completed
};

}  // namespace samovar::multiprocessing
