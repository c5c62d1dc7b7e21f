#pragma once
#include <http_parser.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/net/detail/message_parse.hpp"
#include "engine/net/http_server.hpp"

namespace samovar::net::detail {

// Reads HTTP requests from a byte stream one at a time, as `samovar serve` does: the bytes go
// in as the socket hands them over, a request (or an error status) comes out, and bytes past
// it (a pipelined request) wait for the next. The fuzz target drives this same class.
// Not thread-safe; neither copied nor moved (the parser points at it).
class RequestReader {
 public:
  explicit RequestReader(std::size_t max_body);
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Begins the next request: before the first, and after each one answered.
  void next();
  // Bytes of an earlier read are waiting: parse them (parse_pending) before reading more.
  bool has_pending() const noexcept { return !pending_.empty(); }
  // Parses what the socket gave, or the waiting bytes; returns how many were taken.
  std::size_t parse(std::string_view bytes);
  std::size_t parse_pending();
  // Bytes that arrived while the last request was being answered.
  void keep(std::string_view bytes) { pending_.append(bytes); }

  bool headers_done() const noexcept { return st_.headers_done; }
  bool complete() const noexcept { return st_.complete; }
  // 0 while the request is good; else the status to answer with (400, 413, 431), after which
  // the stream cannot be trusted.
  int error_status() const noexcept { return error_status_; }

  // What a complete request said.
  HttpRequest take_request();
  int http_major() const noexcept { return parser_.http_major; }
  bool keep_alive() const noexcept { return st_.keep_alive; }
  bool is_head() const noexcept { return parser_.method == HTTP_HEAD; }

 private:
  struct Parse : MessageParse {
    std::string target;
    std::string method;
    bool keep_alive = true;
    bool headers_done = false;
  };
  static Parse& of(http_parser* p);
  static const http_parser_settings& settings();
  std::size_t execute(std::string_view bytes);

  const std::size_t max_body_;
  http_parser parser_{};
  Parse st_;
  std::string pending_;
  int error_status_ = 0;
};

}  // namespace samovar::net::detail
