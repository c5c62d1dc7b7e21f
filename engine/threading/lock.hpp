#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "engine/platform/spin.hpp"
#include "engine/threading/lock_graph.hpp"
#include "engine/threading/runtime.hpp"

namespace samovar::threading {

namespace detail {

// The engine lock under Lock and RLock: free, it is taken with one compare-and-swap of its
// owner; the mutex and condition variable serve waiters only. Traced when spans are on: each
// hold is a span on the lock's own lane (holder: the owner), each contended acquire a blocked
// span on the waiter's lane. Waits join the wait-for graph. Thread-safe.
class LockCore {
 public:
  LockCore(Runtime& rt, const std::string& name);
  LockCore(const LockCore&) = delete;
  LockCore& operator=(const LockCore&) = delete;

  // nullopt: wait as long as it takes; 0: only if free now.
  bool acquire(ThreadState& me, std::optional<double> timeout_s) {
    rt_.point("acquire", owned_.lane);
    if (try_take(me)) return true;
    if (timeout_s == 0.0) return false;
    if (rt_.explores()) return acquire_slow(me, timeout_s);  // polling would never see a change
    // A holder on another core lets go within a few hundred nanoseconds (an increment): poll
    // for it before sleeping, as a futex sleep and wake costs microseconds (tens in WASM).
    const bool taken = platform::spin_until(
        [&] { return owned_.owner.load(std::memory_order_relaxed) == nullptr && try_take(me); });
    return taken || acquire_slow(me, timeout_s);
  }
  void release() noexcept;
  ThreadState* owner() const noexcept { return owned_.owner.load(); }
  Runtime& runtime() const noexcept { return rt_; }
  trace::LaneId lane() const noexcept { return owned_.lane; }

 private:
  bool try_take(ThreadState& me) noexcept {
    ThreadState* expected = nullptr;
    if (!owned_.owner.compare_exchange_strong(expected, &me)) return false;
    if (spans_ && rt_.recorder().keeps_spans())
      held_since_.store(platform::now(), std::memory_order_relaxed);
    return true;
  }
  bool acquire_slow(ThreadState& me, std::optional<double> timeout_s);

  Runtime& rt_;
  const bool spans_;
  Owned owned_;
  std::atomic<platform::Nanos> held_since_{0};
  std::atomic<int> waiters_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
};

// What a Condition needs of its lock (CPython's _is_owned, _release_save, _acquire_restore).
class ConditionLock {
 public:
  virtual ~ConditionLock() = default;
  virtual bool is_owned() const = 0;
  virtual std::size_t release_save() = 0;
  virtual void acquire_restore(std::size_t saved) = 0;
  virtual void lock() = 0;
  virtual void unlock() noexcept = 0;
};

}  // namespace detail

// threading.Lock, named for the trace ("lock_a"). Not re-entrant: a thread that acquires it
// twice waits on itself, which the deadlock check reports. Any thread may release it. lock()
// and unlock() make it BasicLockable: `with lock:` is std::lock_guard. Thread-safe.
class Lock : public detail::ConditionLock {
 public:
  explicit Lock(Runtime& rt, const std::string& name = "lock") : core_(rt, name) {}

  // Python's acquire(blocking=True, timeout=-1): a negative timeout waits as long as it takes.
  bool acquire(bool blocking = true, double timeout = -1);
  // Throws std::logic_error on an unlocked lock, as Python raises RuntimeError.
  void release();
  bool locked() const noexcept { return core_.owner() != nullptr; }

  void lock() override { acquire(); }
  void unlock() noexcept override;  // releases if locked: safe in a guard while unwinding

  bool is_owned() const override;
  std::size_t release_save() override;
  void acquire_restore(std::size_t saved) override;

 private:
  detail::LockCore core_;
};

// threading.RLock: its owner may acquire it again; it is free once released as often.
class RLock : public detail::ConditionLock {
 public:
  explicit RLock(Runtime& rt, const std::string& name = "rlock") : core_(rt, name) {}

  bool acquire(bool blocking = true, double timeout = -1);
  // Throws std::logic_error unless the calling thread owns it.
  void release();
  std::size_t count() const noexcept { return count_; }  // the owner's view

  void lock() override { acquire(); }
  void unlock() noexcept override;

  bool is_owned() const override;
  std::size_t release_save() override;
  void acquire_restore(std::size_t saved) override;

 private:
  detail::LockCore core_;
  std::size_t count_ = 0;  // touched by the owner only
};

}  // namespace samovar::threading
