#pragma once
#include <exception>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/asyncio/event_loop.hpp"

namespace samovar::asyncio {

template <class T>
using GatherResult = std::conditional_t<std::is_void_v<T>, None, T>;

// gather(..., return_exceptions): a failed task's exception takes its place in the results.
template <class T>
using Outcome = std::variant<GatherResult<T>, std::exception_ptr>;
struct ReturnExceptions {};
inline constexpr ReturnExceptions return_exceptions{};

namespace detail {

// Counts the children of one gather down, and wakes the gather when they are all done, or
// at the first failure unless exceptions are returned. Lives in the gather's frame.
struct GatherState {
  std::size_t remaining = 0;
  bool return_exceptions = false;
  TaskState* first_failed = nullptr;
  bool waiting = false;
  Waiter waiter;

  static void child_done(void* context, TaskState& child) {
    auto& g = *static_cast<GatherState*>(context);
    --g.remaining;
    const bool failed = child.cancelled || (child.promise != nullptr && child.promise->error);
    if (failed && g.first_failed == nullptr) g.first_failed = &child;
    if (g.waiting && (g.remaining == 0 || (failed && !g.return_exceptions))) {
      g.waiting = false;
      EventLoop::current().wake(g.waiter);
    }
  }
  bool ready() const noexcept {
    return remaining == 0 || (first_failed != nullptr && !return_exceptions);
  }

  bool await_ready() const noexcept { return ready(); }
  void await_suspend(coro::coroutine_handle<> h) {
    waiting = true;
    EventLoop::current().suspend(waiter, h);
  }
  void await_resume() {
    waiting = false;
    EventLoop::resume_point(waiter.task);
  }
};

template <class T>
GatherResult<T> result_of(TaskHandle<T>& h) {
  if constexpr (std::is_void_v<T>) {
    h.result();
    return None{};
  } else {
    return h.result();
  }
}

// Every coroutine becomes a task at once, named "task N" in argument order.
template <class T>
std::vector<TaskHandle<T>> spawn_all(std::vector<Task<T>>& coros) {
  auto& loop = EventLoop::current();
  std::vector<TaskHandle<T>> handles;
  handles.reserve(coros.size());
  for (auto& coro : coros) handles.push_back(loop.create_task(std::move(coro)));
  coros.clear();
  return handles;
}

template <class T>
Task<GatherResult<T>> awaited_value(TaskHandle<T>& h) {
  if constexpr (std::is_void_v<T>) {
    co_await h;
    co_return None{};
  } else {
    co_return co_await h;
  }
}

// Waits for the children, and on every way out stops them reporting to this frame; if the
// gather itself was cancelled, they are cancelled too, as asyncio does.
template <class T>
Task<void> wait_all(std::vector<TaskHandle<T>>& handles, bool return_exceptions) {
  GatherState g;
  g.return_exceptions = return_exceptions;
  g.remaining = handles.size();
  for (auto& h : handles) {
    if (h.done()) {
      GatherState::child_done(&g, h.state());
    } else {
      h.state().on_done = &GatherState::child_done;
      h.state().on_done_context = &g;
    }
  }
  bool cancelled = true;
  struct Exit {
    std::vector<TaskHandle<T>>& handles;
    bool& cancelled;
    ~Exit() {
      for (auto& h : handles) {
        if (h.done()) continue;
        h.state().on_done = nullptr;
        if (cancelled) h.cancel();
      }
    }
  } exit{handles, cancelled};
  co_await g;
  cancelled = false;
  if (g.first_failed != nullptr && !return_exceptions) {
    for (auto& h : handles)
      if (&h.state() == g.first_failed) result_of(h);  // rethrows the first failure
  }
}

}  // namespace detail

// asyncio.gather: schedules every coroutine as a task at once (named "task N" in argument
// order) and yields their results in argument order. The first failure propagates to the
// awaiter at once; the other tasks run on, as in asyncio. Cancelling the gather cancels them.
template <class T>
Task<std::vector<GatherResult<T>>> gather(std::vector<Task<T>> coros) {
  auto handles = detail::spawn_all(coros);
  co_await detail::wait_all(handles, false);
  std::vector<GatherResult<T>> results;
  results.reserve(handles.size());
  for (auto& h : handles) results.push_back(detail::result_of(h));
  co_return results;
}

// gather(coros, return_exceptions): waits for every task; failures are returned, not thrown.
template <class T>
Task<std::vector<Outcome<T>>> gather(std::vector<Task<T>> coros, ReturnExceptions) {
  auto handles = detail::spawn_all(coros);
  co_await detail::wait_all(handles, true);
  std::vector<Outcome<T>> results;
  results.reserve(handles.size());
  for (auto& h : handles) {
    try {
      results.emplace_back(std::in_place_index<0>, detail::result_of(h));
    } catch (...) {
      results.emplace_back(std::in_place_index<1>, std::current_exception());
    }
  }
  co_return results;
}

// gather(a, b, c) of different types: a tuple of their results.
template <class... Ts>
Task<std::tuple<GatherResult<Ts>...>> gather(Task<Ts>... coros) {
  auto& loop = EventLoop::current();
  auto handles = std::make_tuple(loop.create_task(std::move(coros))...);
  co_return co_await std::apply(
      [](auto&... h) -> Task<std::tuple<GatherResult<Ts>...>> {
        co_return std::tuple<GatherResult<Ts>...>{co_await detail::awaited_value(h)...};
      },
      handles);
}

}  // namespace samovar::asyncio
