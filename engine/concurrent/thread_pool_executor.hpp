#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include "engine/concurrent/future.hpp"

namespace samovar::concurrent {

// concurrent.futures.ThreadPoolExecutor: `max_workers` threads run submitted calls in FIFO
// order. `with ThreadPoolExecutor() as pool` is this object's scope: the destructor is
// shutdown(wait=true). submit() and shutdown() are thread-safe. Threads start on first use.
class ThreadPoolExecutor {
 public:
  // Python's default: min(32, cores + 4).
  explicit ThreadPoolExecutor(std::size_t max_workers = default_workers());
  ~ThreadPoolExecutor();
  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  static std::size_t default_workers();
  std::size_t max_workers() const noexcept { return max_workers_; }

  template <class F>
  auto submit(F fn) -> Future<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    Future<R> future;
    enqueue([fn = std::move(fn), future]() mutable {
      try {
        if constexpr (std::is_void_v<R>) {
          fn();
          future.set_result();
        } else {
          future.set_result(fn());
        }
      } catch (...) {
        future.set_exception(std::current_exception());
      }
    });
    return future;
  }

  // Executor.map(fn, items): every call submitted at once, results in the items' order. As
  // Python's, the first call (in that order) that raised re-raises here; `timeout_s` bounds
  // the whole wait from this call on (TimeoutError).
  template <class F, class Items>
  auto map(F fn, const Items& items, std::optional<double> timeout_s = std::nullopt) {
    using Item = typename Items::value_type;
    using R = std::invoke_result_t<F&, const Item&>;
    std::vector<Future<R>> futures;
    futures.reserve(items.size());
    for (const auto& item : items) futures.push_back(submit([fn, item] { return fn(item); }));
    return results_in_order(futures, timeout_s);
  }

  // No new work after this; with `wait`, returns once the queued work is done and the threads
  // are joined. Without, queued work still runs, and the destructor joins.
  void shutdown(bool wait = true);

 private:
  void enqueue(std::function<void()> work);
  void worker();

  const std::size_t max_workers_;
  std::mutex mutex_;
  std::condition_variable has_work_;
  std::deque<std::function<void()>> queue_;
  std::atomic<std::size_t> queued_{0};  // queue_.size(), for idle workers polling without the mutex
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool shutting_down_ = false;
  std::atomic<bool> stopping_{false};  // shutting_down_, for idle workers polling without the mutex
};

}  // namespace samovar::concurrent
