#pragma once
#include <chrono>
#include <cstdint>
#include <optional>

namespace samovar::platform {

// Monotonic time in nanoseconds; the origin is arbitrary, so only differences mean anything.
using Nanos = std::int64_t;

Nanos now() noexcept;

// Blocks the calling thread (the `time.sleep` of the sequential and threading models).
void sleep_for(Nanos duration) noexcept;

// CPU time the whole process has used so far, on all its threads, where the target can tell:
// natively, and in WASM under node; a browser does not say (nullopt).
std::optional<Nanos> process_cpu_time() noexcept;

// The smallest step the clock was seen to take, measured by reading it in a tight loop.
double timer_resolution_seconds() noexcept;

constexpr Nanos to_nanos(double seconds) noexcept {
  return static_cast<Nanos>(seconds * 1e9);
}
constexpr double to_seconds(Nanos nanos) noexcept {
  return static_cast<double>(nanos) * 1e-9;
}

}  // namespace samovar::platform
