#pragma once
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/threading/lock.hpp"

namespace samovar::threading {

// threading.Condition over a Lock or RLock (its own RLock if given none). wait() releases the
// lock, sleeps until notified, and takes the lock back; notify(n) wakes the n longest waiting,
// as CPython does. wait/notify need the lock held by the caller (std::logic_error if not).
// lock()/unlock() take its lock: `with cond:` is std::lock_guard. Thread-safe.
class Condition {
 public:
  Condition(Runtime& rt, detail::ConditionLock& lock, const std::string& name = "condition");
  explicit Condition(Runtime& rt, const std::string& name = "condition");

  // False if `timeout_s` ran out first. The lock is held again on return, and on a throw if it
  // could be taken back.
  bool wait(std::optional<double> timeout_s = std::nullopt);
  // wait_for(predicate, timeout): until predicate() holds, checked with the lock held.
  template <class Predicate>
  bool wait_for(Predicate predicate, std::optional<double> timeout_s = std::nullopt) {
    const auto until =
        timeout_s ? std::optional(platform::now() + platform::to_nanos(*timeout_s)) : std::nullopt;
    while (!predicate()) {
      std::optional<double> left;
      if (until) {
        left = platform::to_seconds(*until - platform::now());
        if (*left <= 0) return false;
      }
      wait(left);
    }
    return true;
  }
  void notify(std::size_t n = 1);
  void notify_all();

  void lock() { lock_->lock(); }
  void unlock() noexcept { lock_->unlock(); }

 private:
  struct Waiter {
    bool notified = false;
  };

  Runtime& rt_;
  std::unique_ptr<RLock> own_lock_;
  detail::ConditionLock* lock_;
  trace::LaneId lane_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::list<Waiter*> waiters_;
};

}  // namespace samovar::threading
