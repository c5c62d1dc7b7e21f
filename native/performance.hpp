#pragma once
#include <string>

#include "engine/samovar.hpp"

namespace samovar::cli {

// docs/PERFORMANCE.md from a results file `samovar bench` wrote: the machine, and per request
// the native wall time beside CPython's, with their ratio where both can be trusted, and the
// headline metrics the catalog names; then compare's Table 4 and scale's sweeps.
std::string performance_markdown(const nlohmann::json& results, const nlohmann::json& catalog);

}  // namespace samovar::cli
