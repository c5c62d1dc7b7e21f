#include "engine/threading/event.hpp"

#include "engine/threading/wait_scope.hpp"

namespace samovar::threading {

Event::Event(Runtime& rt, const std::string& name) : rt_(rt), lane_(rt.recorder().lane(name)) {}

bool Event::is_set() const {
  std::lock_guard lock(mutex_);
  return flag_;
}

void Event::set() {
  {
    std::lock_guard lock(mutex_);
    flag_ = true;
  }
  cv_.notify_all();
  rt_.changed(cv_);
  rt_.point("set", lane_);
}

void Event::clear() {
  std::lock_guard lock(mutex_);
  flag_ = false;
}

bool Event::wait(std::optional<double> timeout_s) {
  rt_.point("wait", lane_);
  if (is_set()) return true;
  const auto until =
      timeout_s ? std::optional(platform::now() + platform::to_nanos(*timeout_s)) : std::nullopt;
  WaitScope scope(rt_, rt_.current(), mutex_, cv_, {trace::State::blocked, "wait", lane_});
  std::unique_lock lock(mutex_);
  return scope.wait(
      lock, [&] { return flag_; }, until);
}

}  // namespace samovar::threading
