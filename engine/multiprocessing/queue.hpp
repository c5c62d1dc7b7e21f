#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>

#include "engine/multiprocessing/lock.hpp"
#include "engine/multiprocessing/shared_words.hpp"
#include "engine/platform/clock.hpp"

namespace samovar::multiprocessing {

// multiprocessing.Queue(maxsize) of ints, for processes: a ring in shared memory under a Lock
// of its own, with blocking put and get. Python's pickles any object through a pipe; the
// scenarios only pass cup numbers, so a ring of ints is the honest small version.
class Queue {
 public:
  // Holds at most `maxsize` items: put() waits for room (back-pressure).
  explicit Queue(std::size_t maxsize);
  static Queue attach(SharedWords::Word handle);
  SharedWords::Word handle() const noexcept { return words_.handle(); }

  // Waits at most `timeout` for room, else throws std::runtime_error (Python: queue.Full).
  // Returns whether it had to wait.
  bool put(std::int32_t item, platform::Nanos timeout);
  // Waits at most `timeout` for an item, else throws std::runtime_error (queue.Empty).
  std::int32_t get(platform::Nanos timeout);
  std::size_t qsize() const;
  // The most items it ever held at once.
  std::size_t peak_size() const;

 private:
  explicit Queue(SharedWords words);
  SharedWords words_;  // the header (see queue.cpp), then the ring
  Lock lock_;          // in words_, which own it
};

}  // namespace samovar::multiprocessing
