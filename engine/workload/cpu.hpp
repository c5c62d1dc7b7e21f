#pragma once

// A `cpu` step's unit of work: counting, by trial division, the primes among 10,000 numbers
// from 1,000,000 on. Deterministic on both targets (each unit finds the same 753 primes), so
// every model's results can be compared. `each_candidate` runs once per number tried: the
// GIL model's eval-loop checkpoint. Kept out of line, as gil.cpp's is: V8 moves a WASM
// function to optimised code only between calls.
namespace samovar::workload {

inline constexpr long long kUnitFrom = 1'000'000, kUnitNumbers = 10'000;

template <class EachCandidate>
[[gnu::noinline]] long long cpu_unit(EachCandidate& each_candidate) {
  // Read through a volatile, so that no compiler takes a unit for a pure function and does one
  // in place of several.
  volatile long long start = kUnitFrom;
  const long long from = start;
  long long count = 0;
  for (long long n = from; n < from + kUnitNumbers; ++n) {
    bool prime = true;
    for (long long d = 2; d * d <= n; ++d)
      if (n % d == 0) {
        prime = false;
        break;
      }
    count += prime;
    each_candidate();
  }
  return count;
}

}  // namespace samovar::workload
