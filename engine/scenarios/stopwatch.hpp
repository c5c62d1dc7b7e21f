#pragma once
#include <optional>

#include "engine/platform/clock.hpp"

namespace samovar::scenarios {

// The wall clock and, where the target can tell, the process's CPU clock, from one start. A
// busy machine gives a never-waiting baseline less than a core (cores_busy < 1), and threads
// that wake often more than their share, so a speedup over that baseline is inflated by up to
// 1 / its cores_busy: the scenarios that time one report it beside the speedup.
class Stopwatch {
 public:
  double seconds() const { return platform::to_seconds(platform::now() - begin_); }

  // CPU seconds per wall second since the start, over every thread of this process.
  std::optional<double> cores_busy() const {
    const auto end = platform::now();
    const auto cpu_end = platform::process_cpu_time();
    if (!cpu_begin_ || !cpu_end || end <= begin_) return std::nullopt;
    return static_cast<double>(*cpu_end - *cpu_begin_) / static_cast<double>(end - begin_);
  }

  platform::Nanos begin() const { return begin_; }

 private:
  platform::Nanos begin_ = platform::now();
  std::optional<platform::Nanos> cpu_begin_ = platform::process_cpu_time();
};

}  // namespace samovar::scenarios
