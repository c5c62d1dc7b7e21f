#include "engine/net/http_server.hpp"

#include <http_parser.h>

#include <string_view>

#include "engine/asyncio/event_loop.hpp"
#include "engine/asyncio/wait_fd.hpp"
#include "engine/net/detail/message_parse.hpp"
#include "engine/platform/socket.hpp"

namespace samovar::net {

namespace sock = platform::socket;

const char* status_text(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

namespace {

// What the parser's callbacks assemble for one request.
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
      http_parser_pause(p, 1);  // one message at a time; pipelined bytes wait in `pending`
      return 0;
    };
    return s;
  }();
  return table;
}

std::string serialize(const HttpResponse& r, const Headers& common, bool keep_alive, bool head) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + status_text(r.status) + "\r\n";
  for (const auto& [k, v] : common) out += k + ": " + v + "\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head) out += r.body;
  return out;
}

HttpResponse plain(int status, std::string text) {
  return {status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(text) + "\n"};
}

}  // namespace

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      listener_(sock::listen_tcp(options_.host, options_.port)),
      port_(sock::local_port(listener_)) {}

HttpServer::~HttpServer() {
  for (auto& c : connections_) c.cancel();
  connections_.clear();
  if (loop_ != nullptr) loop_->forget_fd(listener_);
  sock::close(listener_);
}

asyncio::Task<void> HttpServer::serve() {
  auto& loop = asyncio::EventLoop::current();
  loop_ = &loop;
  for (;;) {
    // Finished connections are dropped now and then, so a busy accept loop stays O(1) a step.
    if (connections_.size() >= 2 * live_after_prune_) {
      std::erase_if(connections_, [](const auto& c) { return c.done(); });
      live_after_prune_ = std::max<std::size_t>(connections_.size(), 64);
    }
    for (int fd; (fd = sock::accept(listener_)) >= 0;)
      connections_.push_back(loop.create_task(connection(fd), "connection"));
    co_await asyncio::wait_fd(listener_, platform::kReadable);
  }
}

asyncio::Task<void> HttpServer::connection(int fd) {
  struct Close {  // on every way out, cancellation included
    asyncio::EventLoop& loop;
    int fd;
    ~Close() {
      loop.forget_fd(fd);
      sock::close(fd);
    }
  } close{asyncio::EventLoop::current(), fd};
  http_parser parser;
  http_parser_init(&parser, HTTP_REQUEST);
  std::string pending;  // bytes read but not yet parsed (a pipelined next request)
  char buffer[16 * 1024];
  bool open = true;

  // Sends all of `data`, waiting for the socket as needed; false if the peer is gone.
  auto send_all = [&](std::string data) -> asyncio::Task<bool> {
    std::size_t sent = 0;
    while (sent < data.size()) {
      auto r = sock::write(fd, data.data() + sent, data.size() - sent);
      if (r.kind == sock::IoResult::kDone) {
        sent += r.bytes;
      } else if (r.kind == sock::IoResult::kWouldBlock) {
        if (co_await asyncio::wait_fd(fd, platform::kWritable,
                                      platform::now() + options_.idle_timeout))
          co_return false;
      } else {
        co_return false;
      }
    }
    co_return true;
  };

  while (open) {
    Parse st;
    st.max_body = options_.max_body;
    parser.data = static_cast<detail::MessageParse*>(&st);  // the callbacks cast back from the base
    http_parser_pause(&parser, 0);
    int error_status = 0;
    while (!st.complete && error_status == 0) {
      std::string_view data;
      if (!pending.empty()) {
        data = pending;
      } else {
        auto r = sock::read(fd, buffer, sizeof buffer);
        if (r.kind == sock::IoResult::kWouldBlock) {
          const bool idle = st.target.empty() && st.headers.empty();
          if (co_await asyncio::wait_fd(fd, platform::kReadable,
                                        platform::now() + options_.idle_timeout)) {
            if (!idle)
              error_status = 408;
            else
              open = false;
            if (!open) break;
          }
          continue;
        }
        if (r.kind != sock::IoResult::kDone) {
          open = false;
          break;
        }
        data = std::string_view(buffer, r.bytes);
      }
      const std::size_t used = http_parser_execute(&parser, &settings(), data.data(), data.size());
      const auto err = HTTP_PARSER_ERRNO(&parser);
      std::string rest(data.substr(std::min(used, data.size())));
      pending = std::move(rest);
      if (st.too_large)
        error_status = 413;
      else if (err == HPE_HEADER_OVERFLOW)
        error_status = 431;
      else if (err != HPE_OK && err != HPE_PAUSED)
        error_status = 400;
    }
    if (!open) break;

    HttpResponse response;
    bool keep_alive = st.keep_alive;
    if (error_status != 0) {
      response = plain(error_status, status_text(error_status));
      keep_alive = false;  // the stream cannot be trusted past a bad message
    } else {
      try {
        const HttpRequest request{std::move(st.method), std::move(st.target), std::move(st.headers),
                                  std::move(st.body)};
        response = co_await handler_(request);
      } catch (const std::exception& e) {
        response = plain(500, std::string("internal error: ") + e.what());
      }
    }
    const bool head =
        http_method_str(static_cast<http_method>(parser.method)) == std::string_view("HEAD");
    if (!co_await send_all(
            serialize(response, options_.common_headers, keep_alive, head && error_status == 0)))
      break;
    open = keep_alive;
  }
}

}  // namespace samovar::net
