#pragma once
#include <string>

#include "engine/samovar.hpp"

namespace samovar::cli {

// docs/PERFORMANCE.md from a results file `samovar bench` wrote: the machine, and per request
// the native wall time beside CPython's, with their ratio where both can be trusted.
std::string performance_markdown(const nlohmann::json& results);

}  // namespace samovar::cli
