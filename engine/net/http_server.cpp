#include "engine/net/http_server.hpp"

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <system_error>

#include "engine/asyncio/errors.hpp"
#include "engine/asyncio/event_loop.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/asyncio/wait_fd.hpp"
#include "engine/net/detail/request_reader.hpp"
#include "engine/platform/socket.hpp"

namespace samovar::net {

namespace sock = platform::socket;

const char* status_text(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
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
    case 429:
      return "Too Many Requests";
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

std::string serialize(const HttpResponse& r, const Headers& common, bool keep_alive, bool head) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + status_text(r.status) + "\r\n";
  for (const auto& [k, v] : common) out += k + ": " + v + "\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  // A 304 has no body, and its Content-Length would be the full answer's (RFC 9110, 8.6).
  if (r.status != 304) out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head) out += r.body;
  return out;
}

HttpResponse plain(int status, std::string text) {
  return {status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(text) + "\n"};
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// What a client watches for while the handler works: the peer hanging up. Bytes that come
// meanwhile (a pipelined next request) are kept for the connection. Shared by the connection
// and the watcher task, both on the loop's thread.
struct HangUpWatch {
  std::shared_ptr<std::atomic<bool>> gone;
  std::string early;  // bytes read while watching
  bool stop = false;
};

constexpr std::size_t kMaxEarlyBytes = 64 * 1024;

asyncio::Task<void> watch_hang_up(int fd, std::shared_ptr<HangUpWatch> watch) {
  char buffer[4096];
  while (!watch->stop && watch->early.size() < kMaxEarlyBytes) {
    // A deadline only so that no wait is endless; the connection cancels this task.
    if (co_await asyncio::wait_fd(fd, platform::kReadable, platform::now() + platform::to_nanos(5)))
      continue;
    if (watch->stop) co_return;
    const auto r = sock::read(fd, buffer, sizeof buffer);
    if (r.kind == sock::IoResult::kDone) {
      watch->early.append(buffer, r.bytes);
    } else if (r.kind != sock::IoResult::kWouldBlock) {
      watch->gone->store(true);
      co_return;
    }
  }
}

}  // namespace

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      listener_(sock::listen_tcp(options_.host, options_.port)),
      port_(sock::local_port(listener_)) {
  const std::string port = ":" + std::to_string(port_);
  std::vector<std::string> names = {"127.0.0.1", "localhost", "[::1]"};
  const std::string bound = options_.host.find(':') != std::string::npos
                                ? "[" + lower(options_.host) + "]"
                                : lower(options_.host);
  if (bound != "0.0.0.0" && bound != "[::]" &&
      std::find(names.begin(), names.end(), bound) == names.end())
    names.push_back(bound);
  for (const auto& name : names) own_origins_.push_back("http://" + name + port);
}

std::pair<int, std::string> HttpServer::refusal(const HttpRequest& request, int http_major) const {
  if (http_major < 1) return {400, "HTTP/0.9 is not served: send HTTP/1.0 or HTTP/1.1 with a Host"};
  const auto hosts = values_of(request.headers, "host");
  if (hosts.size() != 1) return {400, "a request needs exactly one Host header"};
  if (!options_.own_host_only) return {0, ""};
  const std::string own = own_origins_.front() + "/";
  const auto is_own = [&](const std::string& origin) {
    return std::find(own_origins_.begin(), own_origins_.end(), origin) != own_origins_.end() ||
           (port_ == 80 && std::find(own_origins_.begin(), own_origins_.end(), origin + ":80") !=
                               own_origins_.end());
  };
  if (!is_own("http://" + lower(std::string(hosts.front()))))
    return {403,
            "forbidden: the Host header names another server (as DNS rebinding does); this "
            "server answers only requests for itself, " +
                own};
  for (const auto origin : values_of(request.headers, "origin"))
    if (!is_own(lower(std::string(origin))))
      return {403,
              "forbidden: a request from another site's page (Origin header); this server "
              "answers only its own pages, " +
                  own};
  return {0, ""};
}

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
    int fd;
    while ((fd = sock::accept(listener_)) >= 0) {
      if (*open_connections_ >= options_.max_connections) {
        // Full: say so at once and close, rather than leave the client waiting. A few hundred
        // bytes always fit a fresh socket's buffer; what the client sent is drained first so
        // the close does not reset the answer away.
        char drain[4096];
        while (sock::read(fd, drain, sizeof drain).kind == sock::IoResult::kDone) {
        }
        const std::string busy = serialize(
            plain(503, "busy: " + std::to_string(options_.max_connections) +
                           " connections are open, the most this server keeps; try again later"),
            options_.common_headers, false, false);
        (void)sock::write(fd, busy.data(), busy.size());
        sock::close(fd);
        continue;
      }
      ++*open_connections_;
      connections_.push_back(loop.create_task(connection(fd), "connection"));
    }
    // Out of fds (EMFILE, ENFILE): the listener stays readable, so waiting on it would spin.
    // Rest instead, and let connections end and free theirs.
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
      co_await asyncio::sleep(contract::limits::kServeAcceptBackoffS);
    else
      co_await asyncio::wait_fd(listener_, platform::kReadable,
                                platform::now() + platform::to_nanos(60));
  }
}

