#include "engine/threading/semaphore.hpp"

#include <stdexcept>

#include "engine/threading/wait_scope.hpp"

namespace samovar::threading {

Semaphore::Semaphore(Runtime& rt, std::size_t value, const std::string& name)
    : rt_(rt), lane_(rt.recorder().lane(name)), value_(value) {}

bool Semaphore::acquire(bool blocking, double timeout) {
  if (!blocking && timeout >= 0)
    throw std::invalid_argument("can't specify a timeout for a non-blocking call");
  {
    std::lock_guard lock(mutex_);
    if (value_ > 0) {
      --value_;
      return true;
    }
  }
  if (!blocking || timeout == 0) return false;
  const auto until =
      timeout > 0 ? std::optional(platform::now() + platform::to_nanos(timeout)) : std::nullopt;
  WaitScope scope(rt_, rt_.current(), mutex_, cv_, {trace::State::blocked, "acquire", lane_});
  std::unique_lock lock(mutex_);
  if (!scope.wait(
          lock, [&] { return value_ > 0; }, until))
    return false;
  --value_;
  return true;
}

void Semaphore::release(std::size_t n) {
  {
    std::lock_guard lock(mutex_);
    value_ += n;
  }
  // All: a waiter woken to take a permit may leave without it (timeout, interrupt).
  cv_.notify_all();
  rt_.changed(cv_);
  rt_.point("release", lane_);
}

std::size_t Semaphore::value() const {
  std::lock_guard lock(mutex_);
  return value_;
}

}  // namespace samovar::threading
