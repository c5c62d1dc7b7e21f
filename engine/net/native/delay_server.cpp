#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>

#include "engine/asyncio/event_loop.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/net/delay_server.hpp"

namespace samovar::net {

asyncio::Task<HttpResponse> delay_response(std::string seconds_text) {
  double seconds = -1;
  const auto [end, ec] =
      std::from_chars(seconds_text.data(), seconds_text.data() + seconds_text.size(), seconds);
  if (ec != std::errc() || end != seconds_text.data() + seconds_text.size() ||
      !std::isfinite(seconds) || seconds < 0)
    co_return HttpResponse{
        400,
        {{"Content-Type", "text/plain; charset=utf-8"}},
        "/delay/<seconds>: seconds must be a number 0..30 (larger values are capped at 30)\n"};
  seconds = std::min(seconds, kMaxDelaySeconds);
  co_await asyncio::sleep(seconds);
  char body[64];
  std::snprintf(body, sizeof body, "{\"delay_s\":%.6g}", seconds);
  co_return HttpResponse{
      200, {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}}, body};
}

namespace {

// Its only client is the run's own session, whose connections the run's params bound
// (http-get's requests, up to 10,000): no cap of its own, which would fail the requests past
// it with 503. Running out of descriptors is met by the accept loop's back-off.
ServerOptions own_client_only() {
  ServerOptions options;
  options.max_connections = std::numeric_limits<std::size_t>::max();
  return options;
}

class LoopbackDelayServer final : public DelayServer {
 public:
  LoopbackDelayServer()
      : server_(own_client_only(),
                [](const HttpRequest& request) -> asyncio::Task<HttpResponse> {
                  const std::string_view target = request.target;
                  if (target.rfind("/delay/", 0) == 0)
                    co_return co_await delay_response(std::string(target.substr(7)));
                  co_return HttpResponse{
                      404, {{"Content-Type", "text/plain"}}, "only /delay/<seconds> here\n"};
                }),
        task_(asyncio::EventLoop::current().create_task(server_.serve(), "delay server")) {}
  ~LoopbackDelayServer() override { task_.cancel(); }

  std::string base_url() const override {
    return "http://127.0.0.1:" + std::to_string(server_.port());
  }

 private:
  HttpServer server_;
  asyncio::TaskHandle<void> task_;
};

}  // namespace

std::unique_ptr<DelayServer> start_delay_server() {
  return std::make_unique<LoopbackDelayServer>();
}

}  // namespace samovar::net
