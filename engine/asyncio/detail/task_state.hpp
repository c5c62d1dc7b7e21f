#pragma once
#include <string>

#include "engine/asyncio/detail/waiter.hpp"
#include "engine/platform/coroutine.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar::asyncio {
class EventLoop;
}

namespace samovar::asyncio::detail {

struct PromiseBase;

inline constexpr trace::LaneId kNoLane = ~trace::LaneId{0};
// A task past the traced lanes whose spans are dropped: counted as an untraced lane, not named
// unless it prints a line that is kept.
inline constexpr trace::LaneId kUntracedLane = kNoLane - 1;

// What the loop knows of a scheduled task (asyncio's Task object). Owned jointly by the
// loop (until the task is done) and its TaskHandle (until dropped); freed when neither holds
// it. Touched only by the loop's thread.
struct TaskState {
  EventLoop* loop = nullptr;
  // Its lane in the trace, made on first use (a print, a span): a run of 100,000 silent tasks
  // with tracing off registers none. Named tasks keep their name until then.
  trace::LaneId lane = kNoLane;
  std::uint64_t number = 0;  // N of "task N", for unnamed tasks
  std::string name;
  coro::coroutine_handle<> root;  // the task's outermost coroutine frame
  PromiseBase* promise = nullptr;
  Waiter* waiting = nullptr;  // what the task is suspended on, until it is woken
  WaiterList waiters;         // coroutines awaiting this task, woken when it is done
  void (*on_done)(void* context, TaskState& state) = nullptr;  // gather's and as_completed's hook
  void* on_done_context = nullptr;
  bool started = false;
  bool done = false;
  bool cancel_requested = false;
  bool cancelled = false;
  bool retrieved = false;  // someone read its result or exception
  bool handle_alive = true;
  TaskState* prev = nullptr;  // the loop's list of unfinished tasks
  TaskState* next = nullptr;
};

}  // namespace samovar::asyncio::detail
