#pragma once
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "engine/threading/runtime.hpp"

namespace samovar::threading {

// threading.Event: a flag threads wait for. Thread-safe.
class Event {
 public:
  explicit Event(Runtime& rt, const std::string& name = "event");

  bool is_set() const;
  void set();
  void clear();
  // True once set; false if `timeout_s` ran out first.
  bool wait(std::optional<double> timeout_s = std::nullopt);

 private:
  Runtime& rt_;
  trace::LaneId lane_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool flag_ = false;
};

}  // namespace samovar::threading
