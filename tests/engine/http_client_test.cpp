// [native]: these tests listen on loopback sockets, which the WASM build cannot (there the
// client goes through the I/O worker's fetch, tested in fetch_test.cpp).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/asyncio/wait_fd.hpp"
#include "engine/net/delay_server.hpp"
#include "engine/net/http_client.hpp"
#include "engine/platform/socket.hpp"
#include "engine/samovar.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using asyncio::Task;
namespace sock = platform::socket;

namespace {

// A server that answers every connection with `reply` (after reading the request), then
// closes: for responses no well-behaved server sends.
struct RawServer {
  int fd = sock::listen_tcp("127.0.0.1", 0);
  std::string reply;
  ~RawServer() {
    asyncio::EventLoop::current().forget_fd(fd);
    sock::close(fd);
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(sock::local_port(fd)) + "/";
  }
  Task<void> serve_one() {
    co_await asyncio::wait_fd(fd, platform::kReadable);
    const int c = sock::accept(fd);
    char buf[4096];
    while (sock::read(c, buf, sizeof buf).kind != sock::IoResult::kDone)
      co_await asyncio::wait_fd(c, platform::kReadable);
    sock::write(c, reply.data(), reply.size());
    asyncio::EventLoop::current().forget_fd(c);
    sock::close(c);
  }
};

// One GET against a RawServer that answers `reply`.
Task<net::Response> get_from_raw(std::string reply) {
  RawServer server{.reply = std::move(reply)};
  net::ClientSession session;
  auto serving = asyncio::EventLoop::current().create_task(server.serve_one());
  auto response = co_await session.get(server.url());
  co_await serving;
  co_return response;
}

std::string error_of(testing::LoopFixture& f, Task<net::Response> request) {
  try {
    f.run(std::move(request));
  } catch (const net::ClientError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a session reuses one keep-alive connection for sequential requests", "[native][http]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<std::size_t> {
    auto server = net::start_delay_server();
    net::ClientSession session;
    for (int i = 0; i < 3; ++i) {
      const auto r = co_await session.get(server->base_url() + "/delay/0");
      CHECK(r.status == 200);
      CHECK(r.body == R"({"delay_s":0})");
    }
    co_return session.connections_opened();
  };
  CHECK(f.run(main()) == 1);
}

TEST_CASE("concurrent requests through one session overlap", "[native][http]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<void> {
    auto server = net::start_delay_server();
    net::ClientSession session;
    auto get = [&]() -> Task<int> {
      co_return (co_await session.get(server->base_url() + "/delay/0.2")).status;
    };
    std::vector<Task<int>> gets;
    for (int i = 0; i < 20; ++i) gets.push_back(get());
    const auto start = platform::now();
    const auto statuses = co_await asyncio::gather(std::move(gets));
    CHECK(statuses == std::vector<int>(20, 200));
    CHECK(platform::now() - start < platform::to_nanos(2.0));  // not 20 x 0.2 s
  };
  f.run(main());
}

TEST_CASE("a 404 is a response, not an error", "[native][http]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<int> {
    auto server = net::start_delay_server();
    net::ClientSession session;
    co_return (co_await session.get(server->base_url() + "/nothing")).status;
  };
  CHECK(f.run(main()) == 404);
}

TEST_CASE("failures are clear errors, never hangs", "[native][http]") {
  testing::LoopFixture f;
  SECTION("connection refused") {
    const int unused = sock::listen_tcp("127.0.0.1", 0);
    const auto port = sock::local_port(unused);
    sock::close(unused);  // nothing listens there now
    auto main = [&]() -> Task<net::Response> {
      net::ClientSession session;
      co_return co_await session.get("http://127.0.0.1:" + std::to_string(port) + "/");
    };
    CHECK_THAT(error_of(f, main()),
               Catch::Contains("cannot connect to 127.0.0.1:") && Catch::Contains("refused"));
  }
  SECTION("timeout") {
    auto main = [&]() -> Task<net::Response> {
      auto server = net::start_delay_server();
      net::ClientSession session({0.1});
      co_return co_await session.get(server->base_url() + "/delay/5");
    };
    const auto start = platform::now();
    CHECK_THAT(error_of(f, main()), Catch::EndsWith("timed out after 0.100000 s"));
    CHECK(platform::now() - start < platform::to_nanos(3));
  }
  SECTION("server closes mid-body") {
    CHECK_THAT(error_of(f, get_from_raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")),
               Catch::EndsWith("connection closed before the response was complete"));
  }
  SECTION("garbage response") {
    CHECK_THAT(error_of(f, get_from_raw("SPLASH, the kettle tipped over\r\n\r\n")),
               Catch::Contains("malformed response"));
  }
  SECTION("not http") {
    CHECK(error_of(f, [&]() -> Task<net::Response> {
            net::ClientSession session;
            co_return co_await session.get("https://example.org/");
          }()) == "bad URL https://example.org/: https is not supported (no TLS here)");
  }
}

TEST_CASE("http-get: concurrent GETs through one session, against the run's own server",
          "[native][scenario]") {
  const auto report =
      run_json_text(R"({"scenario": "http-get", "params": {"requests": 5, "delay": 2}})");
  CHECK(report["checks"]["all_ok"] == true);
  CHECK(report["checks"]["overlapped"] == true);
  CHECK(report["metrics"]["peak_in_flight"] == 5);
  REQUIRE(report["output"].size() == 5);
  const std::string line = report["output"][0]["text"];
  CHECK(line.rfind("Fetches http://127.0.0.1:", 0) == 0);
  CHECK(line.find("/delay/0.2 with status 200") != std::string::npos);
  CHECK(report["output"][0]["stable"] == false);  // it holds the run's port
  CHECK(report["wall_s"].get<double>() < 1.0);    // 5 x 0.2 s would be 1 s
  // Answered at once on the wire, from the times: well over one at a time; natively nothing
  // caps the connections per host, so the report names no cap.
  CHECK(report["metrics"]["served_at_once"].get<double>() > 1.5);
  CHECK(report["metrics"]["served_at_once"].get<double>() <= 5.0);
  CHECK_FALSE(report["metrics"].contains("connections_per_host"));
}

// serve caps its connections below the fd limit; the run's own /delay server must not, or
// the requests past the cap fail with 503 (1,000 requests failed 488).
TEST_CASE("http-get: more requests than serve's connection cap all succeed", "[native][scenario]") {
  const auto report = run_json_text(
      R"({"scenario": "http-get", "params": {"requests": 1000, "delay": 1}, "trace": "off"})");
  CHECK(report["metrics"]["failed"] == 0);
  CHECK(report["checks"]["all_ok"] == true);
  CHECK(report["metrics"]["connections_opened"] == 1000);
}
