#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>

#include "engine/samovar.hpp"

namespace samovar {
namespace {

using nlohmann::json;

json run_request(json request) {
  request["schema_version"] = kSchemaVersion;
  return to_json(run(parse_request(request)));
}

}  // namespace

TEST_CASE("repeat runs the request again: every wall time kept, the medians reported",
          "[contract][repeat]") {
  const json r = run_request({{"scenario", "gather"},
                              {"params", {{"tasks", 3}, {"delay", 0.5}}},
                              {"scale", 0.01},
                              {"repeat", 3}});
  REQUIRE_FALSE(r.contains("error"));
  CHECK(r["repeat"] == 3);
  REQUIRE(r["walls_s"].size() == 3);
  std::vector<double> walls = r["walls_s"].get<std::vector<double>>();
  std::sort(walls.begin(), walls.end());
  CHECK(r["wall_s"].get<double>() == walls[1]);
  // Each run slept its 0.005 s: every wall time is a whole run, not a share of one.
  CHECK(walls.front() >= 0.005);
  // The metrics are medians with their ranges; the lines and spans are one run's only.
  const auto range = r["metric_ranges"]["peak_concurrent_sleeps"];
  CHECK(range[0].get<double>() <= r["metrics"]["peak_concurrent_sleeps"].get<double>());
  CHECK(r["metrics"]["peak_concurrent_sleeps"].get<double>() <= range[1].get<double>());
  std::set<std::string> sleepers;
  for (const auto& s : r["trace"])
    if (s["state"] == "waiting") sleepers.insert(s["lane"].get<std::string>());
  CHECK(sleepers.size() == 3);
  std::size_t ready = 0;
  for (const auto& line : r["output"])
    ready += line["text"].get<std::string>().find("is ready") != std::string::npos;
  CHECK(ready == 3);
}

TEST_CASE("a single run reports its one wall time and no ranges", "[contract][repeat]") {
  const json r = run_request({{"scenario", "gather"}, {"scale", 0.01}});
  REQUIRE_FALSE(r.contains("error"));
  CHECK(r["repeat"] == 1);
  REQUIRE(r["walls_s"].size() == 1);
  CHECK(r["walls_s"][0] == r["wall_s"]);
  CHECK_FALSE(r.contains("metric_ranges"));
}

TEST_CASE("the deadline bounds all the repeats together", "[contract][repeat]") {
  // Each run sleeps 0.3 s; 20 of them cannot fit in 1 s.
  const json r = run_request({{"scenario", "gather"},
                              {"params", {{"delay", 3}}},
                              {"scale", 0.1},
                              {"deadline_s", 1},
                              {"repeat", 20}});
  REQUIRE(r.contains("error"));
  CHECK(r["error"]["code"] == "deadline");
  CHECK(r["walls_s"].size() < 20);
}

}  // namespace samovar
