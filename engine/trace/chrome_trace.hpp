#pragma once
#include <nlohmann/json.hpp>

namespace samovar::trace {

// A report's trace as Chrome Trace Event JSON (Perfetto and chrome://tracing open it): one
// thread row per lane, complete events for spans, instant events for printed lines.
nlohmann::json chrome_trace(const nlohmann::json& report);

}  // namespace samovar::trace
