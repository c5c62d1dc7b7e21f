#pragma once
#include <cstdint>

#include "engine/platform/coroutine.hpp"

namespace samovar::asyncio::detail {

struct TaskState;
class WaiterList;

// One suspended wait: on a list (a queue's getters, a lock's acquirers), on an fd, on a
// deadline, or a mix. It lives in the awaiter, inside the suspended frame, and is touched
// only on the loop's thread. Whichever comes first (wake, deadline, cancel) unhooks it from
// everything else, so the task is resumed exactly once.
struct Waiter {
  coro::coroutine_handle<> handle;
  TaskState* task = nullptr;
  WaiterList* list = nullptr;
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  TaskState* awaited = nullptr;  // when waiting for another task: cancelled along with this one
  int fd = -1;
  std::uint64_t timer = 0;  // 0: no deadline
  bool timed_out = false;
  bool cancelled = false;
};

// FIFO of waiters, intrusive: no allocation per wait.
class WaiterList {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  Waiter* front() const noexcept { return head_; }
  void push_back(Waiter& w) noexcept {
    w.list = this;
    w.prev = tail_;
    w.next = nullptr;
    if (tail_ != nullptr)
      tail_->next = &w;
    else
      head_ = &w;
    tail_ = &w;
  }
  void remove(Waiter& w) noexcept {
    if (w.prev != nullptr)
      w.prev->next = w.next;
    else
      head_ = w.next;
    if (w.next != nullptr)
      w.next->prev = w.prev;
    else
      tail_ = w.prev;
    w.prev = w.next = nullptr;
    w.list = nullptr;
  }

 private:
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

}  // namespace samovar::asyncio::detail
