#include "engine/multiprocessing/functions.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <unordered_map>

namespace samovar::multiprocessing::functions {

namespace {

// A plain global of the worker process, as a module-level variable of a Python worker:
// incremented there, it does not change the parent's (nor another worker's).
long long process_global = 0;

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

long long parse_integer(std::string_view text) {
  const std::string s(text);
  std::size_t used = 0;
  const long long v = std::stoll(s, &used);
  if (used != s.size()) throw std::invalid_argument("not an integer: " + s);
  return v;
}

using Function = std::string (*)(std::string_view);

const std::unordered_map<std::string_view, Function>& table() {
  static const std::unordered_map<std::string_view, Function> functions{
      {"encrypt",
       [](std::string_view arg) {
         const auto colon = arg.find(':');
         if (colon == std::string_view::npos)
           throw std::invalid_argument("encrypt wants rounds:data");
         const auto rounds = static_cast<std::uint64_t>(parse_integer(arg.substr(0, colon)));
         return to_result(encrypt(arg.substr(colon + 1), rounds));
       }},
      {"count_primes",
       [](std::string_view arg) { return std::to_string(count_primes(parse_integer(arg))); }},
      {"echo", [](std::string_view arg) { return std::string(arg); }},
      // chai_stock += 1, `n` times, on the worker's own global (guide 3.4 in a process).
      {"increment_global",
       [](std::string_view arg) {
         for (long long i = 0, n = parse_integer(arg); i < n; ++i)
           process_global = process_global + 1;
         return std::to_string(process_global);
       }},
      // Adds to the worker's own global and returns its new value.
      {"add_to_global",
       [](std::string_view arg) {
         process_global += parse_integer(arg);
         return std::to_string(process_global);
       }},
      {"raise",
       [](std::string_view arg) -> std::string { throw std::invalid_argument(std::string(arg)); }},
      // The worker process dies mid-call, as one killed by a crash would.
      {"crash", [](std::string_view) -> std::string { std::abort(); }},
  };
  return functions;
}

}  // namespace

std::string call(std::string_view name, std::string_view argument) {
  const auto& functions = table();
  const auto it = functions.find(name);
  if (it == functions.end()) throw std::out_of_range("no function named " + std::string(name));
  return it->second(argument);
}

Encrypted encrypt(std::string_view data, std::uint64_t rounds) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::uint64_t i = 0; i < rounds; ++i) h = fnv1a(data, h ^ i);
  return {"    " + std::string(data.rbegin(), data.rend()), h};
}

std::string to_argument(std::string_view data, std::uint64_t rounds) {
  return std::to_string(rounds) + ":" + std::string(data);
}

std::string to_result(const Encrypted& e) {
  return std::to_string(e.hash) + ":" + e.text;
}

Encrypted from_result(std::string_view bytes) {
  const auto colon = bytes.find(':');
  if (colon == std::string_view::npos) throw std::invalid_argument("not an encrypt result");
  return {std::string(bytes.substr(colon + 1)), std::stoull(std::string(bytes.substr(0, colon)))};
}

long long count_primes(long long limit) {
  return count_primes(
      limit, [] {}, [] {});
}

}  // namespace samovar::multiprocessing::functions
