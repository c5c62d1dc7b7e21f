#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "engine/threading/runtime.hpp"
#include "engine/threading/wait_scope.hpp"

namespace samovar::queue {

// queue.Full / queue.Empty: a put or get that could not wait (block=False) or ran out of time.
class Full : public std::runtime_error {
 public:
  Full() : std::runtime_error("the queue is full") {}
};
class Empty : public std::runtime_error {
 public:
  Empty() : std::runtime_error("the queue is empty") {}
};

// queue.Queue: FIFO between threads. With a maxsize, put() waits while it is full: how a slow
// consumer pushes back on a fast producer (maxsize 0: unbounded). Waits are traced as blocked
// "put"/"get" spans whose object is the queue. Thread-safe.
template <class T>
class Queue {
 public:
  Queue(threading::Runtime& rt, std::size_t maxsize = 0, const std::string& name = "queue")
      : rt_(rt), lane_(rt.recorder().lane(name)), maxsize_(maxsize) {}

  // timeout_s: nullopt waits as long as it takes. Throws Full if it cannot put.
  void put(T item, bool block = true, std::optional<double> timeout_s = std::nullopt) {
    push(std::move(item), block ? timeout_s : std::optional(0.0));
    rt_.point("put", lane_);
  }
  // Throws Empty if there is nothing to get in time.
  T get(bool block = true, std::optional<double> timeout_s = std::nullopt) {
    T item = pop(block ? timeout_s : std::optional(0.0));
    rt_.point("get", lane_);
    return item;
  }
  void put_nowait(T item) { put(std::move(item), false); }
  T get_nowait() { return get(false); }

  // Queue.task_done() / join(): join waits until every item put has been marked done.
  void task_done() {
    std::lock_guard lock(mutex_);
    if (unfinished_ == 0) throw std::logic_error("task_done() called too many times");
    --unfinished_;
    if (unfinished_ == 0) cv_.notify_all();
    rt_.changed(cv_);
  }
  void join() {
    wait_for(
        "join", [&] { return unfinished_ == 0; }, std::nullopt);
  }

  std::size_t qsize() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  bool empty() const { return qsize() == 0; }
  bool full() const {
    std::lock_guard lock(mutex_);
    return is_full();
  }
  std::size_t maxsize() const noexcept { return maxsize_; }
  // The most items it ever held at once: with a maxsize, never more than that.
  std::size_t peak_size() const {
    std::lock_guard lock(mutex_);
    return peak_;
  }

 private:
  bool is_full() const { return maxsize_ > 0 && items_.size() >= maxsize_; }

  void push(T item, std::optional<double> timeout_s) {
    std::unique_lock lock(mutex_);
    if (is_full()) {
      lock.unlock();
      if (!wait_for(
              "put", [&] { return !is_full(); }, timeout_s, [&] { add(std::move(item)); }))
        throw Full();
      return;
    }
    add(std::move(item));
  }

  T pop(std::optional<double> timeout_s) {
    std::unique_lock lock(mutex_);
    if (items_.empty()) {
      lock.unlock();
      std::optional<T> item;
      if (!wait_for(
              "get", [&] { return !items_.empty(); }, timeout_s, [&] { item = take(); }))
        throw Empty();
      return std::move(*item);
    }
    return take();
  }

  // Under the mutex.
  void add(T item) {
    items_.push_back(std::move(item));
    ++unfinished_;
    if (items_.size() > peak_) peak_ = items_.size();
    cv_.notify_all();
    rt_.changed(cv_);
  }
  T take() {
    T item = std::move(items_.front());
    items_.pop_front();
    cv_.notify_all();
    rt_.changed(cv_);
    return item;
  }

  // Blocks until ready(), then runs then() under the same hold of the mutex; false if
  // `timeout_s` (0: do not wait) ran out first.
  template <class Ready, class Then = void (*)()>
  bool wait_for(
      const char* name, Ready ready, std::optional<double> timeout_s, Then then = [] {}) {
    if (timeout_s == 0.0) {
      std::lock_guard lock(mutex_);
      if (!ready()) return false;
      then();
      return true;
    }
    const auto until =
        timeout_s ? std::optional(platform::now() + platform::to_nanos(*timeout_s)) : std::nullopt;
    threading::WaitScope scope(rt_, rt_.current(), mutex_, cv_,
                               {trace::State::blocked, name, lane_});
    std::unique_lock lock(mutex_);
    if (!scope.wait(lock, ready, until)) return false;
    then();
    return true;
  }

  threading::Runtime& rt_;
  trace::LaneId lane_;
  const std::size_t maxsize_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<T> items_;
  std::size_t unfinished_ = 0;
  std::size_t peak_ = 0;
};

}  // namespace samovar::queue
