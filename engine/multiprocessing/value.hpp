#pragma once
#include <cstdint>

#include "engine/multiprocessing/lock.hpp"
#include "engine/multiprocessing/shared_words.hpp"

namespace samovar::multiprocessing {

// multiprocessing.Value('i', initial): an int in shared memory, seen by the parent and every
// worker process, with a lock of its own (get_lock()). Reading and writing `value` are each
// atomic, but `value += 1` is a read and then a write: from several processes at once,
// updates are lost, unless the increment is done under get_lock(), as in Python.
class Value {
 public:
  explicit Value(std::int32_t initial = 0);
  static Value attach(SharedWords::Word handle);
  SharedWords::Word handle() const noexcept { return words_.handle(); }

  std::int32_t value() const;
  void set_value(std::int32_t v);
  Lock& get_lock() noexcept { return lock_; }

 private:
  explicit Value(SharedWords words) : words_(std::move(words)), lock_(Lock::attach(words_[1])) {}
  SharedWords words_;  // [0] the value, [1] its lock
  Lock lock_;          // in words_[1], which own it
};

}  // namespace samovar::multiprocessing
