#pragma once
#include <utility>

#include "engine/asyncio/detail/list_wait.hpp"

namespace samovar::asyncio {

// asyncio.Lock, fair: release() hands the lock to the longest waiter. `async with lock` is
// `auto held = co_await lock.lock();` (released when `held` goes). Loop thread only.
class Lock {
 public:
  using Held = detail::Held<Lock>;

  bool locked() const noexcept { return locked_; }

  Task<void> acquire() {
    if (!locked_ && waiters_.empty()) {
      locked_ = true;
      co_return;
    }
    co_await detail::wait_for_handoff(waiters_, *this);
  }

  Task<Held> lock() {
    co_await acquire();
    co_return Held(*this);
  }

  void release() {
    if (!locked_) throw std::logic_error("Lock is not acquired");
    if (waiters_.empty())
      locked_ = false;
    else
      detail::wake_first(waiters_);  // stays locked: ownership passes to the woken task
  }

 private:
  bool locked_ = false;
  detail::WaiterList waiters_;
};

}  // namespace samovar::asyncio
