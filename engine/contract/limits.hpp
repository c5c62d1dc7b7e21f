#pragma once
// Every maximum an input can reach, in one place: the request's fields, and what `samovar
// serve` accepts from the network. Each is checked where the input enters, against these
// names, and each has a test for the value just past it.
#include <cstddef>

namespace samovar::contract::limits {

// The request.
inline constexpr double kMinScale = 0.001, kMaxScale = 10;
inline constexpr double kMaxSeed = 4294967295.0;
inline constexpr double kMinDeadlineS = 0.1, kMaxDeadlineS = 3600;
inline constexpr double kMaxLines = 1e6;
inline constexpr double kMaxSpans = 1e7;
inline constexpr std::size_t kMaxText = 2048;             // any string field or param
inline constexpr std::size_t kMaxDepth = 32;              // objects and arrays within each other
inline constexpr std::size_t kMaxRequestBytes = 1 << 20;  // a request's JSON text

}  // namespace samovar::contract::limits
