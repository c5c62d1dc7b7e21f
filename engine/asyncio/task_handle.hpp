#pragma once
#include <optional>
#include <utility>

#include "engine/asyncio/detail/waiter.hpp"
#include "engine/asyncio/errors.hpp"
#include "engine/asyncio/task.hpp"
#include "engine/platform/clock.hpp"

namespace samovar::asyncio {

namespace detail {
void release(TaskState* state) noexcept;  // defined by the event loop
TaskState* running_task() noexcept;       // the task the calling loop is running
bool cancel(TaskState& state);
// Suspends the running task until `awaited` is done or the deadline passes.
void await_done(TaskState& awaited, Waiter& w, coro::coroutine_handle<> h,
                std::optional<platform::Nanos> deadline);
// Throws CancelledError once if the running task was cancelled while suspended.
void resume_point(TaskState* task);
// The task's lane in the trace (made on first use); `fallback` when there is no task.
trace::LaneId lane_of(TaskState* task, trace::LaneId fallback = 0);
// The lane for a span of `task`: kNoLane (the span is dropped) past the traced lanes.
trace::LaneId span_lane(trace::Recorder& recorder, TaskState* task, trace::LaneId fallback);
// Ends an interval of `name` that began at `start` on the task's lane (a wait: sleep, request).
// Needs no running loop: it may run in a destructor as a loop destroys an unfinished task.
void record_wait(trace::Recorder& recorder, TaskState* task, const char* name,
                 platform::Nanos start, trace::LaneId fallback = 0);

// Awaits a task's end without taking its result; yields true if the deadline came first.
class TaskDone {
 public:
  TaskDone(TaskState& awaited, std::optional<platform::Nanos> deadline) noexcept
      : awaited_(awaited), deadline_(deadline) {}
  bool await_ready() const noexcept { return awaited_.done; }
  void await_suspend(coro::coroutine_handle<> h) { await_done(awaited_, waiter_, h, deadline_); }
  bool await_resume() {
    resume_point(waiter_.task);
    return waiter_.timed_out;
  }

 private:
  TaskState& awaited_;
  std::optional<platform::Nanos> deadline_;
  Waiter waiter_;
};
}  // namespace detail

// A scheduled task, as create_task returns it (asyncio's Task): awaiting it yields the
// coroutine's result or rethrows its exception. Dropping the handle does not stop the task
// (it runs to its end, as in asyncio). Used on the loop's thread only.
template <class T>
class [[nodiscard]] TaskHandle {
 public:
  using Frame = coro::coroutine_handle<detail::Promise<T>>;

  TaskHandle(detail::TaskState* state, Frame frame) noexcept : state_(state), frame_(frame) {}
  TaskHandle(TaskHandle&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)), frame_(other.frame_) {}
  TaskHandle& operator=(TaskHandle&& other) noexcept {
    if (this != &other) {
      drop();
      state_ = std::exchange(other.state_, nullptr);
      frame_ = other.frame_;
    }
    return *this;
  }
  ~TaskHandle() { drop(); }

  bool done() const noexcept { return state_->done; }
  bool cancelled() const noexcept { return state_->cancelled; }
  // Task.cancel(): the task sees CancelledError at its current await. False if already done.
  bool cancel() { return detail::cancel(*state_); }

  struct Awaiter {
    TaskHandle& handle;
    detail::TaskDone done;
    bool await_ready() const noexcept { return done.await_ready(); }
    void await_suspend(coro::coroutine_handle<> h) { done.await_suspend(h); }
    T await_resume() {
      done.await_resume();
      return handle.result();
    }
  };
  Awaiter operator co_await() noexcept {
    return Awaiter{*this, detail::TaskDone(*state_, std::nullopt)};
  }

  // The result, or the task's exception rethrown; CancelledError if it was cancelled.
  T result() {
    state_->retrieved = true;
    if (state_->cancelled && !state_->promise->error) throw CancelledError();
    return frame_.promise().take();
  }

  detail::TaskState& state() noexcept { return *state_; }

 private:
  void drop() noexcept {
    if (state_ == nullptr) return;
    state_->handle_alive = false;
    if (state_->done) detail::release(state_);
    state_ = nullptr;
  }

  detail::TaskState* state_;
  Frame frame_;
};

}  // namespace samovar::asyncio
