#include "engine/threading/lock.hpp"

#include <stdexcept>

#include "engine/threading/wait_scope.hpp"

namespace samovar::threading {

namespace detail {

LockCore::LockCore(Runtime& rt, const std::string& name)
    : rt_(rt), spans_(rt.recorder().spans_on()), owned_{nullptr, rt.recorder().lane(name)} {}

bool LockCore::acquire_slow(ThreadState& me, std::optional<double> timeout_s) {
  std::optional<platform::Nanos> until;
  if (timeout_s) until = platform::now() + platform::to_nanos(*timeout_s);
  const ThreadState* holder = owned_.owner.load();
  WaitScope scope(rt_, me, mutex_, cv_,
                  {trace::State::blocked, "acquire", owned_.lane,
                   holder ? holder->lane : trace::kNoLane, &owned_, timeout_s.has_value()});
  std::unique_lock lock(mutex_);
  waiters_.fetch_add(1);
  bool taken = false;
  struct Leave {
    LockCore& core;
    const bool& taken;
    ~Leave() {
      core.waiters_.fetch_sub(1);
      // Leaving without it (timeout, interrupt) while it is free: pass on a wake meant for us.
      if (!taken && core.owned_.owner.load() == nullptr && core.waiters_.load() > 0)
        core.cv_.notify_one();
    }
  } leave{*this, taken};
  taken = scope.wait(
      lock, [&] { return try_take(me); }, until);
  return taken;
}

void LockCore::release() noexcept {
  ThreadState* owner = owned_.owner.load();
  // Past the span budget a hold is only counted: no clock read (a JS call in WASM).
  if (spans_ && owner != nullptr) {
    if (rt_.recorder().keeps_spans())
      rt_.recorder().span(owned_.lane, trace::State::running, "held",
                          held_since_.load(std::memory_order_relaxed), platform::now(),
                          trace::kNoLane, owner->lane);
    else
      rt_.recorder().drop_span();
  }
  // Sequentially consistent, with the waiter's count-then-try: either the waiter's try sees the
  // lock free or this sees the waiter and wakes it.
  owned_.owner.store(nullptr);
  if (waiters_.load() > 0) {
    std::lock_guard lock(mutex_);
    cv_.notify_one();
  }
  rt_.changed(cv_);
  rt_.point("release", owned_.lane, false);
}

std::optional<double> timeout_of(bool blocking, double timeout) {
  if (!blocking) {
    if (timeout >= 0)
      throw std::invalid_argument("can't specify a timeout for a non-blocking call");
    return 0.0;
  }
  if (timeout < 0) return std::nullopt;
  return timeout;
}

}  // namespace detail

bool Lock::acquire(bool blocking, double timeout) {
  return core_.acquire(core_.runtime().current(), detail::timeout_of(blocking, timeout));
}

void Lock::release() {
  if (!locked()) throw std::logic_error("release unlocked lock");
  core_.release();
}

void Lock::unlock() noexcept {
  if (locked()) core_.release();
}

bool Lock::is_owned() const {
  return core_.owner() == &core_.runtime().current();
}

std::size_t Lock::release_save() {
  core_.release();
  return 1;
}

void Lock::acquire_restore(std::size_t) {
  core_.acquire(core_.runtime().current(), std::nullopt);
}

bool RLock::acquire(bool blocking, double timeout) {
  ThreadState& me = core_.runtime().current();
  if (core_.owner() == &me) {
    ++count_;
    return true;
  }
  if (!core_.acquire(me, detail::timeout_of(blocking, timeout))) return false;
  count_ = 1;
  return true;
}

void RLock::release() {
  if (!is_owned()) throw std::logic_error("cannot release un-acquired lock");
  if (--count_ == 0) core_.release();
}

void RLock::unlock() noexcept {
  if (core_.owner() != &core_.runtime().current()) return;
  if (--count_ == 0) core_.release();
}

bool RLock::is_owned() const {
  return core_.owner() == &core_.runtime().current();
}

std::size_t RLock::release_save() {
  const std::size_t saved = count_;
  count_ = 0;
  core_.release();
  return saved;
}

void RLock::acquire_restore(std::size_t saved) {
  core_.acquire(core_.runtime().current(), std::nullopt);
  count_ = saved;
}

}  // namespace samovar::threading
