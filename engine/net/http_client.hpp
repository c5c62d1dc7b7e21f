#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "engine/asyncio/task.hpp"
#include "engine/net/http_server.hpp"

namespace samovar::net {

// aiohttp.ClientError: a request that got no HTTP answer (refused, timed out, cut short,
// malformed). The message names the request and what went wrong. A 4xx/5xx is not an error:
// it is a response with that status, as in aiohttp.
class ClientError : public std::runtime_error {
 public:
  explicit ClientError(const std::string& what) : std::runtime_error(what) {}
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
};

struct SessionOptions {
  double timeout_s = 30;  // per request, connect to last byte
  // In WASM a buffer this size is set aside for each request in flight: keep it modest.
  std::size_t max_response_bytes = 1u << 20;
};

struct Url {
  std::string host;
  std::uint16_t port = 80;
  std::string target;  // path and query
};
// http://host[:port][/path]; throws ClientError for anything else (https included: no TLS here).
Url parse_url(const std::string& url);

// aiohttp.ClientSession: requests share a pool of keep-alive connections, so sequential
// requests to one host reuse one connection. `async with session` is this object's scope:
// its destructor closes what it pooled. Natively over the loop's sockets (http-parser reads
// the responses); in WASM through the I/O worker's fetch. Use on one loop's thread only.
class ClientSession {
 public:
  explicit ClientSession(SessionOptions options = {});
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  asyncio::Task<Response> get(std::string url) { return request("GET", std::move(url)); }
  asyncio::Task<Response> request(std::string method, std::string url, std::string body = {});

  // Connections opened so far (natively; in WASM the browser pools and this counts requests).
  std::size_t connections_opened() const noexcept;
  // The most connections to one host the transport opens at once, if it caps them: a browser
  // opens 6 per host over HTTP/1.1 and queues the rest, whatever is in flight here; natively
  // (and in node) none.
  static std::optional<std::size_t> connections_per_host();

 private:
  struct Pool;
  SessionOptions options_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace samovar::net
