#include "engine/multiprocessing/functions.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "engine/multiprocessing/barrier.hpp"
#include "engine/multiprocessing/queue.hpp"
#include "engine/multiprocessing/value.hpp"
#include "engine/multiprocessing/wire.hpp"
#include "engine/platform/process.hpp"

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

// "a b c": exactly `count` integers, for the functions that take several.
std::vector<long long> parse_integers(std::string_view text, std::size_t count,
                                      const char* function) {
  std::vector<long long> values;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t space = std::min(text.find(' ', at), text.size());
    values.push_back(parse_integer(text.substr(at, space - at)));
    at = space + 1;
  }
  if (values.size() != count)
    throw std::invalid_argument(std::string(function) + " wants " + std::to_string(count) +
                                " integers, got \"" + std::string(text) + "\"");
  return values;
}

// A shared object's handle, as the parent passed it: a word of the shared block.
SharedWords::Word handle(long long h) {
  if (h < 0 || static_cast<unsigned long long>(h) >= platform::shared_memory::capacity())
    throw std::out_of_range("no shared object at word " + std::to_string(h));
  return static_cast<SharedWords::Word>(h);
}

// Python's name for what went wrong, so the parent re-raises "the same" exception.
const char* python_type(const std::exception& e) {
  if (dynamic_cast<const std::invalid_argument*>(&e)) return "ValueError";
  if (dynamic_cast<const std::out_of_range*>(&e)) return "LookupError";
  return "RuntimeError";
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
      // chai_stock.value += 1 on a shared Value, `n` times, starting with the others at a
      // Barrier; with `locked`, under the Value's own lock. Args: value barrier n locked
      // timeout_ns.
      {"increment_value",
       [](std::string_view arg) {
         const auto a = parse_integers(arg, 5, "increment_value");
         Value stock = Value::attach(handle(a[0]));
         Barrier start = Barrier::attach(handle(a[1]));
         const platform::Nanos timeout = a[4];
         start.wait(timeout);
         for (long long i = 0; i < a[2]; ++i) {
           if (a[3] != 0) {
             Held held(stock.get_lock(), timeout);
             stock.set_value(stock.value() + 1);
           } else {
             stock.set_value(stock.value() + 1);
           }
         }
         return std::to_string(a[2]);
       }},
      // A producer of guide 7.2 in a process: brews `items` cups (numbered from
      // producer * items), putting each on the shared Queue. Args: queue producer items
      // brew_ns timeout_ns. Answers a line per cup: "order time cup waited" (Queue::Put).
      {"produce",
       [](std::string_view arg) {
         const auto a = parse_integers(arg, 5, "produce");
         Queue cups = Queue::attach(handle(a[0]));
         std::ostringstream lines;
         for (long long i = 0; i < a[2]; ++i) {
           platform::sleep_for(a[3]);
           const long long cup = a[1] * a[2] + i;
           const auto put = cups.put(static_cast<std::int32_t>(cup), a[4]);
           lines << put.order << ' ' << put.at << ' ' << cup << ' ' << put.waited << '\n';
         }
         return lines.str();
       }},
      // A consumer in a process: takes cups until a -1 (None), serving each, and counts them
      // in `served`: a shared Value (under its lock) or, given -1, this process's own global.
      // Args: queue serve_ns served timeout_ns. Answers a line per cup: "order time cup".
      {"consume",
       [](std::string_view arg) {
         const auto a = parse_integers(arg, 4, "consume");
         Queue cups = Queue::attach(handle(a[0]));
         const platform::Nanos timeout = a[3];
         std::ostringstream lines;
         for (;;) {
           const auto got = cups.get(timeout);
           if (got.item < 0) break;
           lines << got.order << ' ' << got.at << ' ' << got.item << '\n';
           platform::sleep_for(a[1]);
           if (a[2] >= 0) {
             Value served = Value::attach(handle(a[2]));
             Held held(served.get_lock(), timeout);
             served.set_value(served.value() + 1);
           } else {
             process_global += 1;
           }
         }
         return lines.str();
       }},
      {"raise",
       [](std::string_view arg) -> std::string { throw std::invalid_argument(std::string(arg)); }},
      // The worker process dies mid-call, as one killed by a crash would.
      {"crash", [](std::string_view) -> std::string { std::abort(); }},
  };
  return functions;
}

// Every process of this binary (and every WASM instance of this module) answers its requests
// from this table, from its start: a WASM process worker's instance runs no main() to say so
// later. This file is linked into every binary that has a function to run: the table is here.
[[maybe_unused]] const bool answers_requests =
    (platform::process::set_request_handler(&handle_request), true);

}  // namespace

std::string call(std::string_view name, std::string_view argument) {
  const auto& functions = table();
  const auto it = functions.find(name);
  if (it == functions.end()) throw std::out_of_range("no function named " + std::string(name));
  return it->second(argument);
}

std::string handle_request(std::string_view request) noexcept {
  try {
    try {
      const wire::Call c = wire::decode_call(request);
      return wire::encode(wire::Outcome{true, call(c.function, c.argument), {}});
    } catch (const std::exception& e) {
      return wire::encode(wire::Outcome{false, e.what(), python_type(e)});
    }
  } catch (...) {
    return {};  // out of memory encoding the answer: the parent reads an empty answer as an error
  }
}

Encrypted encrypt(std::string_view data, std::uint64_t rounds,
                  const std::function<void()>& each_chunk) {
  constexpr std::uint64_t kChunk = 1'000'000;
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::uint64_t i = 0; i < rounds; ++i) {
    h = fnv1a(data, h ^ i);
    if (i % kChunk == kChunk - 1) each_chunk();
  }
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
