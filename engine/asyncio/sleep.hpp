#pragma once
#include "engine/asyncio/event_loop.hpp"

namespace samovar::asyncio {

// asyncio.sleep: suspends the awaiting task, never the thread; the loop resumes it on its
// own thread once `seconds` have passed. sleep(0) yields to the other ready tasks once.
class [[nodiscard]] Sleep {
 public:
  explicit Sleep(double seconds) noexcept : seconds_(seconds) {}

  bool await_ready() const noexcept { return false; }
  void await_suspend(coro::coroutine_handle<> h) noexcept {
    auto& loop = EventLoop::running();
    if (seconds_ <= 0) {  // a bare yield, as asyncio's sleep(0): no timer, nothing to trace
      loop.suspend(waiter_, h);
      loop.wake(waiter_);
      return;
    }
    start_ = platform::now();
    loop.recorder().open("sleep");
    loop.suspend(waiter_, h, start_ + platform::to_nanos(seconds_));
  }
  void await_resume() {
    if (seconds_ > 0)
      detail::record_wait(EventLoop::running().recorder(), waiter_.task, "sleep", start_);
    EventLoop::resume_point(waiter_.task);
  }

 private:
  double seconds_;
  Nanos start_ = 0;
  detail::Waiter waiter_;
};

inline Sleep sleep(double seconds) noexcept {
  return Sleep(seconds);
}

}  // namespace samovar::asyncio
