#pragma once
#include <cstdio>
#include <string>

namespace samovar::scenarios {

// A figure in a printed line: `v` with `digits` decimals ("0.300").
inline std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace samovar::scenarios
