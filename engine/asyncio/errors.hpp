#pragma once
#include <stdexcept>
#include <string>

namespace samovar::asyncio {

// asyncio.CancelledError: thrown at the await where a cancelled task is suspended.
class CancelledError : public std::runtime_error {
 public:
  CancelledError() : std::runtime_error("the task was cancelled") {}
};

// asyncio.TimeoutError: wait_for's time ran out (the awaited task was cancelled).
class TimeoutError : public std::runtime_error {
 public:
  explicit TimeoutError(const std::string& what) : std::runtime_error(what) {}
};

// asyncio.QueueFull / QueueEmpty, from put_nowait / get_nowait.
class QueueFull : public std::runtime_error {
 public:
  QueueFull() : std::runtime_error("the queue is full") {}
};
class QueueEmpty : public std::runtime_error {
 public:
  QueueEmpty() : std::runtime_error("the queue is empty") {}
};

}  // namespace samovar::asyncio
