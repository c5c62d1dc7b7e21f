#include "engine/multiprocessing/barrier.hpp"

#include <stdexcept>
#include <string>
#include <thread>

namespace samovar::multiprocessing {

namespace shm = platform::shared_memory;

constexpr double kWatchSeconds = 0.01;

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
  // Watch the round for a while before sleeping: the parties then leave within nanoseconds of
  // each other, rather than one a wake-up after the other (a process asleep for a while took
  // over a millisecond to wake here, longer than the work it was to overlap). Only while each
  // party can have a core of its own: otherwise the watchers would keep the others from coming.
  static const std::size_t cores = std::thread::hardware_concurrency();
  const bool watch = static_cast<std::size_t>(shm::load(words_[0])) <= cores;
  const platform::Nanos watch_until = platform::now() + platform::to_nanos(kWatchSeconds);
  while (watch && shm::load(words_[2]) == round && platform::now() < watch_until) {
  }
  while (shm::load(words_[2]) == round) {
    const platform::Nanos left = deadline - platform::now();
    if (left <= 0)
      throw std::runtime_error("BrokenBarrierError: the other parties did not come within " +
                               std::to_string(platform::to_seconds(timeout)) + " s");
    shm::wait(words_[2], round, left);
  }
}

}  // namespace samovar::multiprocessing
