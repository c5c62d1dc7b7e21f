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

// The task was destroyed before it finished (its loop stopped).
class CancelledError : public std::runtime_error {
 public:
  CancelledError() : std::runtime_error("the task was cancelled") {}
};

}  // namespace samovar::asyncio
