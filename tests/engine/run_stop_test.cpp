// Issue 14: how a run stops. RunOptions::cancel ends a run at its next wait or checkpoint with
// error code "cancelled", in every model; a passed deadline is always error code "deadline".
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "engine/contract/report.hpp"
#include "engine/platform/clock.hpp"
#include "engine/platform/process.hpp"
#include "engine/samovar.hpp"

using namespace samovar;
using nlohmann::json;

namespace {

// Runs `request` on a thread of its own, cancels it after `after_s`, and returns its report
// with how long the run lasted.
struct Cancelled {
  json report;
  double seconds;
};
Cancelled run_and_cancel(const json& request, double after_s) {
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  RunOptions options;
  options.cancel = cancel;
  const platform::Nanos start = platform::now();
  auto run = std::async(std::launch::async, [&] { return run_json(request, options); });
  // Not a wait for the run to start: the run is cut short wherever it has got to.
  std::this_thread::sleep_for(std::chrono::duration<double>(after_s));
  cancel->store(true);
  // Generous: a hang is what this guards against.
  REQUIRE(run.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  return {run.get(), platform::to_seconds(platform::now() - start)};
}

}  // namespace

TEST_CASE("a cancelled run ends at its next wait with error code cancelled, in every model",
          "[scenario][cancel]") {
  // Each would run for a minute or more (and has a deadline of two); cancelled after 0.3 s,
  // each ends soon after (the margin is generous: the machine is shared).
  const std::vector<json> long_runs{
      // asyncio: the loop waits on timers.
      {{"scenario", "gather"}, {"model", "asyncio"}, {"params", {{"delay", 60}}}, {"scale", 1}},
      // sequential: time.sleep on the run's thread.
      {{"scenario", "gather"}, {"model", "sequential"}, {"params", {{"delay", 60}}}, {"scale", 1}},
      // threading: a non-daemon thread sleeping, the main thread joining it.
      {{"scenario", "daemon"}, {"params", {{"lifetime", 60}, {"period", 60}}}, {"scale", 1}},
      // threads on a queue.Queue.
      {{"scenario", "producer-consumer"},
       {"model", "threading"},
       {"params", {{"items", 10'000}, {"serve", 10}}},
       {"scale", 1}},
      // processes: the parent waits for the pool's futures.
      {{"scenario", "producer-consumer"},
       {"model", "multiprocessing"},
       {"params", {{"items", 10'000}, {"serve", 10}}},
       {"scale", 1}},
      // an event loop waiting for calls in a process pool (run_in_executor).
      {{"scenario", "encrypt"}, {"params", {{"items", 2}, {"work", 1'000'000'000}}}},
  };
  for (json request : long_runs) {
    request["deadline_s"] = 120;
    INFO(request.dump());
    const auto [r, seconds] = run_and_cancel(request, 0.3);
    INFO(r.dump().substr(0, 2000));
    REQUIRE(r.contains("error"));
    CHECK(r["error"]["code"] == "cancelled");
    CHECK(r["error"]["message"] == "the run was cancelled");
    CHECK(contract::exit_code(r) == 1);
    CHECK(seconds < 0.3 + 10);  // far from the minute it would have taken
    CHECK(platform::process::live_workers() == 0);
  }
}

TEST_CASE("a run whose cancel flag is never set runs to its end", "[scenario][cancel]") {
  RunOptions options;
  options.cancel = std::make_shared<std::atomic<bool>>(false);
  const json r = run_json(json{{"scenario", "gather"}}, options);
  CHECK_FALSE(r.contains("error"));
  CHECK(contract::exit_code(r) == 0);
}

TEST_CASE("a deadline already past when a wait for processes begins is the deadline's error",
          "[scenario][deadline]") {
  // The run's waits are bounded by the time left; once none is left, the wait raises the
  // deadline error itself, not a "no room within -0.0004 s" of its own.
  for (const char* scenario : {"producer-consumer", "race"}) {
    for (int i = 0; i < 3; ++i) {
      json request{{"scenario", scenario}, {"model", "multiprocessing"}, {"deadline_s", 0.1}};
      if (std::string(scenario) == "race")
        request["params"] = {{"value", true}, {"increments", 10'000'000}};
      INFO(request.dump());
      const json r = run_json(request);
      INFO(r.dump().substr(0, 2000));
      REQUIRE(r.contains("error"));
      CHECK(r["error"]["code"] == "deadline");
      CHECK(platform::process::live_workers() == 0);
    }
  }
}

TEST_CASE("a daemon run past its deadline is the deadline's error, never a normal end",
          "[scenario][deadline]") {
  // The non-daemon thread dies of the deadline: the program must not then end as if it had
  // waited for it.
  for (int i = 0; i < 3; ++i) {
    const json r = run_json(json{{"scenario", "daemon"},
                                 {"params", {{"lifetime", 60}}},
                                 {"scale", 10},
                                 {"deadline_s", 0.1}});
    INFO(r.dump().substr(0, 2000));
    REQUIRE(r.contains("error"));
    CHECK(r["error"]["code"] == "deadline");
    CHECK(contract::exit_code(r) == 1);
    CHECK(r["wall_s"].get<double>() < 0.1 + 5);
  }
}

TEST_CASE("gather of a million tasks stops at its deadline, not after creating and running all",
          "[scenario][deadline]") {
  const platform::Nanos start = platform::now();
  const json r = run_json(
      json{{"scenario", "gather"}, {"params", {{"tasks", 1'000'000}}}, {"deadline_s", 0.1}});
  const double seconds = platform::to_seconds(platform::now() - start);
  REQUIRE(r.contains("error"));
  CHECK(r["error"]["code"] == "deadline");
  // Before: 3.1 s natively. Generous (sanitizers, a shared machine), yet well under that.
  CHECK(seconds < 2.0);
}
