#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/samovar.hpp"
#include "engine/threading/strategy.hpp"

using namespace samovar;
using nlohmann::json;

namespace {

json explored(json request, std::int64_t seed) {
  request["schedule"] = "explore";
  request["seed"] = seed;
  return run_json(request);
}

json explore(const json& request, int runs) {
  ExploreOptions options;
  options.runs = runs;
  return explore_json(request, options);
}

// What a run did, all of it: its lines with their times, every span, the schedule's turns.
json what_happened(const json& report) {
  return {report["output"], report["trace"],   report["explore"],
          report["checks"], report["metrics"], report["wall_s"]};
}

}  // namespace

TEST_CASE("explore: a seed is a schedule: the same seed gives the same lines, trace and turns",
          "[explore]") {
  for (const json& request : {json{{"scenario", "race"}, {"params", {{"increments", 40}}}},
                              json{{"scenario", "deadlock"}, {"params", {{"hold", 0}}}},
                              json{{"scenario", "producer-consumer"}, {"params", {{"items", 3}}}},
                              json{{"scenario", "race"},
                                   {"params", {{"increments", 40}}},
                                   {"strategy", "pct"},
                                   {"depth", 3},
                                   {"steps", 200}}}) {
    INFO(request.dump());
    for (std::int64_t seed : {1, 2, 99}) {
      const json a = explored(request, seed), b = explored(request, seed);
      REQUIRE_FALSE(a.contains("error"));
      CHECK(a["schedule"] == "explore");
      CHECK(a["explore"]["steps_taken"].get<int>() > 0);
      CHECK(what_happened(a) == what_happened(b));
    }
    // Different seeds, different schedules (the turns of 3 seeds are not all the same).
    CHECK_FALSE(
        (explored(request, 1)["explore"]["turns"] == explored(request, 2)["explore"]["turns"] &&
         explored(request, 2)["explore"]["turns"] == explored(request, 3)["explore"]["turns"]));
  }
}

TEST_CASE("explore: the guide's deadlock (hold=0) is found, and its seed replays it",
          "[explore][deadlock]") {
  for (const char* strategy : {"random", "pct"}) {
    INFO(strategy);
    const json summary = explore(
        {{"scenario", "deadlock"}, {"params", {{"hold", 0}}}, {"strategy", strategy}, {"seed", 1}},
        200);
    CHECK(summary["runs"] == 200);
    CHECK(summary["deadlocked"].get<int>() > 0);
    CHECK(summary["deadlocked"].get<int>() < 200);  // as written, only some schedules deadlock
    CHECK(summary["failed_checks"] == 0);           // hold=0 expects nothing either way
    REQUIRE(summary["first_wrong"].is_object());
    CHECK(summary["first_wrong"]["what"] == json{"deadlocked"});
    CHECK(summary["first_wrong"]["replayed_same"] == true);
    // The replay, as a run of its own: the cycle found at once, both waits failed.
    json replay = summary["request"];
    replay["seed"] = summary["first_wrong"]["seed"];
    const json r = run_json(replay);
    CHECK(r["explore"]["all_blocked"] == true);
    CHECK(r["checks"]["deadlock_detected"] == true);
    CHECK(r["metrics"]["tasks_completed"] == 0);
    CHECK(r["output"].back()["text"].get<std::string>().find("Deadlock detected: Task 1 holds") ==
          0);
  }
}

TEST_CASE("explore: the race loses updates on some schedule, and its seed replays the loss",
          "[explore][race]") {
  const json summary = explore({{"scenario", "race"}, {"params", {{"increments", 30}}}}, 50);
  CHECK(summary["lost_updates"].get<int>() > 0);
  REQUIRE(summary["first_wrong"].is_object());
  const json& first = summary["first_wrong"];
  CHECK(first["replayed_same"] == true);
  json replay = summary["request"];
  replay["seed"] = first["seed"];
  const json r = run_json(replay);
  CHECK(r["metrics"]["lost"].get<double>() > 0);
  CHECK(r == first["report"]);
  // Every lost update is a read that another thread's write followed before this thread wrote.
  CHECK(r["metrics"]["actual"].get<double>() < 60);
}

TEST_CASE("explore: the fixes hold on every one of 1,000 schedules", "[explore]") {
  for (const json& request :
       {json{{"scenario", "deadlock"}, {"params", {{"hold", 0}, {"fix", "ordering"}}}},
        json{{"scenario", "deadlock"}, {"params", {{"hold", 0}, {"fix", "timeout"}}}},
        json{{"scenario", "race"}, {"params", {{"increments", 5}, {"sync", "lock"}}}},
        json{{"scenario", "race"}, {"params", {{"increments", 5}, {"sync", "atomic"}}}},
        json{{"scenario", "race"}, {"params", {{"increments", 5}, {"gil", true}}}},
        json{{"scenario", "deadlock"},
             {"params", {{"hold", 0}, {"fix", "ordering"}}},
             {"strategy", "pct"},
             {"depth", 3}}}) {
    INFO(request.dump());
    const json summary = explore(request, 1000);
    CHECK(summary["runs"] == 1000);
    CHECK(summary["wrong"] == 0);
    CHECK(summary["first_wrong"].is_null());
    CHECK(summary["switches"].get<double>() > 0);  // the threads did interleave
  }
}

