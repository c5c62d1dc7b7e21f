#pragma once
#include <stdexcept>
#include <string>

namespace samovar::asyncio {

// A run went past its deadline; the loop stops and the report says so.
class DeadlineExceeded : public std::runtime_error {
 public:
  explicit DeadlineExceeded(double deadline_s)
      : std::runtime_error("the run did not finish within its deadline of " + format(deadline_s) + " s") {}

 private:
  static std::string format(double s) {
    std::string text = std::to_string(s);
    text.erase(text.find_last_not_of('0') + 1);
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text;
  }
};

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
