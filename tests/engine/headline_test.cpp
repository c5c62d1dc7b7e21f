#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "engine/samovar.hpp"

namespace samovar {

using nlohmann::json;

// Small params for the scenarios whose defaults take seconds; the metrics they report are the
// same.
const std::map<std::string, json> kQuick{
    {"encrypt", {{"work", 1000}, {"rounds", 1}}},
    {"gil", {{"work", 1000}, {"rounds", 1}}},
    {"scale", {{"tasks", 100}, {"switches", 100}}},
    {"compare", {{"rows", "cpu"}, {"work", 1}}},
};

TEST_CASE("every headline metric of the catalog is one its scenario reports", "[contract]") {
  const json catalog = catalog_json();
  for (const auto& scenario : catalog["scenarios"]) {
    const std::string id = scenario["id"];
    INFO(id);
    CHECK_FALSE(scenario["headline"].empty());
    std::set<std::string> reported;
    for (const auto& model : scenario["models"]) {
      json request{{"schema_version", kSchemaVersion},
                   {"scenario", id},
                   {"model", model},
                   {"scale", 0.01},
                   {"trace", "off"}};
      if (kQuick.count(id)) request["params"] = kQuick.at(id);
      if (scenario.value("takes_spec", false))  // a workload: one task, a sleep and a cpu unit
        request["spec"] = json::parse(
            R"({"version": 1, "tasks": [{"steps": [{"step": "sleep", "seconds": 1},
                                                    {"step": "cpu", "units": 1}]}]})");
      const json r = to_json(run(parse_request(request)));
      INFO(model << ": " << r.value("error", json()).dump());
      REQUIRE_FALSE(r.contains("error"));
      for (const auto& [name, value] : r["metrics"].items()) reported.insert(name);
    }
    for (const auto& h : scenario["headline"]) {
      INFO(h.dump());
      CHECK(reported.count(h["metric"].get<std::string>()) == 1);
      CHECK_FALSE(h["label"].get<std::string>().empty());
    }
  }
}

}  // namespace samovar
