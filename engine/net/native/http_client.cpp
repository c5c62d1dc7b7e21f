#include <http_parser.h>

#include <optional>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "engine/asyncio/current_task.hpp"
#include "engine/asyncio/event_loop.hpp"
#include "engine/asyncio/wait_fd.hpp"
#include "engine/net/detail/message_parse.hpp"
#include "engine/net/http_client.hpp"
#include "engine/platform/socket.hpp"

// The native client: sockets on the event loop, http-parser for the responses.
namespace samovar::net {

namespace sock = platform::socket;

namespace {

// Closes a client connection; the loop forgets it first (a session may outlive its loop's
// activation, so there may be none).
void close_connection(int fd) {
  if (asyncio::in_task()) asyncio::EventLoop::current().forget_fd(fd);
  sock::close(fd);
}

// One connection for one request: closed unless handed back to the pool.
struct Connection {
  int fd = -1;
  bool reused = false;
  ~Connection() {
    if (fd >= 0) close_connection(fd);
  }
};

}  // namespace

struct ClientSession::Pool {
  std::unordered_map<std::string, std::vector<int>> idle;  // "host:port" -> open connections
  std::size_t opened = 0;

  ~Pool() {
    for (auto& [key, fds] : idle)
      for (int fd : fds) close_connection(fd);
  }
};

namespace {

struct Parse : detail::MessageParse {
  int status = 0;
};

Parse& of(http_parser* p) {
  return static_cast<Parse&>(*static_cast<detail::MessageParse*>(p->data));
}

const http_parser_settings& settings() {
  static const http_parser_settings table = [] {
    http_parser_settings s{};
    http_parser_settings_init(&s);
    detail::collect_headers_and_body(s);
    s.on_message_complete = [](http_parser* p) {
      of(p).status = static_cast<int>(p->status_code);
      of(p).complete = true;
      return 0;
    };
    return s;
  }();
  return table;
}

}  // namespace

ClientSession::ClientSession(SessionOptions options)
    : options_(options), pool_(std::make_unique<Pool>()) {}
ClientSession::~ClientSession() = default;

std::size_t ClientSession::connections_opened() const noexcept {
  return pool_->opened;
}

std::optional<std::size_t> ClientSession::connections_per_host() {
  return std::nullopt;  // one per request in flight, as many as the fds allow
}

asyncio::Task<Response> ClientSession::request(std::string method, std::string url_text,
                                               std::string body) {
  const Url url = parse_url(url_text);
  const std::string what = method + " " + url_text;
  const std::string key = url.host + ":" + std::to_string(url.port);
  const platform::Nanos deadline = platform::now() + platform::to_nanos(options_.timeout_s);
  auto timed_out = [&]() {
    return ClientError(what + ": timed out after " + std::to_string(options_.timeout_s) + " s");
  };

  // A pooled connection may have been closed by the server while idle: then one retry on a
  // fresh connection, as aiohttp does.
  for (int attempt = 0;; ++attempt) {
    Connection conn;
    auto& idle = pool_->idle[key];
    if (!idle.empty()) {
      conn.fd = idle.back();
      conn.reused = true;
      idle.pop_back();
    } else {
      try {
        conn.fd = sock::connect_tcp(url.host, url.port);
      } catch (const std::system_error& e) {
        throw ClientError(what + ": cannot connect to " + key + ": " +
                          sock::error_text(e.code().value()));
      }
      ++pool_->opened;
    }
    // A fresh connection is not awaited before the request is sent: on loopback it is usually
    // up already, and otherwise the send says EAGAIN and the wait for writable covers both.
    // On a fresh connection, a failure before any answer is the connect failing (the error
    // comes from SO_ERROR, or from the send or recv that found it first).
    auto connect_failed = [&](int seen = 0) -> std::optional<ClientError> {
      if (conn.reused) return std::nullopt;
      const int err = seen != 0 ? seen : sock::connect_error(conn.fd);
      if (err == 0) return std::nullopt;
      return ClientError(what + ": cannot connect to " + key + ": " + sock::error_text(err));
    };

    std::string out = method + " " + url.target + " HTTP/1.1\r\nHost: " + key +
                      "\r\nConnection: keep-alive\r\nAccept: */*\r\n";
    if (!body.empty() || method == "POST")
      out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += "\r\n" + body;
    bool lost = false;  // the connection was gone before any answer
    for (std::size_t sent = 0; sent < out.size() && !lost;) {
      auto r = sock::write(conn.fd, out.data() + sent, out.size() - sent);
      if (r.kind == sock::IoResult::kDone) {
        sent += r.bytes;
      } else if (r.kind == sock::IoResult::kWouldBlock) {
        if (co_await asyncio::wait_fd(conn.fd, platform::kWritable, deadline)) throw timed_out();
        if (auto failed = connect_failed()) throw *failed;
      } else {
        if (auto failed = connect_failed(r.error)) throw *failed;
        lost = true;
      }
    }

    http_parser parser;
    http_parser_init(&parser, HTTP_RESPONSE);
    Parse st;
    st.max_body = options_.max_response_bytes;
    parser.data = static_cast<detail::MessageParse*>(&st);  // the callbacks cast back from the base
    std::size_t received = 0;
    char buffer[16 * 1024];
    while (!lost && !st.complete) {
      auto r = sock::read(conn.fd, buffer, sizeof buffer);
      if (r.kind == sock::IoResult::kWouldBlock) {
        if (co_await asyncio::wait_fd(conn.fd, platform::kReadable, deadline)) throw timed_out();
        continue;
      }
      if (r.kind != sock::IoResult::kDone) {
        if (received == 0 && r.kind == sock::IoResult::kError)
          if (auto failed = connect_failed(r.error)) throw *failed;
        // EOF: http-parser completes a response whose length is "until close".
        http_parser_execute(&parser, &settings(), nullptr, 0);
        if (st.complete) break;
        if (received == 0) {
          lost = true;
          break;
        }
        throw ClientError(what + ": connection closed before the response was complete");
      }
      received += r.bytes;
      const std::size_t used = http_parser_execute(&parser, &settings(), buffer, r.bytes);
      if (st.too_large)
        throw ClientError(what + ": response larger than " +
                          std::to_string(options_.max_response_bytes) + " bytes");
      if (HTTP_PARSER_ERRNO(&parser) != HPE_OK || used != r.bytes)
        throw ClientError(what + ": malformed response (" +
                          http_errno_description(HTTP_PARSER_ERRNO(&parser)) + ")");
    }
    if (lost) {
      if (conn.reused && attempt == 0) continue;
      throw ClientError(what + ": connection closed before the response was complete");
    }
    if (http_should_keep_alive(&parser) != 0) {
      pool_->idle[key].push_back(conn.fd);
      conn.fd = -1;
    }
    co_return Response{st.status, std::move(st.headers), std::move(st.body)};
  }
}

}  // namespace samovar::net
