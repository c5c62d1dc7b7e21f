#pragma once
#include "engine/asyncio/event_loop.hpp"

namespace samovar::asyncio {

// asyncio.sleep: suspends the awaiting task, never the thread; the loop resumes it on its
// own thread once `seconds` have passed. sleep(0) yields to the other ready tasks once.
class [[nodiscard]] Sleep {
 public:
  explicit Sleep(double seconds) noexcept : seconds_(seconds) {}

  bool await_ready() const noexcept { return false; }
  void await_suspend(coro::coroutine_handle<> h) {
    auto& loop = EventLoop::current();
    task_ = loop.current_task();
    start_ = platform::now();
    loop.recorder().open("sleep");
    if (seconds_ <= 0) loop.call_soon(h, task_);
    else loop.call_at(start_ + platform::to_nanos(seconds_), h, task_);
  }
  void await_resume() {
    auto& recorder = EventLoop::current().recorder();
    recorder.close(task_ != nullptr ? task_->lane : 0, trace::State::waiting, "sleep", start_, platform::now());
  }

 private:
  double seconds_;
  detail::TaskState* task_ = nullptr;
  Nanos start_ = 0;
};

inline Sleep sleep(double seconds) noexcept { return Sleep(seconds); }

}  // namespace samovar::asyncio
