#include "engine/workload/unit_cost.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/platform/clock.hpp"
#include "engine/workload/cpu.hpp"

namespace samovar::workload {

namespace {

constexpr int kMaxPieces = 10;
constexpr double kTicksPerPiece = 100;
constexpr long long kUnitPrimes = 753;

double seconds_since(platform::Nanos start) {
  return platform::to_seconds(platform::now() - start);
}

}  // namespace

UnitCost measure_unit_cost(double timer_resolution_s, const Rounds& rounds) {
  auto nothing = [] {};
  const platform::Nanos warm_start = platform::now();
  long long warm_primes = cpu_unit(nothing);
  const double warm_s = seconds_since(warm_start);
  if (warm_primes != kUnitPrimes)
    throw std::logic_error("a cpu unit counted " + std::to_string(warm_primes) + " primes");
  const double fit = warm_s / (kTicksPerPiece * std::max(timer_resolution_s, 1e-9));
  const int pieces = static_cast<int>(std::clamp(std::floor(fit), 1.0, double{kMaxPieces}));
  const long long width = kUnitNumbers / pieces;
  long long primes = 0;
  const UnitCost cost = fastest_pieces(
      pieces,
      [&](int i) {
        // Bounds read through a volatile, so that no compiler does a piece once for its rounds.
        volatile long long from = kUnitFrom + i * width;
        const long long to = i + 1 == pieces ? kUnitFrom + kUnitNumbers : from + width;
        const platform::Nanos start = platform::now();
        primes += count_primes_between(from, to, nothing);
        return seconds_since(start);
      },
      rounds);
  if (primes != kUnitPrimes * cost.rounds)
    throw std::logic_error(std::to_string(cost.rounds) + " rounds of a cpu unit counted " +
                           std::to_string(primes) + " primes");
  return cost;
}

}  // namespace samovar::workload
