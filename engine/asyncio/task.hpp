#pragma once
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "engine/asyncio/detail/task_state.hpp"
#include "engine/platform/coroutine.hpp"

namespace samovar::asyncio {

// What a Task<void> yields in a gather's results: Python's None.
using None = std::monostate;

template <class T = void>
class Task;

namespace detail {

void on_root_done(TaskState& state) noexcept;  // defined by the event loop

struct PromiseBase {
  coro::coroutine_handle<> continuation;
  TaskState* root_of = nullptr;  // set when this frame is a scheduled task's outermost frame
  std::exception_ptr error;

  coro::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class Promise>
    coro::coroutine_handle<> await_suspend(coro::coroutine_handle<Promise> h) noexcept {
      PromiseBase& p = h.promise();
      if (p.continuation) return p.continuation;  // symmetric transfer back to the awaiter
      if (p.root_of != nullptr) on_root_done(*p.root_of);
      return coro::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }
};

template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take() {
    if (error) std::rethrow_exception(error);
  }
};

}  // namespace detail

// A coroutine, lazy as Python's: nothing runs until it is awaited (inside the awaiting task)
// or handed to create_task/gather (as a task of its own). Move-only; owns its frame.
template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = coro::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) noexcept : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ~Task() {
    if (handle_) handle_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  coro::coroutine_handle<> await_suspend(coro::coroutine_handle<> awaiter) noexcept {
    handle_.promise().continuation = awaiter;
    return handle_;
  }
  T await_resume() { return handle_.promise().take(); }

  Handle release() noexcept { return std::exchange(handle_, {}); }

 private:
  Handle handle_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(coro::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(coro::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace samovar::asyncio
