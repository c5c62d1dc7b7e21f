// [wasm]: fetch through the I/O worker (web/io-worker.js) exists only in the WASM build;
// natively HTTP goes over the loop's sockets. These drive the real thing: the slot table,
// the worker's fetch under node, and the loop's poller waking on completion. They need an
// HTTP server, the native `samovar serve`, which a CTest fixture starts on a free port
// (tests/engine/fetch_server.mjs); its URLs reach getenv through tests/engine/host_env.js.
// [fetch] tests are discovered apart from the others, requiring the fixture
// (tests/CMakeLists.txt); [.] keeps them out of a plain run of the binary, which has none.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/asyncio/wait_fd.hpp"
#include "engine/platform/fetch.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using asyncio::Task;
using Catch::Matchers::Contains;
namespace fetch = platform::fetch;

namespace {

constexpr auto kSlots = static_cast<std::size_t>(fetch::kMaxInFlight);

struct Servers {
  std::string server;   // "http://127.0.0.1:PORT/", serving /delay/<s>
  std::string echo;     // answers any request with what arrived, as JSON
  std::string refused;  // a loopback port nothing listens on
};

Servers servers() {
  const char* text = std::getenv("SAMOVAR_TEST_SERVER");
  if (text == nullptr)
    throw std::runtime_error(
        "SAMOVAR_TEST_SERVER is not set: run these tests through ctest, whose fixture starts the "
        "server");
  const auto j = nlohmann::json::parse(text);
  return {j.at("server").get<std::string>(), j.at("echo").get<std::string>(),
          j.at("refused").get<std::string>()};
}

fetch::Request get(std::string url, double timeout_s = 10) {
  fetch::Request r;
  r.url = std::move(url);
  r.timeout_s = timeout_s;
  return r;
}

struct Fetched {
  fetch::Response response;
  double took_s = 0;
  platform::Nanos started = 0, ended = 0;
};

// As a client does it: start, wait on the op like a socket, finish.
Task<Fetched> fetch_on_loop(fetch::Request request) {
  const auto start = platform::now();
  const int op = fetch::start(request);
  if (co_await asyncio::wait_fd(op, platform::kReadable, start + platform::to_nanos(10))) {
    fetch::abandon(op);
    throw std::runtime_error("no answer from the I/O worker within 10 s");
  }
  const auto end = platform::now();
  Fetched out{fetch::finish(op), platform::to_seconds(end - start), start, end};
  co_return out;
}

Fetched fetch_one(testing::LoopFixture& f, fetch::Request request) {
  return f.run(fetch_on_loop(std::move(request)));
}

}  // namespace

TEST_CASE("three fetches through the I/O worker run at the same time", "[wasm][fetch][.]") {
  testing::LoopFixture f;
  const auto s = servers();
  auto main = [&]() -> Task<std::vector<Fetched>> {
    std::vector<Task<Fetched>> tasks;
    for (int i = 0; i < 3; ++i) tasks.push_back(fetch_on_loop(get(s.server + "delay/0.3")));
    co_return co_await asyncio::gather(std::move(tasks));
  };
  const auto results = f.run(main());
  // At the same time: every fetch started before any of them ended (each takes 0.3 s at least).
  for (const auto& a : results)
    for (const auto& b : results) CHECK(a.started < b.ended);
  for (const auto& r : results) {
    CHECK(r.response.error == "");
    CHECK(r.response.status == 200);
    CHECK(nlohmann::json::parse(r.response.body) == nlohmann::json{{"delay_s", 0.3}});
    CHECK(r.took_s >= 0.29);
    const auto& h = r.response.headers;
    CHECK(std::find(h.begin(), h.end(),
                    std::pair<std::string, std::string>{"content-type", "application/json"}) !=
          h.end());
  }
}

TEST_CASE("a 404 is a response with that status, not an error", "[wasm][fetch][.]") {
  testing::LoopFixture f;
  const auto r = fetch_one(f, get(servers().server + "no/such/page")).response;
  CHECK(r.error == "");
  CHECK(r.status == 404);
}

TEST_CASE("a refused connection is an error, never a hang", "[wasm][fetch][.]") {
  testing::LoopFixture f;
  const auto r = fetch_one(f, get(servers().refused)).response;
  CHECK(r.status == 0);
  CHECK_THAT(r.error, Contains("connection refused"));
}

TEST_CASE("a fetch past its timeout ends with an error that says so", "[wasm][fetch][.]") {
  testing::LoopFixture f;
  const auto r = fetch_one(f, get(servers().server + "delay/5", 0.2));
  CHECK(r.response.status == 0);
  CHECK_THAT(r.response.error, Contains("timed out after 0.2 s"));
  CHECK(r.took_s >= 0.19);
  CHECK(r.took_s < 4.0);  // the 5 s answer was not waited for
}

TEST_CASE("a response larger than max_response_bytes is an error", "[wasm][fetch][.]") {
  testing::LoopFixture f;
  auto request = get(servers().server + "delay/0");
  request.max_response_bytes = 5;  // the body, {"delay_s":0}, is 13 bytes
  const auto r = fetch_one(f, request).response;
  CHECK(r.status == 0);
  CHECK_THAT(r.error, Contains("response larger than 5 bytes"));
}

