#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/asyncio/task.hpp"
#include "engine/asyncio/task_handle.hpp"
#include "engine/contract/limits.hpp"
#include "engine/platform/clock.hpp"

namespace samovar::asyncio {
class EventLoop;
}

namespace samovar::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The values of header `name` (lower case) in the order sent, whatever case they came in.
std::vector<std::string_view> values_of(const Headers& headers, std::string_view name);

struct HttpRequest {
  std::string method;
  std::string target;  // as sent: path and query
  Headers headers;
  std::string body;
  // Set (on the loop's thread) when the client hangs up while the handler is still at work,
  // so a long answer can be abandoned: `samovar serve` hands it to a run as RunOptions::cancel.
  std::shared_ptr<std::atomic<bool>> peer_gone = std::make_shared<std::atomic<bool>>(false);
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  Headers common_headers;  // added to every response, errors included
  // Between requests on a keep-alive connection, and between two reads of one request.
  platform::Nanos idle_timeout = platform::to_nanos(contract::limits::kServeIdleS);
  // The whole head (request line and headers) from its first byte, then the whole body:
  // a request that trickles in a byte at a time still ends (408).
  platform::Nanos head_timeout = platform::to_nanos(contract::limits::kServeHeadTimeoutS);
  platform::Nanos body_timeout = platform::to_nanos(contract::limits::kServeBodyTimeoutS);
  std::size_t max_body = 1 << 20;
  // Connections open at once; a connection past it is answered 503 and closed at once.
  std::size_t max_connections = contract::limits::kServeMaxConnections;
  // Serve only requests addressed to this server: a Host (and an Origin, when sent) naming
  // localhost, 127.0.0.1, [::1] or `host`, with the port; others get 403 (DNS rebinding, a
  // cross-site POST). Every request needs a Host either way (400 without).
  bool own_host_only = false;
};

// HTTP/1.1 on the calling thread's event loop: non-blocking sockets, keep-alive, one task per
// connection, http-parser for parsing. Malformed requests (HTTP/0.9, no Host included) get
// 400, oversized ones 413/431, slow ones 408, connections past the limit 503.
// The handler runs on the loop's thread; a slow answer must await, not block.
class HttpServer {
 public:
  // The request lives in the connection's frame until the handler's task is done. (By
  // reference: g++ 12 destroys a by-value coroutine parameter passed through std::function
  // twice.)
  using Handler = std::function<asyncio::Task<HttpResponse>(const HttpRequest&)>;

  HttpServer(ServerOptions options, Handler handler);  // listens at once; throws if it cannot
  // Cancels the connections still open: their tasks unwind without touching the server.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  // "http://127.0.0.1:8000" and the other origins this server answers to as its own.
  const std::vector<std::string>& own_origins() const noexcept { return own_origins_; }
  // Accepts connections until the loop stops; run it as a task.
  asyncio::Task<void> serve();

 private:
  asyncio::Task<void> connection(int fd);
  // Why a complete request is refused before any route sees it (status, text), or {0, ""}.
  std::pair<int, std::string> refusal(const HttpRequest& request, int http_major) const;

  ServerOptions options_;
  Handler handler_;
  int listener_;
  std::uint16_t port_;
  std::vector<std::string> own_origins_;
  std::vector<asyncio::TaskHandle<void>> connections_;
  std::shared_ptr<std::size_t> open_connections_ = std::make_shared<std::size_t>(0);
  std::size_t live_after_prune_ = 64;
  asyncio::EventLoop* loop_ = nullptr;  // the loop serve() runs on; it outlives the server
};

const char* status_text(int status);

}  // namespace samovar::net
