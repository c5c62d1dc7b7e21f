#include "engine/net/http_client.hpp"
#include "engine/asyncio/event_loop.hpp"
#include "engine/asyncio/semaphore.hpp"
#include "engine/asyncio/wait_fd.hpp"
#include "engine/platform/fetch.hpp"
#include "engine/platform/machine.hpp"

// The WASM client: the I/O worker's fetch does the HTTP (the browser pools connections).
namespace samovar::net {

// The I/O worker has a fixed number of slots: a session keeps its requests in flight below
// that, and the rest wait their turn (the browser allows 6 per origin at once anyway).
constexpr std::size_t kMaxInFlight = 192;

struct ClientSession::Pool {
  std::size_t requests = 0;
  asyncio::Semaphore in_flight{kMaxInFlight};
};

ClientSession::ClientSession(SessionOptions options)
    : options_(options), pool_(std::make_unique<Pool>()) {}
ClientSession::~ClientSession() = default;

std::size_t ClientSession::connections_opened() const noexcept {
  return pool_->requests;
}

// Every major browser's HTTP/1.1 limit; node's fetch (undici) has none.
std::optional<std::size_t> ClientSession::connections_per_host() {
  constexpr std::size_t kBrowserPerHost = 6;
  if (platform::machine().browser) return kBrowserPerHost;
  return std::nullopt;
}

asyncio::Task<Response> ClientSession::request(std::string method, std::string url,
                                               std::string body) {
  // A path alone ("/delay/2") is fetched from the page's own origin.
  if (url.empty() || url.front() != '/') parse_url(url);
  const std::string what = method + " " + url;
  auto slot = co_await pool_->in_flight.hold();
  platform::fetch::Request request{
      method, url, {}, std::move(body), options_.timeout_s, options_.max_response_bytes};
  const int op = platform::fetch::start(request);
  ++pool_->requests;
  struct Abandon {  // a cancelled or timed-out wait must still free the operation
    int op;
    bool finished = false;
    ~Abandon() {
      if (!finished) platform::fetch::abandon(op);
    }
  } guard{op};
  // The worker enforces the timeout; this deadline only guards against a worker that died.
  const auto deadline = platform::now() + platform::to_nanos(options_.timeout_s + 5);
  if (co_await asyncio::wait_fd(op, platform::kReadable, deadline))
    throw ClientError(what + ": timed out after " + std::to_string(options_.timeout_s) + " s");
  guard.finished = true;
  platform::fetch::Response r = platform::fetch::finish(op);
  if (!r.error.empty()) throw ClientError(what + ": " + r.error);
  co_return Response{r.status, std::move(r.headers), std::move(r.body)};
}

}  // namespace samovar::net
