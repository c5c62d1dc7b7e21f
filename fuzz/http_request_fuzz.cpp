// The request parser of `samovar serve`: HttpServer::connection's parse loop
// (engine/net/http_server.cpp), fed from bytes instead of a socket, with the callbacks the
// server shares with the client (engine/net/detail/message_parse.hpp). http_server.cpp keeps
// its settings table in an anonymous namespace and its loop inside the connection coroutine,
// so both are mirrored here, line for line: keep them in step until the server has one parse
// function to call.
//
// The input's first byte sets the read size (how the socket hands the bytes over, 1 to 64 at
// a time) and the body limit (16 B to 1 MiB); the rest is what the client sent, pipelined
// requests included. Beyond not crashing: no step may leave the loop where it was (the server
// would spin on the same bytes, never awaiting: the whole loop hangs), and a complete request
// has a method and a target.
#include <http_parser.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/net/detail/message_parse.hpp"
#include "fuzz/check.hpp"

namespace {

namespace detail = samovar::net::detail;

// As http_server.cpp's Parse, of() and settings().
struct Parse : detail::MessageParse {
  std::string target;
  std::string method;
  bool keep_alive = true;
};

Parse& of(http_parser* p) {
  return static_cast<Parse&>(*static_cast<detail::MessageParse*>(p->data));
}

const http_parser_settings& settings() {
  static const http_parser_settings table = [] {
    http_parser_settings s{};
    http_parser_settings_init(&s);
    detail::collect_headers_and_body(s);
    s.on_url = [](http_parser* p, const char* at, size_t n) {
      of(p).target.append(at, n);
      return 0;
    };
    s.on_message_complete = [](http_parser* p) {
      auto& st = of(p);
      st.method = http_method_str(static_cast<http_method>(p->method));
      st.keep_alive = http_should_keep_alive(p) != 0;
      st.complete = true;
      http_parser_pause(p, 1);
      return 0;
    };
    return s;
  }();
  return table;
}

constexpr std::size_t kBodyLimits[] = {16, 256, 4096, std::size_t{1} << 20};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t read_size = (data[0] & 0x3f) + 1;
  const std::size_t max_body = kBodyLimits[data[0] >> 6];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t offset = 0;  // what the "socket" has handed over so far

  // HttpServer::connection, with sock::read taking the next read_size bytes of the input and
  // the end of the input as the peer closing.
  http_parser parser;
  http_parser_init(&parser, HTTP_REQUEST);
  std::string pending;
  bool open = true;
  while (open) {
    Parse st;
    st.max_body = max_body;
    parser.data = static_cast<detail::MessageParse*>(&st);
    http_parser_pause(&parser, 0);
    int error_status = 0;
    while (!st.complete && error_status == 0) {
      std::string_view chunk;
      if (!pending.empty()) {
        chunk = pending;
      } else {
        if (offset == input.size()) {
          open = false;
          break;
        }
        chunk = input.substr(offset, read_size);
        offset += chunk.size();
      }
      const std::size_t used =
          http_parser_execute(&parser, &settings(), chunk.data(), chunk.size());
      const auto err = HTTP_PARSER_ERRNO(&parser);
      std::string rest(chunk.substr(std::min(used, chunk.size())));
      // Nothing taken, nothing finished, no error: the server's next turn would find the same
      // bytes in the same state, and spin on them.
      if (used == 0 && !chunk.empty() && !st.complete && !st.too_large &&
          (err == HPE_OK || err == HPE_PAUSED))
        samovar::fuzz::broken(
            "each turn of the parse loop takes bytes, ends the request, or fails");
      pending = std::move(rest);
      if (st.too_large)
        error_status = 413;
      else if (err == HPE_HEADER_OVERFLOW)
        error_status = 431;
      else if (err != HPE_OK && err != HPE_PAUSED)
        error_status = 400;
    }
    if (!open) break;
    if (error_status == 0) {
      if (st.method.empty() || st.target.empty())
        samovar::fuzz::broken("a complete request has a method and a target");
      if (st.body.size() > max_body) samovar::fuzz::broken("a body within the limit");
    }
    // The server answers, then keeps the connection only for a good request that asks to.
    open = error_status == 0 && st.keep_alive;
  }
  return 0;
}
