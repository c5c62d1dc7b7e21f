#pragma once

// A `cpu` step's unit of work: counting, by trial division, the primes among 10,000 numbers
// from 1,000,000 on. Deterministic on both targets (each unit finds the same 753 primes), so
// every model's results can be compared. `each_candidate` runs once per number tried: the
// GIL model's eval-loop checkpoint.
namespace samovar::workload {

inline constexpr long long kUnitFrom = 1'000'000, kUnitNumbers = 10'000;

// Counts the primes in [from, to) by trial division; `each_candidate` runs once per number
// tried. Kept out of line: V8 moves a WASM function to optimised code only between calls, so
// one long call would run unoptimised to its end. gil.cpp counts with it too.
template <class EachCandidate>
[[gnu::noinline]] long long count_primes_between(long long from, long long to,
                                                 EachCandidate& each_candidate) {
  long long count = 0;
  for (long long n = from < 2 ? 2 : from; n < to; ++n) {
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

template <class EachCandidate>
[[gnu::noinline]] long long cpu_unit(EachCandidate& each_candidate) {
  // Read through a volatile, so that no compiler takes a unit for a pure function and does one
  // in place of several.
  volatile long long start = kUnitFrom;
  const long long from = start;
  return count_primes_between(from, from + kUnitNumbers, each_candidate);
}

}  // namespace samovar::workload
