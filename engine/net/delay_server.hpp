#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "engine/asyncio/task.hpp"
#include "engine/net/http_server.hpp"

namespace samovar::net {

inline constexpr double kMaxDelaySeconds = 30;

// GET /delay/<seconds>: answers {"delay_s": s} after s seconds (capped at 30), without
// holding the loop; 400 for anything that is not a number >= 0.
asyncio::Task<HttpResponse> delay_response(std::string seconds_text);

// A server of just /delay, started for one run on an ephemeral loopback port, on the
// calling thread's loop. Null where this build cannot listen (WASM: the page's origin
// serves /delay instead).
class DelayServer {
 public:
  virtual ~DelayServer() = default;
  virtual std::string base_url() const = 0;  // "http://127.0.0.1:PORT"
};
std::unique_ptr<DelayServer> start_delay_server();

}  // namespace samovar::net
