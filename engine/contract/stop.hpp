#pragma once
#include <algorithm>
#include <atomic>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>

#include "engine/contract/deadline.hpp"
#include "engine/platform/clock.hpp"

namespace samovar::contract {

// The run was stopped by its surface (RunOptions::cancel: a client went away, the user pressed
// cancel): whichever model was waiting or working stops, and the report's error says so (code
// "cancelled"). Every model throws this one type.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("the run was cancelled") {}
};

// When a run must stop: its deadline, pulled in to now by its cancel flag once that is set.
// Checked wherever the deadline is (an event loop's steps, a thread's waits, a wait for a
// process), and a wait that could last longer than kSlice wakes at least that often to look
// at the flag when there is one. Copyable and cheap; thread-safe (the flag is atomic).
class Stop {
 public:
  // How late a cancel may be seen by a wait that is not otherwise woken.
  static constexpr platform::Nanos kSlice = platform::to_nanos(0.05);

  Stop() = default;  // never stops
  Stop(platform::Nanos deadline, double deadline_s,
       std::shared_ptr<std::atomic<bool>> cancel = nullptr)
      : deadline_(deadline), deadline_s_(deadline_s), cancel_(std::move(cancel)) {}

  platform::Nanos deadline() const noexcept { return deadline_; }
  double deadline_s() const noexcept { return deadline_s_; }
  bool cancellable() const noexcept { return cancel_ != nullptr; }
  bool cancelled() const noexcept {
    return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed);
  }
  // Whether the run must stop at `now` (the deadline has come or the run was cancelled).
  bool due(platform::Nanos now) const noexcept { return now >= deadline_ || cancelled(); }
  // Throws Cancelled or DeadlineExceeded if the run must stop at `now`.
  void check(platform::Nanos now) const {
    if (cancelled()) throw Cancelled();
    if (now >= deadline_) throw DeadlineExceeded(deadline_s_);
  }
  void check() const { check(platform::machine_now()); }
  // The latest a wait that begins at `now` may sleep before it looks again: the deadline, no
  // more than a slice ahead when the run can be cancelled, and never more than kLongest ahead
  // (a stop with no deadline: a bound a condition variable or a poller can convert safely).
  platform::Nanos wake_by(platform::Nanos now) const noexcept {
    const platform::Nanos ahead = cancel_ != nullptr ? kSlice : kLongest;
    return deadline_ - now <= ahead ? deadline_ : now + ahead;
  }
  static constexpr platform::Nanos kLongest = platform::to_nanos(3600);
  // What is left before the deadline at `now`, for a wait that must not begin after it: throws
  // as check() does instead of handing back a bound that has already passed.
  platform::Nanos left(platform::Nanos now) const {
    check(now);
    return deadline_ - now;
  }
  platform::Nanos left() const { return left(platform::machine_now()); }

 private:
  platform::Nanos deadline_ = std::numeric_limits<platform::Nanos>::max();
  double deadline_s_ = 0;
  std::shared_ptr<std::atomic<bool>> cancel_;
};

}  // namespace samovar::contract
