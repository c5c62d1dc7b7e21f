#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/asyncio/current_task.hpp"
#include "engine/asyncio/gather.hpp"
#include "engine/contract/format.hpp"
#include "engine/net/delay_server.hpp"
#include "engine/net/http_client.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"

namespace samovar::scenarios {

namespace {

struct Tally {
  std::size_t ok = 0;
  std::size_t failed = 0;
};

// Guide 2.4: fetch_url(session, url), three of them through one session under gather.
asyncio::Task<void> fetch_url(Context& ctx, net::ClientSession& session, std::string url,
                              bool stable, Tally& tally) {
  const asyncio::WaitSpan request("request");  // ends however the request does
  try {
    const net::Response response = co_await session.get(url);
    ctx.print("Fetches " + url + " with status " + std::to_string(response.status), stable);
    ++(response.status == 200 ? tally.ok : tally.failed);
  } catch (const net::ClientError& e) {
    ctx.print(std::string("Failed: ") + e.what(), false);
    ++tally.failed;
  }
}

struct Sent {
  std::size_t connections = 0;
  bool own_server = false;
  double requests_s = 0;  // from the first request sent to the last answer
};

asyncio::Task<void> fetch_all(Context& ctx, long long requests, double delay_s, std::string url,
                              Tally& tally, Sent& sent) {
  // Without a url the run brings its own /delay server (natively), or asks the page's origin.
  std::unique_ptr<net::DelayServer> server;
  const bool own_server = url.empty();
  sent.own_server = own_server;
  if (own_server) {
    server = net::start_delay_server();
    url = (server ? server->base_url() : "") + "/delay/" + contract::shortest(delay_s);
  }
  net::ClientSession session({30, 64 * 1024});  // `async with aiohttp.ClientSession() as session`
  std::vector<asyncio::Task<void>> tasks;
  // The URL holds a port chosen for this run, so the lines differ run to run in that; and which
  // of several concurrent requests is answered first is a race, so the order of who prints is.
  const bool stable = !own_server && requests == 1;
  for (long long i = 0; i < requests; ++i)
    tasks.push_back(fetch_url(ctx, session, url, stable, tally));
  const platform::Nanos start = platform::now();
  co_await asyncio::gather(std::move(tasks));
  sent.requests_s = platform::to_seconds(platform::now() - start);
  sent.connections = session.connections_opened();
}

// The url param is checked with the request, by the client's own parser: "" is the default.
std::string url_problem(const std::string& url) {
  if (url.empty()) return "";
  try {
    net::parse_url(url);
  } catch (const net::ClientError& e) {
    return e.what();
  }
  return "";
}

void run(Context& ctx) {
  const long long requests = ctx.integer("requests");
  const double delay_s = ctx.seconds(ctx.number("delay"));
  Tally tally;
  Sent sent;
  ctx.run_asyncio(fetch_all(ctx, requests, delay_s, ctx.text("url"), tally, sent));
  const auto peak = ctx.recorder().peak_overlap("request");
  ctx.metric("requests", static_cast<double>(requests));
  ctx.metric("failed", static_cast<double>(tally.failed));
  // In flight here: requests awaiting their answer at once, in this engine.
  ctx.metric("peak_in_flight", static_cast<double>(peak));
  ctx.metric("connections_opened", static_cast<double>(sent.connections));
  // Answered at once, on average, by what happened: each /delay answer takes the delay on the
  // server, so n answers in t seconds were delay * n / t at a time. Whatever was in flight here,
  // this is what the wire carried.
  std::optional<double> served_at_once;
  if (sent.own_server && delay_s > 0 && sent.requests_s > 0) {
    served_at_once = delay_s * static_cast<double>(tally.ok) / sent.requests_s;
    ctx.metric("served_at_once", *served_at_once);
  }
  const auto per_host = net::ClientSession::connections_per_host();
  if (per_host) {
    ctx.metric("connections_per_host", static_cast<double>(*per_host));
    if (peak > *per_host)
      ctx.recorder().print(
          ctx.recorder().lane("browser"),
          "The browser opens at most " + std::to_string(*per_host) +
              " connections per host (HTTP/1.1): " + std::to_string(peak) +
              " requests were in flight here, but only " + std::to_string(*per_host) +
              " at a time went out" +
              (served_at_once ? ", answered " + contract::fixed(*served_at_once, 1) + " at a time"
                              : std::string()) +
              "; the rest waited in the browser's queue.",
          false);
  }
  ctx.check("all_ok", tally.ok == static_cast<std::size_t>(requests), true);
  // One after another would serve them at most 1 at a time (each takes the delay at least).
  ctx.check("overlapped", served_at_once ? *served_at_once > 1.05 : peak > 1, requests > 1);
}

}  // namespace

Scenario http_get() {
  return {
      {"http-get",
       "HTTP requests with aiohttp",
       "2.4",
       "Concurrent GETs of /delay/2 through one pooled session finish in about 2 s, not 2 s "
       "each. The URL is samovar's own /delay endpoint: natively a server started for the "
       "run, in the browser the page's own origin.",
       {"asyncio"},
       {param::integer("requests", 3, 1, 10'000, "concurrent GETs through one session"),
        param::number("delay", 2.0, 0, 30, "guide seconds the server waits before answering"),
        param::text("url", "", "what to GET instead of the built-in /delay endpoint (http:// only)")
            .checked_by(url_problem)}},
      run};
}

}  // namespace samovar::scenarios
