#pragma once
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>

#include "engine/contract/deadline.hpp"
#include "engine/threading/errors.hpp"
#include "engine/threading/runtime.hpp"

namespace samovar::threading {

// One blocking wait of the threading model, done as CPython does it: the GIL is given up for
// its length; the trace gets a span of it on the waiter's lane; the run can interrupt it (a
// daemon stopped at exit, a deadlock broken); the run's deadline bounds it. A wait for a lock
// takes part in the wait-for graph. Construct it before locking `mutex`, so that it outlives
// the lock: the run takes the scope's registration lock before `mutex`, never after.
class WaitScope {
 public:
  struct What {
    trace::State state;
    const char* name;
    trace::LaneId object = trace::kNoLane;
    trace::LaneId holder = trace::kNoLane;
    const detail::Owned* lock = nullptr;  // a lock wait: an edge of the wait-for graph
    bool timed = false;
    trace::LaneId lane = trace::kNoLane;  // the span's lane if not the thread's own
    bool by_time_only = false;            // nothing but time ends it (a sleep)
  };

  WaitScope(Runtime& rt, ThreadState& me, std::mutex& mutex, std::condition_variable& cv,
            What what);
  ~WaitScope();
  WaitScope(const WaitScope&) = delete;
  WaitScope& operator=(const WaitScope&) = delete;

  // With `lock` held on the scope's mutex: true once ready() (checked under the lock), false if
  // `until` comes first. Throws DaemonStopped, DeadlockError, DeadlineExceeded or
  // contract::Cancelled instead (a cancel is seen within Stop::kSlice).
  template <class Ready>
  bool wait(std::unique_lock<std::mutex>& lock, Ready ready, std::optional<platform::Nanos> until) {
    if (rt_.explores()) return wait_explored(lock, ready, until);
    constexpr platform::Nanos kNever = std::numeric_limits<platform::Nanos>::max();
    const platform::Nanos interval = platform::to_nanos(rt_.options().deadlock_check_s);
    platform::Nanos next_check = what_.lock != nullptr && !what_.timed ? start_ + interval : kNever;
    for (;;) {
      // Interrupted first: every wait of a broken cycle fails, even if another's unwinding has
      // just freed what it waited for.
      throw_if_interrupted();
      if (ready()) return true;
      const platform::Nanos now = platform::now();
      if (until && now >= *until) return false;
      rt_.stop().check(now);  // DeadlineExceeded or contract::Cancelled
      if (now >= next_check) {
        lock.unlock();
        rt_.check_deadlock(me_);
        lock.lock();
        next_check = now + interval;
        continue;
      }
      const platform::Nanos wake =
          std::min({until.value_or(kNever), rt_.stop().wake_by(now), next_check});
      cv_.wait_for(lock, std::chrono::nanoseconds(wake - now));
    }
  }

 private:
  // The same wait on an explored schedule: the turn passes until something changed or `until`
  // came (virtual time), then this thread looks again, with the turn.
  template <class Ready>
  bool wait_explored(std::unique_lock<std::mutex>& lock, Ready& ready,
                     std::optional<platform::Nanos> until) {
    for (;;) {
      throw_if_interrupted();
      if (ready()) return true;
      if (until && platform::now() >= *until) return false;
      lock.unlock();
      rt_.scheduler()->block(me_.unit, until, what_.by_time_only ? nullptr : &cv_);
      lock.lock();
    }
  }
  void throw_if_interrupted() const;

  Runtime& rt_;
  ThreadState& me_;
  std::condition_variable& cv_;
  What what_;
  platform::Nanos start_;
  int exceptions_at_start_;
  bool gave_up_gil_ = false;
};

}  // namespace samovar::threading
