#include "engine/multiprocessing/functions.hpp"

#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>

#include "engine/platform/process.hpp"

namespace samovar::multiprocessing {

namespace {

// Python's name for what went wrong, so the parent re-raises "the same" exception.
const char* python_type(const std::exception& e) {
  if (dynamic_cast<const std::invalid_argument*>(&e)) return "ValueError";
  if (dynamic_cast<const std::out_of_range*>(&e)) return "LookupError";
  return "RuntimeError";
}

// This process's functions, by name: filled while the process starts (Function's
// initialisers), read by every call after. Entries are never removed, so a function found
// under the lock can run outside it.
class Registry {
 public:
  Registry() {
    // The process machinery's own, for tests and benchmarks: the bytes back as they came (a
    // round trip and nothing else), an exception raised with the argument as its message, and
    // a worker that dies mid-call, as one killed by a crash would.
    add("echo", [](std::string_view argument) { return std::string(argument); });
    add("raise", [](std::string_view argument) -> std::string {
      throw std::invalid_argument(std::string(argument));
    });
    add("crash", [](std::string_view) -> std::string { std::abort(); });
  }

  void add(std::string name, BytesFunction fn) {
    std::lock_guard lock(mutex_);
    if (functions_.count(name) != 0) throw std::logic_error("two process functions named " + name);
    functions_.emplace(std::move(name), std::move(fn));
  }

  const BytesFunction& find(std::string_view name) const {
    std::lock_guard lock(mutex_);
    const auto it = functions_.find(name);
    if (it == functions_.end()) throw std::out_of_range("no function named " + std::string(name));
    return it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, BytesFunction, std::less<>> functions_;
};

// Never destroyed: a worker's last call may still be under way while the process exits.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

// This process (or WASM instance) answers its requests from the registry, from its start: a
// WASM process worker's instance runs no main() that could say so later. This file is linked
// into every binary that has a function to run (every Function's constructor calls into it).
[[maybe_unused]] const bool answers_requests =
    (platform::process::set_request_handler(&handle_request), true);

}  // namespace

void register_bytes_function(std::string name, BytesFunction fn) {
  registry().add(std::move(name), std::move(fn));
}

std::string call_function(std::string_view name, std::string_view argument) {
  return registry().find(name)(argument);
}

std::string handle_request(std::string_view request) noexcept {
  try {
    try {
      const wire::Call call = wire::decode_call(request);
      return wire::encode(wire::Outcome{true, call_function(call.function, call.argument), {}});
    } catch (const std::exception& e) {
      return wire::encode(wire::Outcome{false, e.what(), python_type(e)});
    }
  } catch (...) {
    return {};  // out of memory encoding the answer: the parent reads an empty answer as an error
  }
}

}  // namespace samovar::multiprocessing