TEST_CASE("a request's method, headers and body reach the server", "[wasm][fetch][.]") {
  testing::LoopFixture f;
  auto request = get(servers().echo + "brew?tea=masala");
  request.method = "POST";
  request.headers = {{"Content-Type", "text/plain"}, {"X-Samovar", "chai"}};
  const std::string body("binary \0\xff body", 14);
  request.body = body;
  const auto r = fetch_one(f, request).response;
  REQUIRE(r.error == "");
  CHECK(r.status == 200);
  const auto arrived = nlohmann::json::parse(r.body);
  CHECK(arrived["method"] == "POST");
  CHECK(arrived["url"] == "/brew?tea=masala");
  CHECK(arrived["headers"]["content-type"] == "text/plain");
  CHECK(arrived["headers"]["x-samovar"] == "chai");
  // Every byte of the body, the NUL and the 0xff included, as the server received it.
  std::vector<int> sent(body.begin(), body.end());
  for (auto& byte : sent) byte &= 0xff;
  CHECK(arrived["body"].get<std::vector<int>>() == sent);
}

TEST_CASE("the I/O worker follows the module's memory as it grows", "[wasm][fetch][.]") {
  testing::LoopFixture f;
  const auto s = servers();
  // The first buffer takes 200 MiB from the bottom of the heap, so the second one lies past
  // the initial 128 MB: the worker must see the grown memory to write the answer there.
  auto big = get(s.server + "delay/0.1");
  big.max_response_bytes = 200u << 20;
  auto small = get(s.server + "delay/0");
  small.max_response_bytes = 1024;
  auto main = [&]() -> Task<std::vector<Fetched>> {
    std::vector<Task<Fetched>> tasks;
    tasks.push_back(fetch_on_loop(big));
    tasks.push_back(fetch_on_loop(small));
    co_return co_await asyncio::gather(std::move(tasks));
  };
  for (const auto& r : f.run(main())) {
    CHECK(r.response.error == "");
    CHECK(r.response.status == 200);
  }
}

TEST_CASE("a bad URL is an error, and a relative one needs a page", "[wasm][fetch][.]") {
  testing::LoopFixture f;
  CHECK_THAT(fetch_one(f, get("http://exa mple.com/")).response.error, Contains("bad URL"));
  CHECK_THAT(fetch_one(f, get("/delay/0")).response.error, Contains("relative URLs need a page"));
}

TEST_CASE("waiting on a fetch that is already done returns at once, and an id is used once",
          "[wasm][fetch][.]") {
  testing::LoopFixture f;
  const int op = fetch::start(get(servers().server + "delay/0"));
  auto main = [&]() -> Task<double> {
    const auto deadline = platform::now() + platform::to_nanos(10);
    while (!fetch::is_done(op) && platform::now() < deadline) co_await asyncio::sleep(0.005);
    const auto start = platform::now();
    CHECK_FALSE(co_await asyncio::wait_fd(op, platform::kReadable, start + platform::to_nanos(10)));
    co_return platform::to_seconds(platform::now() - start);
  };
  const double waited = f.run(main());
  CHECK(waited < 2.0);  // generous: the point is that it does not wait for another answer
  CHECK(fetch::finish(op).status == 200);
  CHECK_THROWS_AS(fetch::finish(op), std::logic_error);
  CHECK_THROWS_AS(fetch::is_done(op), std::logic_error);
}

TEST_CASE("when every slot is busy, start() answers with an error instead of blocking",
          "[wasm][fetch][.]") {
  const auto s = servers();
  auto small = [&](const std::string& path) {
    auto request = get(s.server + path);
    request.max_response_bytes = 1024;  // a buffer of the default 8 MiB per slot would not fit
    return request;
  };
  std::vector<int> ops;
  std::string error;
  for (int i = 0; i < 1000; ++i) {
    const int op = fetch::start(small("delay/0.5"));
    if (!fetch::is_done(op)) {
      ops.push_back(op);
      continue;
    }
    error = fetch::finish(op).error;
    if (!error.empty()) break;
  }
  CHECK_THAT(error, Contains("too many fetches and file operations in flight"));
  CHECK(ops.size() == kSlots);  // every slot held by a fetch still in flight
  for (int op : ops) fetch::abandon(op);
  // Abandoned slots are freed once their answers arrive (after 0.5 s, later on a loaded
  // machine), at a later start(): in time, every slot holds a new fetch again.
  ops.clear();
  const auto deadline = platform::now() + platform::to_nanos(20);
  while (ops.size() < kSlots && platform::now() < deadline) {
    const int op = fetch::start(small("delay/1"));
    if (!fetch::is_done(op)) {
      ops.push_back(op);
      continue;
    }
    CHECK_THAT(fetch::finish(op).error, Contains("too many fetches and file operations in flight"));
    platform::sleep_for(platform::to_nanos(0.05));
  }
  CHECK(ops.size() == kSlots);
  for (int op : ops) fetch::abandon(op);
}

TEST_CASE("sequential round trips through the I/O worker each get their own answer",
          "[wasm][fetch][.]") {
  testing::LoopFixture f;
  const auto s = servers();
  std::vector<double> took;
  for (int i = 0; i < 20; ++i) {
    const auto r = fetch_one(f, get(s.echo + "trip/" + std::to_string(i)));
    REQUIRE(r.response.status == 200);
    CHECK(nlohmann::json::parse(r.response.body)["url"] == "/trip/" + std::to_string(i));
    took.push_back(r.took_s);
  }
  // A figure, not a limit (bench/ has the benchmark): ~1-3 ms when the machine is quiet.
  std::sort(took.begin(), took.end());
  WARN("round trip: median " << took[10] * 1e3 << " ms, min " << took[0] * 1e3 << " ms, max "
                             << took.back() * 1e3 << " ms");
}