asyncio::Task<void> HttpServer::connection(int fd) {
  struct Close {  // on every way out, cancellation included
    asyncio::EventLoop& loop;
    int fd;
    // Shared: a connection cancelled by ~HttpServer unwinds after the server is gone.
    std::shared_ptr<std::size_t> open;
    ~Close() {
      loop.forget_fd(fd);
      sock::close(fd);
      --*open;
    }
  } close{asyncio::EventLoop::current(), fd, open_connections_};
  detail::RequestReader reader(options_.max_body);
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
    reader.next();
    // The head must be whole by head_timeout after its first byte, the body by body_timeout
    // after the head: slow bytes do not keep a connection for ever.
    bool started = false;
    bool body_started = false;
    platform::Nanos phase_deadline{};
    bool timed_out = false;
    while (!reader.complete() && reader.error_status() == 0 && !timed_out) {
      std::string_view data;
      if (!reader.has_pending()) {
        auto r = sock::read(fd, buffer, sizeof buffer);
        if (r.kind == sock::IoResult::kWouldBlock) {
          const platform::Nanos idle_end = platform::now() + options_.idle_timeout;
          const platform::Nanos deadline = started ? std::min(idle_end, phase_deadline) : idle_end;
          if (co_await asyncio::wait_fd(fd, platform::kReadable, deadline)) {
            open = started;  // idle between requests: close; mid-request: 408
            timed_out = started;
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
      if (!started) {
        started = true;
        phase_deadline = platform::now() + options_.head_timeout;
      }
      if (data.empty())
        reader.parse_pending();
      else
        reader.parse(data);
      if (reader.headers_done() && !body_started) {
        body_started = true;
        phase_deadline = platform::now() + options_.body_timeout;
      }
    }
    if (!open) break;

    const int error_status = timed_out ? 408 : reader.error_status();
    HttpResponse response;
    bool keep_alive = reader.keep_alive();
    if (error_status != 0) {
      response = plain(error_status, status_text(error_status));
      keep_alive = false;  // the stream cannot be trusted past a bad message
    } else {
      const HttpRequest request = reader.take_request();
      if (auto [status, why] = refusal(request, reader.http_major()); status != 0) {
        response = plain(status, std::move(why));
        keep_alive = false;
      } else {
        // While the handler works, a watcher notices the client hanging up (and keeps any
        // bytes that come meanwhile); it is stopped before this task reads the socket again.
        auto watch = std::make_shared<HangUpWatch>();
        watch->gone = request.peer_gone;
        struct StopWatch {
          std::shared_ptr<HangUpWatch> watch;
          asyncio::TaskHandle<void> task;
          ~StopWatch() {
            watch->stop = true;
            task.cancel();
          }
        } stop_watch{watch, asyncio::EventLoop::current().create_task(watch_hang_up(fd, watch),
                                                                      "hang-up watch")};
        try {
          response = co_await handler_(request);
        } catch (const asyncio::CancelledError&) {
          throw;  // the server is closing: the connection unwinds
        } catch (const std::exception&) {
          // What went wrong stays here: its text may name files or addresses.
          response = plain(500, "internal error");
        }
        watch->stop = true;
        stop_watch.task.cancel();
        reader.keep(std::exchange(watch->early, {}));
        if (request.peer_gone->load()) break;
      }
    }
    const bool head = reader.is_head();
    if (!co_await send_all(
            serialize(response, options_.common_headers, keep_alive, head && error_status == 0)))
      break;
    open = keep_alive;
  }
}

std::vector<std::string_view> values_of(const Headers& headers, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : headers)
    if (lower(k) == name) out.emplace_back(v);
  return out;
}

}  // namespace samovar::net
