#pragma once
#include <http_parser.h>

#include <cstddef>
#include <string>

#include "engine/net/http_server.hpp"

// What the server and the client share of http-parser: collecting a message's headers and
// body (with a size limit). Native only, like http-parser itself.
namespace samovar::net::detail {

struct MessageParse {
  Headers headers;
  std::string body;
  std::size_t max_body = 0;
  bool header_value_last = false;
  bool complete = false;
  bool too_large = false;
};

// Sets the header and body callbacks of `s`; `parser.data` must be a MessageParse* (for a
// derived type, the pointer to its MessageParse base).
inline void collect_headers_and_body(http_parser_settings& s) {
  s.on_header_field = [](http_parser* p, const char* at, size_t n) {
    auto& m = *static_cast<MessageParse*>(p->data);
    if (m.headers.empty() || m.header_value_last) m.headers.emplace_back();
    m.header_value_last = false;
    m.headers.back().first.append(at, n);
    return 0;
  };
  s.on_header_value = [](http_parser* p, const char* at, size_t n) {
    auto& m = *static_cast<MessageParse*>(p->data);
    m.header_value_last = true;
    m.headers.back().second.append(at, n);
    return 0;
  };
  s.on_body = [](http_parser* p, const char* at, size_t n) {
    auto& m = *static_cast<MessageParse*>(p->data);
    if (m.body.size() + n > m.max_body) {
      m.too_large = true;
      return 1;
    }
    m.body.append(at, n);
    return 0;
  };
}

}  // namespace samovar::net::detail
