#pragma once
#include <cstdint>
#include <string>
#include <string_view>

// The functions a worker process can run: a call names one and passes its argument as bytes,
// as pickle would name a module-level function. Each runs in the worker's own address space.
namespace samovar::multiprocessing::functions {

// Looks `name` up and runs it; throws std::out_of_range for a name it does not know.
std::string call(std::string_view name, std::string_view argument);

// The CPU kernels, also for the parent's own sequential runs: deterministic on both targets.
// Guide 4.1's encrypt: the text reversed after four spaces, after `rounds` of hashing it
// (the "CPU-intensive operation"); the hash comes back too, so results can be compared.
struct Encrypted {
  std::string text;
  std::uint64_t hash;
};
Encrypted encrypt(std::string_view data, std::uint64_t rounds);
std::string to_argument(std::string_view data, std::uint64_t rounds);
std::string to_result(const Encrypted& e);
Encrypted from_result(std::string_view bytes);

long long count_primes(long long limit);

}  // namespace samovar::multiprocessing::functions
