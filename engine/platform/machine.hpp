#pragma once
#include <optional>
#include <string>

namespace samovar::platform {

// What a reader needs to judge a measurement: where it ran and under which conditions.
struct Machine {
  unsigned cores = 0;
  std::string os;
  std::optional<std::string> browser;         // a browser's user agent, when in one
  std::optional<bool> cross_origin_isolated;  // only meaningful in a browser
  double timer_resolution_s = 0;
};

Machine machine();

// "native" or "wasm": the report's `platform` field.
const char* target_name() noexcept;

}  // namespace samovar::platform
