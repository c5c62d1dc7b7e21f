#pragma once
#include <utility>

#include "engine/asyncio/event_loop.hpp"

namespace samovar::asyncio::detail {

// Suspends the running task at the back of `list` until someone wakes it (or it is
// cancelled). await_resume does not throw: the primitive decides, then calls resume_point.
class ListWait {
 public:
  explicit ListWait(WaiterList& list) noexcept : list_(list) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(coro::coroutine_handle<> h) {
    list_.push_back(waiter_);
    EventLoop::current().suspend(waiter_, h);
  }
  void await_resume() const noexcept {}
  bool cancelled() const noexcept { return waiter_.cancelled; }
  TaskState* task() const noexcept { return waiter_.task; }

 private:
  WaiterList& list_;
  Waiter waiter_;
};

// A wait of the running task, traced as a `name` span on its lane once it ends.
class TracedWait {
 public:
  explicit TracedWait(const char* name)
      : recorder_(EventLoop::current().recorder()),
        task_(running_task()),
        name_(name),
        start_(platform::now()) {
    recorder_.open(name);
  }
  // May run as a loop destroys an unfinished task's frame: needs no running loop.
  ~TracedWait() { record_wait(recorder_, task_, name_, start_); }
  TracedWait(const TracedWait&) = delete;
  TracedWait& operator=(const TracedWait&) = delete;

 private:
  trace::Recorder& recorder_;
  TaskState* task_;
  const char* name_;
  platform::Nanos start_;
};

// `async with` a Lock or Semaphore: releases what it holds when it goes. Move-only.
template <class Resource>
class [[nodiscard]] Held {
 public:
  explicit Held(Resource& r) noexcept : resource_(&r) {}
  Held(Held&& o) noexcept : resource_(std::exchange(o.resource_, nullptr)) {}
  Held& operator=(Held&&) = delete;
  ~Held() {
    if (resource_ != nullptr) resource_->release();
  }

 private:
  Resource* resource_;
};

// Waits at the back of `list` until a release hands this task the resource (Lock, Semaphore).
// Cancelled after the hand-off but before it ran, the task gives the resource back first.
template <class Owner>
Task<void> wait_for_handoff(WaiterList& list, Owner& owner) {
  ListWait wait(list);
  co_await wait;
  if (!wait.cancelled() && wait.task() != nullptr && wait.task()->cancel_requested) owner.release();
  EventLoop::resume_point(wait.task());
}

inline void wake_first(WaiterList& list) {
  if (!list.empty()) EventLoop::current().wake(*list.front());
}
inline void wake_all(WaiterList& list) {
  while (!list.empty()) EventLoop::current().wake(*list.front());
}

}  // namespace samovar::asyncio::detail
