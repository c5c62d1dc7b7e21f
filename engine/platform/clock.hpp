#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace samovar::platform {

// Monotonic time in nanoseconds; the origin is arbitrary, so only differences mean anything.
using Nanos = std::int64_t;

// The clock a run reads: the machine's, or on a thread that follows a virtual clock (an
// explored schedule, whose time moves by its steps and sleeps), that clock.
Nanos now() noexcept;
// Always the machine's clock: for deadlines, which are real time whatever a run's clock says.
Nanos machine_now() noexcept;
// The calling thread reads `clock` from now() on (nullptr: the machine's clock again). The
// clock is written by one thread at a time (the schedule's), read by the thread it runs.
void follow_clock(const std::atomic<Nanos>* clock) noexcept;

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
