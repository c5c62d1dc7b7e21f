// ProcessPoolExecutor on real worker processes (natively) and isolated process workers (WASM):
// what crosses the boundary, what does not, and that no worker outlives its pool.
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/asyncio/run_in_executor.hpp"
#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/multiprocessing/barrier.hpp"
#include "engine/multiprocessing/functions.hpp"
#include "engine/multiprocessing/value.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using concurrent::ProcessPoolExecutor;
namespace functions = multiprocessing::functions;

TEST_CASE("process pool: results and exceptions cross the boundary intact", "[process]") {
  {
    ProcessPoolExecutor pool(2);
    CHECK(platform::process::live_workers() == 2);  // both started with the pool, and counted
    const auto arg = functions::to_argument("credit_card_1234", 1000);
    const auto remote = functions::from_result(pool.submit("encrypt", arg).result(20));
    const auto local = functions::encrypt("credit_card_1234", 1000);
    CHECK(remote.text == "    4321_drac_tiderc");
    CHECK(remote.hash == local.hash);
    auto failed = pool.submit("raise", "no milk");
    try {
      failed.result(20);
      FAIL("the worker's exception did not reach the future");
    } catch (const concurrent::RemoteError& e) {
      CHECK(e.type() == "ValueError");
      CHECK(std::string(e.what()) == "ValueError: no milk");
    }
    CHECK_THROWS_WITH(pool.submit("no_such_function", "").result(20),
                      Catch::Contains("LookupError"));
  }
  CHECK(platform::process::live_workers() == 0);
}

TEST_CASE("process pool: a global changed in a worker is unchanged in the parent", "[process]") {
  ProcessPoolExecutor pool(1);
  CHECK(pool.submit("add_to_global", "5").result(20) == "5");
  CHECK(pool.submit("add_to_global", "5").result(20) == "10");  // the same worker, its own global
  CHECK(functions::call("add_to_global", "0") == "0");          // the parent's own is untouched
  ProcessPoolExecutor another(1);
  CHECK(another.submit("add_to_global", "1").result(20) == "1");  // a new process starts afresh
}

TEST_CASE("process pool: map keeps the arguments' order, and 1 MiB round-trips", "[process]") {
  ProcessPoolExecutor pool(2);
  const std::vector<std::string> limits{"1000", "10", "100", "2"};
  CHECK(pool.map("count_primes", limits, 20.0) == std::vector<std::string>{"168", "4", "25", "0"});
  std::string big(1 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + 3);
  CHECK(pool.submit("echo", big).result(20) == big);
}

TEST_CASE("process pool: calls run in more than one worker, and shutdown finishes pending work",
          "[process]") {
  std::vector<concurrent::Future<std::string>> futures;
  std::set<long> ids;
  {
    ProcessPoolExecutor pool(2);
    const auto workers = pool.worker_ids();
    ids.insert(workers.begin(), workers.end());
    // Two calls that meet at a barrier: neither ends unless each has a worker of its own.
    multiprocessing::Value stock(0);
    multiprocessing::Barrier both(2);
    const std::string meet = std::to_string(stock.handle()) + " " + std::to_string(both.handle()) +
                             " 1 0 " + std::to_string(platform::to_nanos(20));
    auto first = pool.submit("increment_value", meet);
    auto second = pool.submit("increment_value", meet);
    for (int i = 0; i < 8; ++i) futures.push_back(pool.submit("count_primes", "200000"));
    CHECK(first.result(30) == "1");
    CHECK(second.result(30) == "1");
    pool.shutdown(true);
    const auto calls = pool.calls_per_worker();
    CHECK(calls.size() == 2);  // both workers took calls
    for (const auto& entry : calls) CHECK(ids.count(entry.first) == 1);
    CHECK_THROWS_AS(pool.submit("echo", ""), std::runtime_error);
  }
  CHECK(ids.size() == 2);
  for (auto& f : futures) CHECK(f.result(0) == "17984");
  CHECK(platform::process::live_workers() == 0);
}

TEST_CASE("process pool: left by an exception, it drops its calls and ends its workers",
          "[process]") {
  // Counting the primes below 10^12 would take hours: only ending the worker stops it.
  concurrent::Future<std::string> running, queued;
  try {
    ProcessPoolExecutor pool(1);
    // Once a call has come back, the worker is idle and the next call goes straight to it.
    CHECK(pool.submit("echo", "up").result(20) == "up");
    running = pool.submit("count_primes", "1000000000000");
    queued = pool.submit("echo", "never");
    throw std::runtime_error("the run's deadline passed");
  } catch (const std::runtime_error&) {
  }
  CHECK_THROWS_AS(running.result(20), concurrent::BrokenProcessPool);
  CHECK_THROWS(queued.result(20));  // cancelled, never sent
  CHECK(platform::process::live_workers() == 0);
}

TEST_CASE("process pool: a worker that dies breaks the pool, and none is left behind",
          "[process]") {
  {
    ProcessPoolExecutor pool(2);
    auto crashed = pool.submit("crash", "");
    CHECK_THROWS_AS(crashed.result(20), concurrent::BrokenProcessPool);
    CHECK_THROWS_AS(pool.submit("echo", "x"), concurrent::BrokenProcessPool);
  }
  CHECK(platform::process::live_workers() == 0);
  {
    ProcessPoolExecutor pool(1);
    pool.kill_worker(0);
    CHECK_THROWS_AS(pool.submit("echo", "x").result(20), concurrent::BrokenProcessPool);
  }
  CHECK(platform::process::live_workers() == 0);
}

TEST_CASE("process pool: run_in_executor awaits a process call from the event loop",
          "[process][loop]") {
  testing::LoopFixture f;
  ProcessPoolExecutor pool(1);
  auto main = [&]() -> asyncio::Task<std::string> {
    co_return co_await asyncio::run_in_executor(pool, std::string("encrypt"),
                                                functions::to_argument("abc", 10));
  };
  CHECK(functions::from_result(f.run(main())).text == "    cba");
}

TEST_CASE("process pool: max_workers out of range is refused", "[process]") {
  CHECK_THROWS_AS(ProcessPoolExecutor(0), std::invalid_argument);
  CHECK_THROWS_AS(ProcessPoolExecutor(platform::process::max_workers() + 1), std::invalid_argument);
}
