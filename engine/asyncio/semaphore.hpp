#pragma once
#include <stdexcept>
#include <utility>

#include "engine/asyncio/detail/list_wait.hpp"

namespace samovar::asyncio {

// asyncio.Semaphore: at most `value` holders at once (e.g. requests in flight). Fair: a
// release hands the slot to the longest waiter. Loop thread only.
class Semaphore {
 public:
  explicit Semaphore(std::size_t value) : value_(value) {
    if (value == 0) throw std::invalid_argument("Semaphore needs a value of at least 1");
  }

  using Held = detail::Held<Semaphore>;

  bool locked() const noexcept { return value_ == 0; }
  std::size_t value() const noexcept { return value_; }

  Task<void> acquire() {
    if (value_ > 0 && waiters_.empty()) {
      --value_;
      co_return;
    }
    co_await detail::wait_for_handoff(waiters_, *this);
  }

  Task<Held> hold() {
    co_await acquire();
    co_return Held(*this);
  }

  void release() {
    if (waiters_.empty())
      ++value_;
    else
      detail::wake_first(waiters_);  // the slot passes to the woken task
  }

 private:
  std::size_t value_;
  detail::WaiterList waiters_;
};

}  // namespace samovar::asyncio
