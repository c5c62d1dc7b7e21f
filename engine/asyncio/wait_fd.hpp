#pragma once
#include <optional>

#include "engine/asyncio/event_loop.hpp"

namespace samovar::asyncio {

// Suspends the task until `fd` is ready for `interest` (platform::kReadable/kWritable) or the
// deadline passes; yields true if it timed out. The loop's thread resumes it.
class [[nodiscard]] WaitFd {
 public:
  WaitFd(int fd, std::uint32_t interest, std::optional<Nanos> deadline) noexcept
      : fd_(fd), interest_(interest), deadline_(deadline) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(coro::coroutine_handle<> h) {
    auto& loop = EventLoop::current();
    loop.watch_fd(waiter_, fd_, interest_);
    loop.suspend(waiter_, h, deadline_);
  }
  bool await_resume() {
    EventLoop::resume_point(waiter_.task);
    return waiter_.timed_out;
  }

 private:
  int fd_;
  std::uint32_t interest_;
  std::optional<Nanos> deadline_;
  detail::Waiter waiter_;
};

inline WaitFd wait_fd(int fd, std::uint32_t interest,
                      std::optional<Nanos> deadline = std::nullopt) noexcept {
  return WaitFd(fd, interest, deadline);
}

}  // namespace samovar::asyncio
