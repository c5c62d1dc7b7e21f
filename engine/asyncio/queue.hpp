#pragma once
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "engine/asyncio/detail/list_wait.hpp"

namespace samovar::asyncio {

// asyncio.Queue: FIFO between tasks; with a maxsize, put() waits while it is full, which is
// how a slow consumer pushes back on a fast producer. maxsize 0: unbounded. Loop thread only.
template <class T>
class Queue {
 public:
  explicit Queue(std::size_t maxsize = 0) : maxsize_(maxsize) {}

  std::size_t qsize() const noexcept { return items_.size(); }
  std::size_t maxsize() const noexcept { return maxsize_; }
  bool empty() const noexcept { return items_.empty(); }
  bool full() const noexcept { return maxsize_ > 0 && items_.size() >= maxsize_; }

  Task<void> put(T item) {
    std::optional<detail::TracedWait> traced;
    if (full()) traced.emplace("put");
    while (full()) {
      detail::ListWait wait(putters_);
      co_await wait;
      if (wait.task() != nullptr && wait.task()->cancel_requested && !full())
        detail::wake_first(putters_);
      EventLoop::resume_point(wait.task());
    }
    put_nowait(std::move(item));
  }

  Task<T> get() {
    std::optional<detail::TracedWait> traced;
    if (empty()) traced.emplace("get");
    while (empty()) {
      detail::ListWait wait(getters_);
      co_await wait;
      if (wait.task() != nullptr && wait.task()->cancel_requested && !empty())
        detail::wake_first(getters_);
      EventLoop::resume_point(wait.task());
    }
    co_return get_nowait();
  }

  void put_nowait(T item) {
    if (full()) throw QueueFull();
    items_.push_back(std::move(item));
    detail::wake_first(getters_);
  }

  T get_nowait() {
    if (empty()) throw QueueEmpty();
    T item = std::move(items_.front());
    items_.pop_front();
    detail::wake_first(putters_);
    return item;
  }

 private:
  std::size_t maxsize_;
  std::deque<T> items_;
  detail::WaiterList getters_;
  detail::WaiterList putters_;
};

}  // namespace samovar::asyncio
