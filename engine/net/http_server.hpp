#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/asyncio/task.hpp"
#include "engine/asyncio/task_handle.hpp"
#include "engine/platform/clock.hpp"

namespace samovar::asyncio {
class EventLoop;
}

namespace samovar::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;  // as sent: path and query
  Headers headers;
  std::string body;
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
  platform::Nanos idle_timeout = platform::to_nanos(30);
  std::size_t max_body = 1 << 20;
};

// HTTP/1.1 on the calling thread's event loop: non-blocking sockets, keep-alive, one task per
// connection, http-parser for parsing. Malformed requests get 400, oversized ones 413/431.
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
  // Accepts connections until the loop stops; run it as a task.
  asyncio::Task<void> serve();

 private:
  asyncio::Task<void> connection(int fd);

  ServerOptions options_;
  Handler handler_;
  int listener_;
  std::uint16_t port_;
  std::vector<asyncio::TaskHandle<void>> connections_;
  std::size_t live_after_prune_ = 64;
  asyncio::EventLoop* loop_ = nullptr;  // the loop serve() runs on; it outlives the server
};

const char* status_text(int status);

}  // namespace samovar::net
