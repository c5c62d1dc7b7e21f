#include <memory>
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

asyncio::Task<void> fetch_all(Context& ctx, long long requests, double delay_s, std::string url,
                              Tally& tally, std::size_t& connections) {
  // Without a url the run brings its own /delay server (natively), or asks the page's origin.
  std::unique_ptr<net::DelayServer> server;
  const bool own_server = url.empty();
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
  co_await asyncio::gather(std::move(tasks));
  connections = session.connections_opened();
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
  Tally tally;
  std::size_t connections = 0;
  ctx.run_asyncio(fetch_all(ctx, requests, ctx.seconds(ctx.number("delay")), ctx.text("url"), tally,
                            connections));
  const auto peak = ctx.recorder().peak_overlap("request");
  ctx.metric("requests", static_cast<double>(requests));
  ctx.metric("failed", static_cast<double>(tally.failed));
  ctx.metric("peak_in_flight", static_cast<double>(peak));
  ctx.metric("connections_opened", static_cast<double>(connections));
  ctx.check("all_ok", tally.ok == static_cast<std::size_t>(requests), true);
  ctx.check("overlapped", peak > 1, requests > 1);
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
