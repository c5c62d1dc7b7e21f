#include <emscripten/emscripten.h>

#include "engine/platform/clock.hpp"

namespace samovar::platform {

namespace {
// One timeline for every thread. emscripten_get_now() on a pthread corrects performance.now()
// by a drift measured through a message, off by its latency (milliseconds in a browser), so
// times taken on two threads could not be compared. timeOrigin + now() is the shared clock
// browsers define for all workers; under node, hrtime is one clock for the process. Its
// resolution is what the browser allows (5 us cross-origin isolated), which the report states.
// clang-format off
EM_JS(double, js_now_ms, (), {
  if (typeof process === 'object' && process.hrtime) {
    const t = process.hrtime();
    return t[0] * 1e3 + t[1] / 1e6;
  }
  return performance.timeOrigin + performance.now();
});
// Emscripten's CPU-time clocks read the wall clock; node's process.cpuUsage() is the real
// figure (user + system, microseconds, every thread of the process). Negative: not known.
EM_JS(double, js_process_cpu_us, (), {
  if (typeof process === 'object' && process.cpuUsage) {
    const u = process.cpuUsage();
    return u.user + u.system;
  }
  return -1;
});
// clang-format on
}  // namespace

Nanos machine_now() noexcept {
  return static_cast<Nanos>(js_now_ms() * 1e6);
}

std::optional<Nanos> process_cpu_time() noexcept {
  const double us = js_process_cpu_us();
  if (us < 0) return std::nullopt;
  return static_cast<Nanos>(us * 1e3);
}

}  // namespace samovar::platform
