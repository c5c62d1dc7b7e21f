#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

// The functions a worker process can run: a call names one and passes its argument as bytes,
// as pickle would name a module-level function. Each runs in the worker's own address space.
namespace samovar::multiprocessing::functions {

// Looks `name` up and runs it; throws std::out_of_range for a name it does not know.
std::string call(std::string_view name, std::string_view argument);

// What a worker process does with one request (wire.hpp): runs the named function on its
// argument and encodes the result or the exception. Never throws. This file hands it to the
// platform (platform::process::set_request_handler) as the process, or the WASM instance,
// starts: natively serve() calls it, in WASM the export samovar_process_call.
std::string handle_request(std::string_view request) noexcept;

// The CPU kernels, also for the parent's own sequential runs: deterministic on both targets.
// Guide 4.1's encrypt: the text reversed after four spaces, after `rounds` of hashing it
// (the "CPU-intensive operation"); the hash comes back too, so results can be compared.
struct Encrypted {
  std::string text;
  std::uint64_t hash;
};
// `each_chunk` runs between chunks of a million rounds (a deadline check, in the parent).
Encrypted encrypt(
    std::string_view data, std::uint64_t rounds, const std::function<void()>& each_chunk = [] {});
std::string to_argument(std::string_view data, std::uint64_t rounds);
std::string to_result(const Encrypted& e);
Encrypted from_result(std::string_view bytes);

// Counts the primes below `limit` by trial division. `each_candidate` runs once per number
// tried (the GIL model's eval-loop checkpoint), `each_chunk` between chunks (a deadline check).
// The work runs in chunks of calls to a function kept out of line: V8 moves a WASM function to
// optimised code only between calls, so one long call would run unoptimised to its end.
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

template <class EachCandidate, class EachChunk>
long long count_primes(long long limit, EachCandidate each_candidate, EachChunk each_chunk) {
  constexpr long long kChunk = 10'000;
  long long count = 0;
  for (long long from = 0; from < limit; from += kChunk) {
    count +=
        count_primes_between(from, from + kChunk < limit ? from + kChunk : limit, each_candidate);
    each_chunk();
  }
  return count;
}

long long count_primes(long long limit);

}  // namespace samovar::multiprocessing::functions
