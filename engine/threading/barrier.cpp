#include "engine/threading/barrier.hpp"

#include <stdexcept>

#include "engine/threading/wait_scope.hpp"

namespace samovar::threading {

Barrier::Barrier(Runtime& rt, std::size_t parties, const std::string& name)
    : rt_(rt), lane_(rt.recorder().lane(name)), parties_(parties) {
  if (parties == 0) throw std::invalid_argument("a barrier needs at least one party");
}

std::size_t Barrier::wait() {
  WaitScope scope(rt_, rt_.current(), mutex_, cv_, {trace::State::blocked, "wait", lane_});
  std::unique_lock lock(mutex_);
  const std::size_t index = arrived_++;
  const std::uint64_t round = round_;
  if (arrived_ == parties_) {
    arrived_ = 0;
    ++round_;
    cv_.notify_all();
    rt_.changed(cv_);
    return index;
  }
  scope.wait(
      lock, [&] { return round_ != round; }, std::nullopt);
  return index;
}

}  // namespace samovar::threading
