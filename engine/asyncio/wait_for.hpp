#pragma once
#include <string>

#include "engine/asyncio/event_loop.hpp"

namespace samovar::asyncio {

// asyncio.wait_for: runs `coro` as a task and yields its result, unless `timeout_s` passes
// first: then the task is cancelled, awaited to its end, and TimeoutError is thrown.
// Cancelling the caller cancels the task too.
template <class T>
Task<T> wait_for(Task<T> coro, double timeout_s) {
  auto& loop = EventLoop::current();
  auto task = loop.create_task(std::move(coro));
  const bool timed_out =
      co_await detail::TaskDone(task.state(), platform::now() + platform::to_nanos(timeout_s));
  if (timed_out) {
    task.cancel();
    co_await detail::TaskDone(task.state(), std::nullopt);
    if (!task.cancelled()) co_return task.result();  // it finished (or failed) while unwinding
    throw TimeoutError("timed out after " + std::to_string(timeout_s) + " s");
  }
  co_return task.result();
}

}  // namespace samovar::asyncio
