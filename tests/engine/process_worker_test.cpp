// platform::process on its own: worker processes natively, process workers (an instance of
// the module each, with its own memory) in WASM. Requests are the engine's wire encoding and
// name registered functions: multiprocessing's own (echo, raise, crash) and the scenarios'
// (scenarios/process_functions.hpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "engine/multiprocessing/barrier.hpp"
#include "engine/multiprocessing/functions.hpp"
#include "engine/multiprocessing/value.hpp"
#include "engine/multiprocessing/wire.hpp"
#include "engine/platform/process.hpp"
#include "engine/scenarios/process_functions.hpp"

namespace process = samovar::platform::process;
namespace multiprocessing = samovar::multiprocessing;
namespace wire = samovar::multiprocessing::wire;
namespace fn = samovar::scenarios::process_functions;

namespace {

// Calls `function` in the worker and returns its result; fails the test on a remote error.
std::string call(process::Worker& worker, const std::string& function,
                 const std::string& argument) {
  const wire::Outcome outcome =
      wire::decode_outcome(worker.call(wire::encode(wire::Call{function, argument})));
  INFO(outcome.error_type << ": " << outcome.value);
  REQUIRE(outcome.ok);
  return outcome.value;
}

// The same for a typed function: its argument encoded, its result decoded.
template <class Args, class Result>
Result call(process::Worker& worker, const multiprocessing::Function<Args, Result>& function,
            const std::type_identity_t<Args>& args) {
  return function.result(call(worker, function.name(), function.argument(args)));
}

}  // namespace

TEST_CASE("process worker: a call round-trips bytes, 1 MiB and empty ones too", "[process]") {
  auto worker = process::start_worker();
  CHECK(call(*worker, "echo", "hello") == "hello");
  CHECK(call(*worker, "echo", "").empty());
  std::string big(1 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + 3);
  CHECK(call(*worker, "echo", big) == big);
  std::string bigger = big + big + "!";  // past the answer room the first 1 MiB made
  CHECK(call(*worker, "echo", bigger) == bigger);
  CHECK(call(*worker, fn::count_primes, 1000) == 168);
  const wire::Outcome raised =
      wire::decode_outcome(worker->call(wire::encode(wire::Call{"raise", "no milk"})));
  CHECK_FALSE(raised.ok);
  CHECK(raised.error_type == "ValueError");
  CHECK(raised.value == "no milk");
}

TEST_CASE("process worker: two workers answer at once, each with its own globals", "[process]") {
  auto first = process::start_worker();
  auto second = process::start_worker();
  CHECK(first->id() != second->id());
  CHECK(call(*first, fn::add_to_global, 5) == 5);
  CHECK(call(*second, fn::add_to_global, 1) == 1);
  CHECK(call(*first, fn::add_to_global, 5) == 10);
  const auto& count_primes = fn::count_primes;
  std::string from_second;
  std::thread other([&] {
    from_second =
        second->call(wire::encode(wire::Call{count_primes.name(), count_primes.argument(200'000)}));
  });
  const auto from_first = call(*first, count_primes, 200'000);
  other.join();
  CHECK(from_first == 17984);
  CHECK(count_primes.result(wire::decode_outcome(from_second).value) == 17984);
}

TEST_CASE("process worker: kill() fails the call under way and every later one", "[process]") {
  auto worker = process::start_worker();
  CHECK(call(*worker, "echo", "up") == "up");
  // The call meets the test at a barrier, then counts for ever: only the kill can end it.
  multiprocessing::Value stock(0);
  multiprocessing::Barrier in_call(2);
  const auto timeout = samovar::platform::to_nanos(20);
  const std::string forever = wire::encode(wire::Call{
      fn::increment_value.name(),
      fn::increment_value.argument({stock.handle(), in_call.handle(), 1LL << 62, false, timeout})});
  bool died = false;
  std::string why;
  const auto started = std::chrono::steady_clock::now();
  std::thread caller([&] {
    try {
      worker->call(forever);
    } catch (const process::WorkerDied& e) {
      died = true;
      why = e.what();
    }
  });
  in_call.wait(timeout);  // the worker is in its call
  worker->kill();
  caller.join();
  CHECK(died);
  INFO(why);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));  // no hang
  CHECK_THROWS_AS(worker->call(wire::encode(wire::Call{"echo", "x"})), process::WorkerDied);
  auto idle = process::start_worker();
  idle->kill();
  CHECK_THROWS_AS(idle->call(wire::encode(wire::Call{"echo", "x"})), process::WorkerDied);
}

TEST_CASE("process worker: a worker that crashes fails its call and every later one", "[process]") {
  auto worker = process::start_worker();
  try {
    worker->call(wire::encode(wire::Call{"crash", ""}));
    FAIL("a crashed worker answered");
  } catch (const process::WorkerDied& e) {
    INFO(e.what());
    SUCCEED();
  }
  CHECK_THROWS_AS(worker->call(wire::encode(wire::Call{"echo", "x"})), process::WorkerDied);
  auto next = process::start_worker();  // the others still serve
  CHECK(call(*next, "echo", "still here") == "still here");
}

TEST_CASE("process worker: a released worker comes back fresh", "[process]") {
  const std::size_t n = std::min<std::size_t>(process::max_workers(), 4);
  for (int round = 0; round < 2; ++round) {
    std::vector<std::unique_ptr<process::Worker>> workers;
    for (std::size_t i = 0; i < n; ++i) workers.push_back(process::start_worker());
    for (auto& w : workers)
      CHECK(call(*w, fn::add_to_global, 7) == 7);  // nothing left from round 0
  }
  CHECK(process::live_workers() == 0);
}

// WASM only: there the process workers are a fixed set (natively a pool may start up to 64).
TEST_CASE("process worker: asking for one more than exist fails at once", "[wasm]") {
  std::vector<std::unique_ptr<process::Worker>> workers;
  for (std::size_t i = 0; i < process::max_workers(); ++i)
    workers.push_back(process::start_worker());
  CHECK_THROWS_WITH(process::start_worker(), Catch::Contains("no process worker free"));
  workers.pop_back();
  CHECK(call(*process::start_worker(), "echo", "freed") == "freed");
}
