#pragma once
#include <utility>

#include "engine/asyncio/errors.hpp"
#include "engine/asyncio/task.hpp"

namespace samovar::asyncio {

namespace detail {
void release(TaskState* state) noexcept;      // defined by the event loop
TaskState* running_task() noexcept;           // the task the calling loop is running
}  // namespace detail

// A scheduled task, as create_task returns it: awaiting it yields the coroutine's result or
// rethrows its exception. Dropping the handle does not stop the task (it runs to its end,
// as in asyncio). Used on the loop's thread only.
template <class T>
class [[nodiscard]] TaskHandle {
 public:
  using Frame = coro::coroutine_handle<detail::Promise<T>>;

  TaskHandle(detail::TaskState* state, Frame frame) noexcept : state_(state), frame_(frame) {}
  TaskHandle(TaskHandle&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)), frame_(other.frame_) {}
  TaskHandle& operator=(TaskHandle&&) = delete;
  ~TaskHandle() {
    if (state_ == nullptr) return;
    state_->handle_alive = false;
    if (state_->done) detail::release(state_);
  }

  bool done() const noexcept { return state_->done; }

  bool await_ready() const noexcept { return state_->done; }
  void await_suspend(coro::coroutine_handle<> awaiter) noexcept {
    state_->waiter = awaiter;
    state_->waiter_task = detail::running_task();
  }
  T await_resume() { return result(); }

  T result() {
    if (state_->cancelled) throw CancelledError();
    return frame_.promise().take();
  }

 private:
  detail::TaskState* state_;
  Frame frame_;
};

}  // namespace samovar::asyncio
