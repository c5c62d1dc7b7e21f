#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

// What crosses between a pool and its worker processes, as bytes: a call (a function's name
// and its argument) and its outcome (the result, or the exception's type and message). Small,
// versioned, little-endian; a reader refuses a version it does not know.
namespace samovar::multiprocessing::wire {

constexpr std::uint8_t kVersion = 1;

struct Call {
  std::string function;
  std::string argument;
};

struct Outcome {
  bool ok = true;
  std::string value;       // the result, or the exception's message
  std::string error_type;  // set when !ok: "ValueError", "RuntimeError", ...
};

// Bytes that are not a message of this version.
class BadMessage : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string encode(const Call& call);
std::string encode(const Outcome& outcome);
Call decode_call(std::string_view bytes);
Outcome decode_outcome(std::string_view bytes);

}  // namespace samovar::multiprocessing::wire
