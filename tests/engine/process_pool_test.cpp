// ProcessPoolExecutor on real worker processes (natively) and isolated process workers (WASM):
// what crosses the boundary, what does not, and that no worker outlives its pool.
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/asyncio/run_in_executor.hpp"
#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/multiprocessing/barrier.hpp"
#include "engine/multiprocessing/functions.hpp"
#include "engine/multiprocessing/value.hpp"
#include "engine/scenarios/process_functions.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using concurrent::ProcessPoolExecutor;
namespace fn = scenarios::process_functions;

namespace {

// Submits a call of `function` to the pool.
template <class Args, class Result>
concurrent::Future<std::string> submit(ProcessPoolExecutor& pool,
                                       const multiprocessing::Function<Args, Result>& function,
                                       const std::type_identity_t<Args>& args) {
  return pool.submit(function.name(), function.argument(args));
}

// Runs it in the pool and reads its result.
template <class Args, class Result>
Result run(ProcessPoolExecutor& pool, const multiprocessing::Function<Args, Result>& function,
           const std::type_identity_t<Args>& args) {
  return function.result(submit(pool, function, args).result(20));
}

// A function of the tests' own, registered as the scenarios' are: defining it is enough for
// every process of this binary to have it, natively and in WASM alike.
struct Brew {
  std::string tea;
  std::int64_t cups;
  static constexpr auto fields = std::tuple(&Brew::tea, &Brew::cups);
};
const multiprocessing::Function<Brew, std::vector<std::string>> brew{
    "tests.brew", [](const Brew& order) {
      return std::vector<std::string>(static_cast<std::size_t>(order.cups), order.tea);
    }};

}  // namespace

TEST_CASE("process pool: results and exceptions cross the boundary intact", "[process]") {
  {
    ProcessPoolExecutor pool(2);
    CHECK(platform::process::live_workers() == 2);  // both started with the pool, and counted
    const auto remote = run(pool, fn::encrypt, {"credit_card_1234", 1000});
    const auto local = fn::encrypt({"credit_card_1234", 1000});  // here, in this process
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
  CHECK(run(pool, fn::add_to_global, 5) == 5);
  CHECK(run(pool, fn::add_to_global, 5) == 10);  // the same worker, its own global
  CHECK(fn::add_to_global(0) == 0);              // the parent's own is untouched
  ProcessPoolExecutor another(1);
  CHECK(run(another, fn::add_to_global, 1) == 1);  // a new process starts afresh
}

TEST_CASE("process pool: map keeps the arguments' order, and 1 MiB round-trips", "[process]") {
  ProcessPoolExecutor pool(2);
  std::vector<std::string> limits;
  for (const std::int64_t limit : {1000, 10, 100, 2})
    limits.push_back(fn::count_primes.argument(limit));
  std::vector<std::int64_t> counts;
  for (const auto& answer : pool.map(fn::count_primes.name(), limits, 20.0))
    counts.push_back(fn::count_primes.result(answer));
  CHECK(counts == std::vector<std::int64_t>{168, 4, 25, 0});
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
    const fn::IncrementValue meet{stock.handle(), both.handle(), 1, false, platform::to_nanos(20)};
    auto first = submit(pool, fn::increment_value, meet);
    auto second = submit(pool, fn::increment_value, meet);
    for (int i = 0; i < 8; ++i) futures.push_back(submit(pool, fn::count_primes, 200'000));
    CHECK(fn::increment_value.result(first.result(30)) == 1);
    CHECK(fn::increment_value.result(second.result(30)) == 1);
    pool.shutdown(true);
    const auto calls = pool.calls_per_worker();
    CHECK(calls.size() == 2);  // both workers took calls
    for (const auto& entry : calls) CHECK(ids.count(entry.first) == 1);
    CHECK_THROWS_AS(pool.submit("echo", ""), std::runtime_error);
  }
  CHECK(ids.size() == 2);
  for (auto& f : futures) CHECK(fn::count_primes.result(f.result(0)) == 17984);
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
    running = submit(pool, fn::count_primes, 1'000'000'000'000);
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
    co_return co_await asyncio::run_in_executor(pool, fn::encrypt.name(),
                                                fn::encrypt.argument({"abc", 10}));
  };
  CHECK(fn::encrypt.result(f.run(main())).text == "    cba");
}

TEST_CASE("process pool: max_workers out of range is refused", "[process]") {
  CHECK_THROWS_AS(ProcessPoolExecutor(0), std::invalid_argument);
  CHECK_THROWS_AS(ProcessPoolExecutor(platform::process::max_workers() + 1), std::invalid_argument);
}

TEST_CASE("process pool: a function defined outside the engine runs in every worker", "[process]") {
  ProcessPoolExecutor pool(2);
  std::vector<concurrent::Future<std::string>> orders;
  for (int i = 0; i < 4; ++i) orders.push_back(submit(pool, brew, {"masala", i}));
  for (int i = 0; i < 4; ++i)
    CHECK(brew.result(orders[static_cast<std::size_t>(i)].result(20)) ==
          std::vector<std::string>(static_cast<std::size_t>(i), "masala"));
  CHECK(brew({"ginger", 1}) == std::vector<std::string>{"ginger"});  // and here
  // Bytes that are not its argument are the caller's error, raised from the worker.
  CHECK_THROWS_WITH(pool.submit(brew.name(), "not a Brew").result(20),
                    Catch::Contains("RuntimeError: a value"));
}

TEST_CASE("process functions: a name is taken once, and an unknown one is a LookupError",
          "[process]") {
  CHECK_THROWS_AS(multiprocessing::register_bytes_function(
                      "echo", [](std::string_view) { return std::string(); }),
                  std::logic_error);
  CHECK(multiprocessing::call_function("echo", "here") == "here");
  CHECK(multiprocessing::call_function(fn::count_primes.name(), fn::count_primes.argument(10)) ==
        fn::count_primes.argument(4));
  CHECK_THROWS_WITH(multiprocessing::call_function("no_such_function", ""),
                    "no function named no_such_function");
}
