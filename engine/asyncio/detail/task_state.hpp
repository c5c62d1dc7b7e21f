#pragma once
#include <string>

#include "engine/platform/coroutine.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar::asyncio {
class EventLoop;
}

namespace samovar::asyncio::detail {

// What the loop knows of a scheduled task (asyncio's Task object). Owned jointly by the
// loop (until the task is done) and its TaskHandle (until dropped); freed when neither holds
// it. Touched only by the loop's thread.
struct TaskState {
  EventLoop* loop = nullptr;
  trace::LaneId lane = 0;
  coro::coroutine_handle<> root;     // the task's outermost coroutine frame
  coro::coroutine_handle<> waiter;   // who awaits the task, resumed when it is done
  TaskState* waiter_task = nullptr;
  bool done = false;
  bool cancelled = false;
  bool handle_alive = true;
  TaskState* prev = nullptr;  // the loop's list of unfinished tasks
  TaskState* next = nullptr;
};

}  // namespace samovar::asyncio::detail
