#include "engine/net/detail/request_reader.hpp"

#include <algorithm>
#include <utility>

namespace samovar::net::detail {

RequestReader::RequestReader(std::size_t max_body) : max_body_(max_body) {
  http_parser_init(&parser_, HTTP_REQUEST);
  next();
}

void RequestReader::next() {
  st_ = Parse{};
  st_.max_body = max_body_;
  error_status_ = 0;
  parser_.data = static_cast<MessageParse*>(&st_);  // the callbacks cast back from the base
  http_parser_pause(&parser_, 0);
}

RequestReader::Parse& RequestReader::of(http_parser* p) {
  return static_cast<Parse&>(*static_cast<MessageParse*>(p->data));
}

const http_parser_settings& RequestReader::settings() {
  static const http_parser_settings table = [] {
    http_parser_settings s{};
    http_parser_settings_init(&s);
    collect_headers_and_body(s);
    s.on_url = [](http_parser* p, const char* at, size_t n) {
      of(p).target.append(at, n);
      return 0;
    };
    s.on_headers_complete = [](http_parser* p) {
      of(p).headers_done = true;
      return 0;
    };
    s.on_message_complete = [](http_parser* p) {
      auto& st = of(p);
      st.method = http_method_str(static_cast<http_method>(p->method));
      st.keep_alive = http_should_keep_alive(p) != 0;
      st.complete = true;
      http_parser_pause(p, 1);  // one message at a time; pipelined bytes wait in `pending_`
      return 0;
    };
    return s;
  }();
  return table;
}

std::size_t RequestReader::parse(std::string_view bytes) {
  return execute(bytes);
}

std::size_t RequestReader::parse_pending() {
  const std::string waiting = std::exchange(pending_, {});
  return execute(waiting);
}

std::size_t RequestReader::execute(std::string_view bytes) {
  const std::size_t used = std::min(
      http_parser_execute(&parser_, &settings(), bytes.data(), bytes.size()), bytes.size());
  pending_.insert(0, bytes.substr(used));
  const auto err = HTTP_PARSER_ERRNO(&parser_);
  if (st_.too_large)
    error_status_ = 413;
  else if (err == HPE_HEADER_OVERFLOW)
    error_status_ = 431;
  else if (err != HPE_OK && err != HPE_PAUSED)
    error_status_ = 400;
  return used;
}

HttpRequest RequestReader::take_request() {
  return HttpRequest{std::move(st_.method), std::move(st_.target), std::move(st_.headers),
                     std::move(st_.body)};
}

}  // namespace samovar::net::detail
