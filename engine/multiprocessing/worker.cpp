#include "engine/multiprocessing/worker.hpp"

#include <exception>
#include <stdexcept>

#include "engine/multiprocessing/functions.hpp"
#include "engine/multiprocessing/wire.hpp"
#include "engine/platform/process.hpp"

namespace samovar::multiprocessing {

namespace {
// Python's name for what went wrong, so the parent re-raises "the same" exception.
const char* python_type(const std::exception& e) {
  if (dynamic_cast<const std::invalid_argument*>(&e)) return "ValueError";
  if (dynamic_cast<const std::out_of_range*>(&e)) return "LookupError";
  return "RuntimeError";
}
}  // namespace

std::string handle_request(std::string_view request) noexcept {
  try {
    try {
      const wire::Call call = wire::decode_call(request);
      return wire::encode(wire::Outcome{true, functions::call(call.function, call.argument), {}});
    } catch (const std::exception& e) {
      return wire::encode(wire::Outcome{false, e.what(), python_type(e)});
    }
  } catch (...) {
    return {};  // out of memory encoding the answer: the parent reads an empty answer as an error
  }
}

bool is_worker_process() {
  return platform::process::in_worker();
}

int worker_main() {
  return platform::process::serve([](std::string_view request) { return handle_request(request); });
}

}  // namespace samovar::multiprocessing
