#include "engine/platform/machine.hpp"

#include <emscripten/emscripten.h>

#include <cstdlib>

#include "engine/platform/clock.hpp"

namespace samovar::platform {

namespace {
// Runs on the calling pthread's worker: navigator and crossOriginIsolated exist in browser
// workers; under node there is no navigator, so the browser fields stay null.
// clang-format off
EM_JS(int, js_cores, (), {
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) return navigator.hardwareConcurrency;
  if (typeof process === 'object') return require('os').cpus().length;
  return 0;
});
EM_JS(char*, js_os, (), {
  let s = 'unknown';
  if (typeof process === 'object' && process.versions && process.versions.node) s = 'node ' + process.version + ' on ' + process.platform;
  else if (typeof navigator !== 'undefined') s = navigator.platform || 'browser';
  return allocateUTF8(s);
});
EM_JS(char*, js_browser, (), {
  if (typeof process === 'object' && process.versions && process.versions.node) return 0;
  if (typeof navigator === 'undefined') return 0;
  return allocateUTF8(navigator.userAgent);
});
EM_JS(int, js_isolated, (), {
  if (typeof crossOriginIsolated === 'undefined') return -1;
  return crossOriginIsolated ? 1 : 0;
});
// clang-format on

std::optional<std::string> take(char* s) {
  if (s == nullptr) return std::nullopt;
  std::string copy(s);
  std::free(s);
  return copy;
}
}  // namespace

Machine machine() {
  Machine m;
  m.cores = static_cast<unsigned>(js_cores());
  m.os = take(js_os()).value_or("unknown");
  m.browser = take(js_browser());
  if (m.browser) {
    const int isolated = js_isolated();
    if (isolated >= 0) m.cross_origin_isolated = isolated == 1;
  }
  m.timer_resolution_s = timer_resolution_seconds();
  return m;
}

const char* target_name() noexcept {
  return "wasm";
}

}  // namespace samovar::platform
