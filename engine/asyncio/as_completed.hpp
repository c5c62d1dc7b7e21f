#pragma once
#include <deque>
#include <vector>

#include "engine/asyncio/event_loop.hpp"

namespace samovar::asyncio {

// asyncio.as_completed: the tasks' results in the order they finish.
//   AsCompleted<int> done(std::move(coros));
//   while (!done.empty()) int first = co_await done.next();
// next() rethrows a task's exception. Tasks not yet taken when this is destroyed run on.
template <class T>
class AsCompleted {
 public:
  explicit AsCompleted(std::vector<Task<T>> coros) {
    auto& loop = EventLoop::current();
    handles_.reserve(coros.size());
    for (auto& coro : coros) {
      handles_.push_back(loop.create_task(std::move(coro)));
      auto& state = handles_.back().state();
      state.on_done = &AsCompleted::child_done;
      state.on_done_context = this;
    }
  }
  AsCompleted(const AsCompleted&) = delete;
  AsCompleted& operator=(const AsCompleted&) = delete;
  ~AsCompleted() {
    for (auto& h : handles_)
      if (!h.done()) h.state().on_done = nullptr;
  }

  bool empty() const noexcept { return taken_ == handles_.size(); }

  Task<T> next() {
    if (finished_.empty()) co_await Next{*this};
    detail::TaskState* state = finished_.front();
    finished_.pop_front();
    ++taken_;
    for (auto& h : handles_)
      if (&h.state() == state) co_return h.result();
    throw std::logic_error("as_completed: unknown task");
  }

 private:
  struct Next {
    AsCompleted& self;
    bool await_ready() const noexcept { return !self.finished_.empty(); }
    void await_suspend(coro::coroutine_handle<> h) {
      self.waiting_ = true;
      EventLoop::current().suspend(self.waiter_, h);
    }
    void await_resume() {
      self.waiting_ = false;
      EventLoop::resume_point(self.waiter_.task);
    }
  };

  static void child_done(void* context, detail::TaskState& state) {
    auto& self = *static_cast<AsCompleted*>(context);
    self.finished_.push_back(&state);
    if (self.waiting_) {
      self.waiting_ = false;
      EventLoop::current().wake(self.waiter_);
    }
  }

  std::vector<TaskHandle<T>> handles_;
  std::deque<detail::TaskState*> finished_;
  std::size_t taken_ = 0;
  bool waiting_ = false;
  detail::Waiter waiter_;
};

}  // namespace samovar::asyncio
