#include "engine/concurrent/thread_pool_executor.hpp"

#include <algorithm>

#include "engine/platform/spin.hpp"

namespace samovar::concurrent {

std::size_t ThreadPoolExecutor::default_workers() {
  return std::min<std::size_t>(32, std::max(1u, std::thread::hardware_concurrency()) + 4);
}

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t max_workers) : max_workers_(max_workers) {
  if (max_workers == 0) throw std::invalid_argument("max_workers must be greater than 0");
}

ThreadPoolExecutor::~ThreadPoolExecutor() {
  shutdown(true);
}

void ThreadPoolExecutor::enqueue(std::function<void()> work) {
  std::lock_guard lock(mutex_);
  if (shutting_down_) throw std::runtime_error("cannot schedule new futures after shutdown");
  queue_.push_back(std::move(work));
  queued_.store(queue_.size(), std::memory_order_release);
  // As CPython does: a new thread only when none is idle, up to max_workers.
  if (idle_ == 0 && threads_.size() < max_workers_)
    threads_.emplace_back([this] { worker(); });
  else
    has_work_.notify_one();
}

void ThreadPoolExecutor::worker() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    if (queue_.empty() && !shutting_down_) {
      // Idle: stay awake a moment for the next call before sleeping on the condition variable.
      lock.unlock();
      platform::spin_until(
          [this] { return queued_.load(std::memory_order_acquire) > 0 || stopping_.load(); });
      lock.lock();
    }
    has_work_.wait(lock, [this] { return !queue_.empty() || shutting_down_; });
    --idle_;
    if (queue_.empty()) return;  // shutting down, nothing left
    auto work = std::move(queue_.front());
    queue_.pop_front();
    queued_.store(queue_.size(), std::memory_order_relaxed);
    lock.unlock();
    work();
    lock.lock();
  }
}

void ThreadPoolExecutor::shutdown(bool wait) {
  std::vector<std::thread> joining;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    stopping_ = true;
    if (wait) joining.swap(threads_);
  }
  has_work_.notify_all();
  for (auto& t : joining) t.join();
}

}  // namespace samovar::concurrent
