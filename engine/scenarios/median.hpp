#pragma once
#include <algorithm>
#include <vector>

namespace samovar::scenarios {

// The middle of `values` (the mean of the two middle ones for an even count); 0 for none.
// Speedups are ratios of medians of interleaved rounds, so that one round slowed by the rest
// of a shared machine moves neither side.
inline double median(std::vector<double> values) {
  if (values.empty()) return 0;
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  if (values.size() % 2 == 1) return *mid;
  return (*mid + *std::max_element(values.begin(), mid)) / 2;
}

}  // namespace samovar::scenarios
