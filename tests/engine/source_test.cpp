#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "engine/samovar.hpp"

using nlohmann::json;

namespace {

// The scenarios' files as built (tests/CMakeLists.txt writes scenario_sources.inc).
const std::map<std::string, std::string>& sources() {
  static const std::map<std::string, std::string> all{
#include "scenario_sources.inc"
  };
  return all;
}

// Line `n` (1-based) of a scenario's file, or "" past its end.
std::string source_line(const std::string& file, long long n) {
  std::istringstream in(sources().at(file));
  std::string line;
  for (long long i = 1; std::getline(in, line); ++i)
    if (i == n) return line;
  return "";
}

// Every line with a src names a line of the scenario's own file that prints; returns the
// source line of each output line ("" where the engine printed it itself).
std::vector<std::string> printed_at(const json& report, const std::string& file) {
  std::vector<std::string> at;
  for (const auto& line : report["output"]) {
    if (!line.contains("src")) {
      at.emplace_back();
      continue;
    }
    INFO(line.dump());
    REQUIRE(line["src"]["file"] == file);
    const std::string code = source_line(file, line["src"]["line"].get<long long>());
    CHECK(code.find("print") != std::string::npos);
    at.push_back(code);
  }
  return at;
}

}  // namespace

TEST_CASE("output lines name the scenario's print that made them", "[scenario][src]") {
  SECTION("gather under asyncio: brew()'s prints; the loop's own warnings have none") {
    const json r = samovar::run_json({{"scenario", "gather"}});
    const auto at = printed_at(r, "engine/scenarios/gather.cpp");
    REQUIRE(at.size() == r["output"].size());
    int guide_lines = 0;
    for (std::size_t i = 0; i < at.size(); ++i) {
      const std::string text = r["output"][i]["text"];
      if (text.starts_with("Executing <Task")) {
        CHECK(at[i].empty());  // asyncio's debug mode, printed by the loop
        continue;
      }
      ++guide_lines;
      CHECK(at[i].find(text.starts_with("Brewing")
                           ? "ctx.print({\"Brewing \", name"
                           : "ctx.print({name, \" is ready") != std::string::npos);
    }
    CHECK(guide_lines == 6);
  }
  SECTION("gather under sequential: the loop in run()'s prints, not brew()'s") {
    const json r = samovar::run_json({{"scenario", "gather"}, {"model", "sequential"}});
    const auto at = printed_at(r, "engine/scenarios/gather.cpp");
    REQUIRE(at.size() == 6);
    CHECK(at[0].find("ctx.print({\"Brewing \", tea(i)") != std::string::npos);
    CHECK(at[1].find("ctx.print({tea(i), \" is ready") != std::string::npos);
  }
  SECTION("race on threads and deadlock: each line names a print of its own file") {
    const json race = samovar::run_json(
        {{"scenario", "race"}, {"params", {{"increments", 1000}, {"sync", "lock"}}}});
    const auto race_at = printed_at(race, "engine/scenarios/race.cpp");
    REQUIRE(race_at.size() == 1);
    CHECK(race_at[0].find("Chai stock") != std::string::npos);
    const json deadlock = samovar::run_json({{"scenario", "deadlock"}});
    const auto deadlock_at = printed_at(deadlock, "engine/scenarios/deadlock.cpp");
    REQUIRE_FALSE(deadlock_at.empty());
    CHECK(deadlock_at.back().find("Deadlock detected") != std::string::npos);
  }
  SECTION("producer-consumer with processes: where the parent makes each process's line") {
    const json r = samovar::run_json({{"scenario", "producer-consumer"},
                                      {"model", "multiprocessing"},
                                      {"params", {{"items", 2}}}});
    const auto at = printed_at(r, "engine/scenarios/producer_consumer.cpp");
    REQUIRE(at.size() >= 4);
    for (std::size_t i = 0; i < at.size(); ++i)
      if (r["output"][i]["who"].get<std::string>().rfind("Process-", 0) == 0)
        CHECK(at[i].find("print_later(") != std::string::npos);
  }
}
