#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "engine/samovar.hpp"

namespace samovar {
namespace {

using nlohmann::json;

json run_request(json request) {
  request["schema_version"] = kSchemaVersion;
  return run_json(request);
}

}  // namespace

TEST_CASE("scale's sweep: 10, 100, 1,000 coroutines waiting at once, each step measured",
          "[scenario][scale][sweep]") {
  const json r = run_request(
      {{"scenario", "scale"}, {"params", {{"sweep_to", 1000}, {"delay", 1}}}, {"scale", 0.05}});
  REQUIRE_FALSE(r.contains("error"));
  const json& points = r["sweep"]["points"];
  REQUIRE(points.size() == 3);
  for (std::size_t i = 0; i < points.size(); ++i) {
    INFO(points[i].dump());
    CHECK(points[i]["unit"] == "coroutines");
    CHECK(points[i]["n"] == (i == 0 ? 10 : i == 1 ? 100 : 1000));
    // Every step waited its one shared 0.05 s sleep, and no more than once.
    CHECK(points[i]["wall_s"].get<double>() >= 0.05);
    CHECK(points[i]["us_per_unit"].is_number());
    CHECK(points[i]["bytes_per_unit"].is_number());
  }
  CHECK_FALSE(r["sweep"]["memory"].get<std::string>().empty());
  CHECK_FALSE(r["sweep"].contains("limit"));
  // From the recorder: the last step's 1,000 coroutines were all asleep at one moment.
  CHECK(r["checks"]["all_units_waited_at_once"] == true);
  CHECK(r["metrics"]["sweep_largest"] == 1000);
  CHECK(r["output"].size() == 3);
}

TEST_CASE("scale's sweep with threading: real threads each in time.sleep",
          "[scenario][scale][sweep][threading]") {
  const json r = run_request({{"scenario", "scale"},
                              {"model", "threading"},
                              {"params", {{"sweep_to", 10}, {"delay", 5}}},
                              {"scale", 0.1}});
  REQUIRE_FALSE(r.contains("error"));
  const json& points = r["sweep"]["points"];
  REQUIRE(points.size() == 1);
  CHECK(points[0]["unit"] == "threads");
  CHECK(points[0]["n"] == 10);
  CHECK(points[0]["wall_s"].get<double>() >= 0.5);
  // Each of the ten threads slept on its own lane.
  std::set<std::string> sleepers;
  for (const auto& s : r["trace"])
    if (s["name"] == "sleep") sleepers.insert(s["lane"].get<std::string>());
  CHECK(sleepers.size() == 10);
}

TEST_CASE("scale's sweep with multiprocessing: 1, then 2 worker processes each in time.sleep",
          "[scenario][scale][sweep][process]") {
  const json r = run_request({{"scenario", "scale"},
                              {"model", "multiprocessing"},
                              {"params", {{"sweep_to", 2}, {"delay", 2}}},
                              {"scale", 0.1}});
  REQUIRE_FALSE(r.contains("error"));
  const json& points = r["sweep"]["points"];
  REQUIRE(points.size() == 2);
  for (std::size_t i = 0; i < points.size(); ++i) {
    INFO(points[i].dump());
    CHECK(points[i]["unit"] == "processes");
    CHECK(points[i]["n"] == i + 1);
    CHECK(points[i]["wall_s"].get<double>() >= 0.2);
  }
  // Each process got its own lane in the trace, and its call shows on it.
  std::set<std::string> lanes;
  for (const auto& s : r["trace"])
    if (s["name"] == "call") lanes.insert(s["lane"].get<std::string>());
  CHECK(lanes.size() >= 2);
}

TEST_CASE("a sweep past the threads one can wait at once is refused, naming the field",
          "[scenario][scale][sweep][contract]") {
  const json r = run_request(
      {{"scenario", "scale"}, {"model", "threading"}, {"params", {{"sweep_to", 1001}}}});
  REQUIRE(r.contains("error"));
  CHECK(r["error"]["field"] == "params.sweep_to");
}

// samovar bench runs every request in one process: memory an earlier run freed must not hide
// what the sweep's coroutines take (natively it stayed resident and was reused: 0 bytes each).
TEST_CASE("a sweep after a larger run in the same process still sees each coroutine's memory",
          "[scenario][scale][sweep]") {
  const json big = run_request({{"scenario", "gather"},
                                {"params", {{"tasks", 100000}, {"delay", 0}}},
                                {"trace", "off"},
                                {"max_lines", 10}});
  REQUIRE_FALSE(big.contains("error"));
  const json r = run_request({{"scenario", "scale"},
                              {"params", {{"sweep_to", 10000}, {"delay", 1}}},
                              {"scale", 0.05},
                              {"trace", "off"}});
  REQUIRE_FALSE(r.contains("error"));
  const json& last = r["sweep"]["points"].back();
  INFO(r["sweep"].dump());
  CHECK(last["n"] == 10000);
  // A coroutine's frame and task alone take well over 64 bytes.
  CHECK(last["bytes_per_unit"].get<double>() > 64);
}

}  // namespace samovar
