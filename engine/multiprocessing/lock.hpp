#pragma once
#include "engine/multiprocessing/shared_words.hpp"
#include "engine/platform/clock.hpp"

namespace samovar::multiprocessing {

// multiprocessing.Lock: a lock any process of the pool can take, in shared memory (one word:
// 0 free, 1 held, 2 held and someone may be waiting). Not recursive, not owned: any process
// may release it, as Python's. Thread-safe and process-safe.
class Lock {
 public:
  Lock() : words_(1) {}
  static Lock attach(SharedWords::Word handle) { return Lock(SharedWords::attach(handle)); }
  SharedWords::Word handle() const noexcept { return words_.handle(); }

  // Waits at most `timeout`; false if the lock was not free by then.
  bool acquire(platform::Nanos timeout);
  void release();
  bool locked() const;

 private:
  explicit Lock(SharedWords words) : words_(std::move(words)) {}
  SharedWords words_;
};

// `with lock:` for a Lock that must be had within `timeout`, or std::runtime_error.
class Held {
 public:
  Held(Lock& lock, platform::Nanos timeout);
  ~Held() { lock_.release(); }
  Held(const Held&) = delete;
  Held& operator=(const Held&) = delete;

 private:
  Lock& lock_;
};

}  // namespace samovar::multiprocessing
