#pragma once
#include "engine/asyncio/detail/list_wait.hpp"

namespace samovar::asyncio {

// asyncio.Event: wait() suspends until set(); set() wakes every waiter. Loop thread only.
class Event {
 public:
  bool is_set() const noexcept { return set_; }
  void set() {
    set_ = true;
    detail::wake_all(waiters_);
  }
  void clear() noexcept { set_ = false; }

  Task<void> wait() {
    if (set_) co_return;
    detail::ListWait wait(waiters_);
    co_await wait;
    EventLoop::resume_point(wait.task());
  }

 private:
  bool set_ = false;
  detail::WaiterList waiters_;
};

}  // namespace samovar::asyncio
