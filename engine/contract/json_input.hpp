#pragma once
// JSON from outside (the network, JS, the command line) is hostile: these turn what
// nlohmann would throw or recurse on into a BadRequest naming the field.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace samovar::contract {

// Parses request text: not JSON, a number no double holds (1e400), nesting deeper than
// limits::kMaxDepth, or more than limits::kMaxRequestBytes each throw BadRequest with the
// value's path ("params.delay"). Iterative: any nesting costs no stack.
nlohmann::json parse_json_text(const std::string& text);

// Throws BadRequest at the path of the first key or string that is not UTF-8, or of nesting
// deeper than limits::kMaxDepth, in a value a caller built (the CLI, a test).
void check_json_value(const nlohmann::json& value);

// `text` with each byte that is not part of valid UTF-8 replaced by U+FFFD, as node decodes
// its command line: so both targets' CLIs see, and name, the same field.
std::string valid_utf8(std::string_view text);

}  // namespace samovar::contract
