#include "engine/multiprocessing/barrier.hpp"

#include <stdexcept>
#include <string>

namespace samovar::multiprocessing {

namespace shm = platform::shared_memory;

Barrier::Barrier(std::size_t parties) : words_(3) {
  if (parties == 0) throw std::invalid_argument("a Barrier needs at least one party");
  shm::store(words_[0], static_cast<std::int32_t>(parties));
}

void Barrier::wait(platform::Nanos timeout) {
  const std::int32_t round = shm::load(words_[2]);
  if (shm::fetch_add(words_[1], 1) + 1 == shm::load(words_[0])) {
    // The last to come opens the next round, then lets everyone go.
    shm::store(words_[1], 0);
    shm::fetch_add(words_[2], 1);
    shm::wake_all(words_[2]);
    return;
  }
  const platform::Nanos deadline = platform::now() + timeout;
  while (shm::load(words_[2]) == round) {
    const platform::Nanos left = deadline - platform::now();
    if (left <= 0)
      throw std::runtime_error("BrokenBarrierError: the other parties did not come within " +
                               std::to_string(platform::to_seconds(timeout)) + " s");
    shm::wait(words_[2], round, left);
  }
}

}  // namespace samovar::multiprocessing
