#include "engine/threading/condition.hpp"

#include <limits>
#include <stdexcept>

#include "engine/threading/wait_scope.hpp"

namespace samovar::threading {

Condition::Condition(Runtime& rt, detail::ConditionLock& lock, const std::string& name)
    : rt_(rt), lock_(&lock), lane_(rt.recorder().lane(name)) {}

Condition::Condition(Runtime& rt, const std::string& name)
    : rt_(rt),
      own_lock_(std::make_unique<RLock>(rt, name + ".lock")),
      lock_(own_lock_.get()),
      lane_(rt.recorder().lane(name)) {}

bool Condition::wait(std::optional<double> timeout_s) {
  if (!lock_->is_owned()) throw std::logic_error("cannot wait on un-acquired lock");
  ThreadState& me = rt_.current();
  const auto until =
      timeout_s ? std::optional(platform::now() + platform::to_nanos(*timeout_s)) : std::nullopt;
  Waiter waiter;
  std::list<Waiter*>::iterator entry;
  {
    // Listed before the lock is let go, so a notify in between finds it.
    std::lock_guard lock(mutex_);
    entry = waiters_.insert(waiters_.end(), &waiter);
  }
  const std::size_t saved = lock_->release_save();
  bool notified = false;
  try {
    WaitScope scope(rt_, me, mutex_, cv_, {trace::State::blocked, "wait", lane_});
    std::unique_lock lock(mutex_);
    struct Unlist {
      Condition& c;
      Waiter& w;
      std::list<Waiter*>::iterator it;
      ~Unlist() {
        if (!w.notified) c.waiters_.erase(it);
      }
    } unlist{*this, waiter, entry};
    notified = scope.wait(
        lock, [&] { return waiter.notified; }, until);
  } catch (...) {
    lock_->acquire_restore(saved);
    throw;
  }
  lock_->acquire_restore(saved);
  return notified;
}

void Condition::notify(std::size_t n) {
  if (!lock_->is_owned()) throw std::logic_error("cannot notify on un-acquired lock");
  {
    std::lock_guard lock(mutex_);
    for (; n > 0 && !waiters_.empty(); --n) {
      waiters_.front()->notified = true;
      waiters_.pop_front();
    }
  }
  cv_.notify_all();
  rt_.changed(cv_);
  rt_.point("notify", lane_);
}

void Condition::notify_all() {
  notify(std::numeric_limits<std::size_t>::max());
}

}  // namespace samovar::threading