TEST_CASE("explore: producer-consumer serves every cup once on every schedule",
          "[explore][producer-consumer]") {
  const json summary =
      explore({{"scenario", "producer-consumer"}, {"params", {{"items", 3}, {"maxsize", 1}}}}, 100);
  CHECK(summary["wrong"] == 0);
  const json r = explored({{"scenario", "producer-consumer"}, {"params", {{"items", 3}}}}, 5);
  CHECK(r["checks"]["each_cup_served_once"] == true);
  // Sleeps are virtual: brewing and serving 6 cups took no real time, but the clock moved.
  CHECK(r["wall_s"].get<double>() > 0.05);
}

TEST_CASE("explore: a request the explored schedule cannot run names the field",
          "[explore][contract]") {
  const auto field = [](const json& request) {
    const json r = run_json(request);
    return r.contains("error") ? r["error"].value("field", "") : std::string("(none)");
  };
  CHECK(field({{"scenario", "gather"}, {"schedule", "explore"}}) == "schedule");
  CHECK(field({{"scenario", "race"}, {"model", "multiprocessing"}, {"schedule", "explore"}}) ==
        "schedule");
  CHECK(field({{"scenario", "race"}, {"schedule", "sometimes"}}) == "schedule");
  CHECK(field({{"scenario", "race"}, {"strategy", "pct"}}) == "strategy");
  CHECK(field({{"scenario", "race"}, {"schedule", "explore"}, {"strategy", "dfs"}}) == "strategy");
  CHECK(field({{"scenario", "race"}, {"schedule", "explore"}, {"depth", 0}}) == "depth");
  CHECK(field({{"scenario", "race"}, {"schedule", "explore"}, {"depth", 11}}) == "depth");
  CHECK(field({{"scenario", "race"}, {"schedule", "explore"}, {"steps", 0}}) == "steps");
  ExploreOptions none;
  none.runs = 0;
  CHECK(explore_json({{"scenario", "race"}}, none)["error"]["field"] == "runs");
}

TEST_CASE("explore: a run cut short by its deadline unwinds every thread", "[explore]") {
  // Two threads of 10 million increments each, switching at every read and write: far more
  // than 0.2 s of steps.
  const json r = run_json({{"scenario", "race"},
                           {"params", {{"increments", 10'000'000}}},
                           {"schedule", "explore"},
                           {"deadline_s", 0.2}});
  REQUIRE(r.contains("error"));
  CHECK(r["error"]["code"] == "deadline");
}

TEST_CASE("explore: pct runs the highest-priority thread, and its change points lower it",
          "[explore][strategy]") {
  // Depth 1: no change point, so the same thread runs whenever it may.
  auto pct = threading::make_strategy("pct", 1, 100, 7);
  pct->added(0);
  pct->added(1);
  pct->added(2);
  const int first = pct->choose({0, 1, 2}, 0, 1);
  for (std::int64_t step = 2; step < 50; ++step)
    CHECK(pct->choose({0, 1, 2}, first, step) == first);
  // Depth 2 over 1 step: the change point is step 1, where the running thread drops below all.
  auto changed = threading::make_strategy("pct", 2, 1, 7);
  changed->added(0);
  changed->added(1);
  const int top = changed->choose({0, 1}, 0, 0);
  CHECK(changed->choose({0, 1}, top, 1) != top);
}

TEST_CASE("explore: a workload's threads lose counter updates unless the increment is locked",
          "[explore][workload]") {
  const auto spec = [](bool locked) {
    const json incr = {{"step", "incr"}, {"counter", "cups"}, {"times", 4}, {"locked", locked}};
    return json{{"version", 1},
                {"counters", json::array({{{"name", "cups"}}})},
                {"tasks", json::array({{{"name", "chai"}, {"steps", json::array({incr})}},
                                       {{"name", "coffee"}, {"steps", json::array({incr})}}})}};
  };
  const json request = {
      {"scenario", "workload"}, {"model", "threading"}, {"params", {{"gil", false}}}};
  json racy = request, locked = request;
  racy["spec"] = spec(false);
  locked["spec"] = spec(true);
  const json found = explore(racy, 100);
  CHECK(found["lost_updates"].get<int>() > 0);
  REQUIRE(found["first_wrong"].is_object());
  CHECK(found["first_wrong"]["replayed_same"] == true);
  CHECK(found["first_wrong"]["report"]["explore"]["steps_taken"].get<int>() > 0);
  CHECK(explore(locked, 300)["wrong"] == 0);
}
