#pragma once
#include <cstdio>
#include <string>

// Numbers in the words of a printed line or a message, one way everywhere.
namespace samovar::contract {

// `v` with `digits` decimals: "0.300".
inline std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The shortest text that reads back as the same number: 60, 0.001, 1000000, 1e+20.
inline std::string shortest(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

}  // namespace samovar::contract
