#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/contract/stop.hpp"
#include "engine/platform/clock.hpp"
#include "engine/platform/spin.hpp"

namespace samovar::concurrent {

// concurrent.futures.TimeoutError: result(timeout) ran out.
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("the future was not done in time") {}
};

namespace detail {
template <class T>
struct FutureState {
  using Value = std::conditional_t<std::is_void_v<T>, bool, T>;
  std::mutex mutex;
  std::condition_variable done_cv;
  std::optional<Value> value;
  std::exception_ptr error;
  bool done = false;
  std::atomic<bool> ready{false};  // `done`, readable without the mutex
  std::vector<std::function<void()>> callbacks;

  template <class Set>
  void finish(Set&& set) {
    std::vector<std::function<void()>> run;
    {
      std::lock_guard lock(mutex);
      set();
      done = true;
      ready.store(true, std::memory_order_release);
      run.swap(callbacks);
    }
    done_cv.notify_all();
    for (auto& cb : run) cb();
  }
};
}  // namespace detail

// concurrent.futures.Future: the result of work running elsewhere. Thread-safe: any thread may
// wait on it or add callbacks; the worker that finishes it runs the callbacks it has by then,
// a callback added later runs at once on the adding thread.
template <class T>
class Future {
 public:
  using value_type = T;
  Future() : state_(std::make_shared<detail::FutureState<T>>()) {}

  bool done() const {
    std::lock_guard lock(state_->mutex);
    return state_->done;
  }

  // Waits (at most `timeout_s`, if given) and yields the value or rethrows the exception.
  T result(std::optional<double> timeout_s = std::nullopt) const {
    // A short call on an idle pool is often done within microseconds: wait for it awake.
    if (timeout_s != 0.0)
      platform::spin_until([&] { return state_->ready.load(std::memory_order_acquire); });
    std::unique_lock lock(state_->mutex);
    auto is_done = [&] { return state_->done; };
    if (timeout_s) {
      if (!state_->done_cv.wait_for(lock, std::chrono::duration<double>(*timeout_s), is_done))
        throw TimeoutError();
    } else {
      state_->done_cv.wait(lock, is_done);
    }
    if (state_->error) std::rethrow_exception(state_->error);
    if constexpr (!std::is_void_v<T>) return *state_->value;
  }

  // Waits until done, or until the run's `stop` is due: then throws DeadlineExceeded or
  // contract::Cancelled (a cancel is seen within Stop::kSlice). Done first wins.
  T result(const contract::Stop& stop) const {
    platform::spin_until([&] { return state_->ready.load(std::memory_order_acquire); });
    std::unique_lock lock(state_->mutex);
    while (!state_->done) {
      const platform::Nanos now = platform::now();
      stop.check(now);
      state_->done_cv.wait_for(lock, std::chrono::nanoseconds(stop.wake_by(now) - now));
    }
    if (state_->error) std::rethrow_exception(state_->error);
    if constexpr (!std::is_void_v<T>) return *state_->value;
  }

  void add_done_callback(std::function<void()> cb) const {
    {
      std::lock_guard lock(state_->mutex);
      if (!state_->done) {
        state_->callbacks.push_back(std::move(cb));
        return;
      }
    }
    cb();
  }

  // The worker's side.
  template <class U = T>
  void set_result(U&& v) {
    state_->finish([&] { state_->value.emplace(std::forward<U>(v)); });
  }
  void set_result() {
    state_->finish([&] { state_->value.emplace(true); });
  }
  void set_exception(std::exception_ptr e) {
    state_->finish([&] { state_->error = std::move(e); });
  }

 private:
  std::shared_ptr<detail::FutureState<T>> state_;
};

// Executor.map's collecting side: each future's result in order, the first failure (in that
// order) re-raised; `timeout_s` bounds the whole wait (TimeoutError).
template <class R>
auto results_in_order(std::vector<Future<R>>& futures, std::optional<double> timeout_s) {
  const auto start = std::chrono::steady_clock::now();
  auto left = [&]() -> std::optional<double> {
    if (!timeout_s) return std::nullopt;
    return std::max(
        0.0, *timeout_s -
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  if constexpr (std::is_void_v<R>) {
    for (auto& f : futures) f.result(left());
  } else {
    std::vector<R> results;
    results.reserve(futures.size());
    for (auto& f : futures) results.push_back(f.result(left()));
    return results;
  }
}

}  // namespace samovar::concurrent

namespace samovar::concurrent {

// The same, bounded by the run's `stop` (DeadlineExceeded, contract::Cancelled).
template <class R>
auto results_in_order(std::vector<Future<R>>& futures, const contract::Stop& stop) {
  if constexpr (std::is_void_v<R>) {
    for (auto& f : futures) f.result(stop);
  } else {
    std::vector<R> results;
    results.reserve(futures.size());
    for (auto& f : futures) results.push_back(f.result(stop));
    return results;
  }
}

}  // namespace samovar::concurrent
