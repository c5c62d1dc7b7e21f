#include "engine/contract/bad_request.hpp"

#include <cmath>

#include "engine/contract/format.hpp"

namespace samovar::contract::message {

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string not_json(const std::string& parse_error) {
  return "not valid JSON (" + parse_error + ")";
}
std::string not_an_object() {
  return "expected a JSON object";
}
std::string unknown_field(const std::string& allowed) {
  return "unknown field; allowed: " + allowed;
}
std::string missing() {
  return "required, but missing";
}
std::string wrong_type(const std::string& expected, const std::string& got) {
  return "expected " + expected + ", got " + got;
}
std::string out_of_range(const std::string& value, const std::string& allowed) {
  return value + " is out of range; allowed: " + allowed;
}
std::string not_one_of(const std::string& value, const std::string& allowed) {
  return value + " is not allowed; allowed: " + allowed;
}
std::string unsupported_version(const std::string& value, int known) {
  return value + " is not a schema version this build knows; allowed: " + std::to_string(known);
}

std::string number_overflow(const std::string& token) {
  return "number " + token + " is out of range; allowed: a number a double holds (about 1e308)";
}
std::string too_deep(std::size_t max_depth) {
  return "nested too deep; allowed: at most " + std::to_string(max_depth) + " levels";
}
std::string not_utf8() {
  return "is not valid UTF-8 text";
}
std::string control_character(std::size_t at) {
  return "has a control character at " + std::to_string(at) + "; allowed: printable text";
}
std::string too_large(std::size_t bytes, std::size_t max) {
  return std::to_string(bytes) + " bytes is too large; allowed: at most " + std::to_string(max);
}
std::string too_long(std::size_t length, std::size_t max) {
  return std::to_string(length) + " characters is too long; allowed: a string of at most " +
         std::to_string(max);
}

std::string range(bool integer, double min, double max) {
  return std::string(integer ? "integer " : "number ") + shortest(min) + ".." + shortest(max);
}

std::string over_target_limit(const std::string& value, std::size_t limit,
                              const std::string& what) {
  return value + " is more than this target allows: at most " + std::to_string(limit) + " " + what;
}

}  // namespace samovar::contract::message
