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

  // `order`: the operation's place among every put and get on this queue, from any process,
  // and `at` its time (platform::now(), read under the queue's lock), so that what happened
  // across processes can be told in the order it happened.
  struct Put {
    bool waited;  // the queue was full: this put waited for room
    std::int32_t order;
    platform::Nanos at;
  };
  struct Got {
    std::int32_t item;
    std::int32_t order;
    platform::Nanos at;
  };
  // Waits at most `timeout` for room, else throws std::runtime_error (Python: queue.Full).
  Put put(std::int32_t item, platform::Nanos timeout);
  // Waits at most `timeout` for an item, else throws std::runtime_error (queue.Empty).
  Got get(platform::Nanos timeout);
  std::size_t qsize() const;
  // The most items it ever held at once.
  std::size_t peak_size() const;

 private:
  explicit Queue(SharedWords words);
  SharedWords words_;  // the header (see queue.cpp), then the ring
  Lock lock_;          // in words_, which own it
};

}  // namespace samovar::multiprocessing
