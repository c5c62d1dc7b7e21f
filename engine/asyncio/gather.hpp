#pragma once
#include <tuple>
#include <type_traits>
#include <vector>

#include "engine/asyncio/event_loop.hpp"

namespace samovar::asyncio {

template <class T>
using GatherResult = std::conditional_t<std::is_void_v<T>, None, T>;

namespace detail {
template <class T>
Task<GatherResult<T>> result_of(TaskHandle<T>& handle) {
  if constexpr (std::is_void_v<T>) {
    co_await handle;
    co_return None{};
  } else {
    co_return co_await handle;
  }
}
}  // namespace detail

// asyncio.gather: schedules every coroutine as a task at once (named "task N" in argument
// order), then yields their results in argument order. An exception propagates to the
// awaiter when gather reaches that task; the other tasks run on, as in asyncio.
template <class T>
Task<std::vector<GatherResult<T>>> gather(std::vector<Task<T>> coros) {
  auto& loop = EventLoop::current();
  std::vector<TaskHandle<T>> handles;
  handles.reserve(coros.size());
  for (auto& coro : coros) handles.push_back(loop.create_task(std::move(coro)));
  coros.clear();
  std::vector<GatherResult<T>> results;
  results.reserve(handles.size());
  for (auto& handle : handles) {
    if constexpr (std::is_void_v<T>) {
      co_await handle;
      results.push_back(None{});
    } else {
      results.push_back(co_await handle);
    }
  }
  co_return results;
}

template <class... Ts>
Task<std::tuple<GatherResult<Ts>...>> gather(Task<Ts>... coros) {
  auto& loop = EventLoop::current();
  auto handles = std::make_tuple(loop.create_task(std::move(coros))...);
  co_return co_await std::apply(
      [](auto&... h) -> Task<std::tuple<GatherResult<Ts>...>> {
        co_return std::tuple<GatherResult<Ts>...>{co_await detail::result_of(h)...};
      },
      handles);
}

}  // namespace samovar::asyncio
