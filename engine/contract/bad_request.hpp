#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace samovar::contract {

// Bad input: nothing ran. `field` is the request's path to the bad value ("params.tasks").
// Every message a user can get is built in bad_request.cpp, so tests match them exactly.
class BadRequest : public std::runtime_error {
 public:
  BadRequest(std::string field, const std::string& problem)
      : std::runtime_error(field + ": " + problem), field_(std::move(field)) {}
  const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

namespace message {
// "a, b, c": allowed values, fields, models.
std::string list(const std::vector<std::string>& items);
std::string not_json(const std::string& parse_error);
std::string not_an_object();
std::string unknown_field(const std::string& allowed);
std::string missing();
std::string wrong_type(const std::string& expected, const std::string& got);
std::string out_of_range(const std::string& value, const std::string& allowed);
std::string not_one_of(const std::string& value, const std::string& allowed);
std::string unsupported_version(const std::string& value, int known);
// "integer 1..1000000", "number 0.001..10": a numeric field's allowed range.
std::string range(bool integer, double min, double max);
std::string too_long(std::size_t length, std::size_t max);
// Inputs no field allows: a number no double holds, nesting, bytes that are not text.
std::string number_overflow(const std::string& token);
std::string too_deep(std::size_t max_depth);
std::string not_utf8();
std::string control_character(std::size_t at);
std::string too_large(std::size_t bytes, std::size_t max);
// A value inside the param's range but past what this target can do for this model.
std::string over_target_limit(const std::string& value, std::size_t limit, const std::string& what);
}  // namespace message

}  // namespace samovar::contract
